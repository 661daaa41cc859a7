//! Every identifier and literal `sql.rs` renders reads back as exactly what
//! was given, whatever its characters, and values never escape their quotes:
//! outside the quoted parts a statement holds only the characters of numbers,
//! keywords and punctuation (no `;`, no comment, no stray quote).
#![no_main]

use duckalog_fuzz::lex::{lex, Token};
use duckalog_core::secrets::{Secret, MASK};
use duckalog_core::sql::{self, AttachOption, SecretSpec, Value};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

fn value(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let pick = if depth >= 3 { u.int_in_range(0..=4)? } else { u.int_in_range(0..=6)? };
    Ok(match pick {
        0 => Value::Bool(u.arbitrary()?),
        1 => Value::Int(u.arbitrary()?),
        2 => Value::Float(f64::from_bits(u.arbitrary()?)),
        3 => Value::Str(u.arbitrary()?),
        4 => Value::Secret(short_secret(u)?),
        5 => Value::List(
            (0..u.int_in_range(0..=3)?).map(|_| value(u, depth + 1)).collect::<Result<_>>()?,
        ),
        _ => Value::Struct(
            (0..u.int_in_range(0..=3)?)
                .map(|_| Ok((u.arbitrary()?, value(u, depth + 1)?)))
                .collect::<Result<_>>()?,
        ),
    })
}

/// Secrets of four bytes or more are remembered for the life of the
/// process (to scrub them from foreign messages): shorter ones keep the
/// fuzzing process from growing without end, and mask just the same.
fn short_secret(u: &mut Unstructured) -> Result<Secret> {
    let s: String = u.arbitrary()?;
    let mut short = String::new();
    for c in s.chars() {
        if short.len() + c.len_utf8() >= 4 {
            break;
        }
        short.push(c);
    }
    Ok(Secret::new(short))
}

/// The strings a value's rendering must hold, in order.
fn strings(v: &Value, reveal: bool, out: &mut Vec<String>) {
    match v {
        Value::Str(s) => out.push(s.clone()),
        Value::Secret(s) => {
            out.push(if reveal { s.expose().to_string() } else { MASK.to_string() })
        }
        Value::Float(f) if !f.is_finite() => out.push(f.to_string()),
        Value::List(items) => items.iter().for_each(|i| strings(i, reveal, out)),
        Value::Struct(fields) => fields.iter().for_each(|(k, v)| {
            out.push(k.clone());
            strings(v, reveal, out)
        }),
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
    }
}

/// Reads a statement back: its identifiers and literals in order, and its
/// bare text checked to hold nothing a value could have smuggled in.
fn read_back(sql: &str) -> (Vec<String>, Vec<String>) {
    let tokens = lex(sql).unwrap_or_else(|| panic!("a quote is left open: {sql:?}"));
    let (mut idents, mut strs) = (Vec::new(), Vec::new());
    for t in tokens {
        match t {
            Token::Ident(s) => idents.push(s),
            Token::Str(s) => strs.push(s),
            Token::Bare(b) => assert!(
                b.chars().all(|c| c.is_ascii_alphanumeric() || " _.+-[]{}:,=()\n".contains(c))
                    && !b.contains("--"),
                "unexpected bare text {b:?} in {sql:?}"
            ),
        }
    }
    (idents, strs)
}

fn word(u: &mut Unstructured) -> Result<String> {
    let s: String = u.arbitrary()?;
    Ok(if sql::is_word(&s) { s } else { "key".to_string() })
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok((schema, name, text)) = u.arbitrary::<(String, String, String)>() else { return };

    assert_eq!(lex(&sql::ident(&name)), Some(vec![Token::Ident(name.clone())]));
    assert_eq!(lex(&sql::literal(&text)), Some(vec![Token::Str(text.clone())]));
    let comment = sql::comment_on_view(&schema, &name, &text);
    assert_eq!(read_back(comment.sql()), (vec![schema.clone(), name.clone()], vec![text.clone()]));
    assert_eq!(
        read_back(sql::drop_view(&schema, &name).sql()).0,
        vec![schema.clone(), name.clone()]
    );

    let Ok(v) = value(&mut u, 0) else { return };
    let Ok(setting) = word(&mut u) else { return };
    for (reveal, rendered) in [
        (true, sql::set(&setting, &v).sql().to_string()),
        (false, sql::set(&setting, &v).shown().to_string()),
    ] {
        let mut expected = Vec::new();
        strings(&v, reveal, &mut expected);
        assert_eq!(read_back(&rendered), (vec![], expected), "{rendered:?}");
    }

    let Ok(key) = word(&mut u) else { return };
    let attach = sql::attach(
        &Value::Str(text.clone()),
        &name,
        &[AttachOption::Value(key.clone(), v.clone())],
    );
    let mut expected = vec![text.clone()];
    strings(&v, true, &mut expected);
    assert_eq!(read_back(attach.sql()), (vec![name.clone()], expected));

    let scope: Vec<String> = vec![schema.clone(), text.clone()];
    let params = vec![(key, v.clone())];
    let secret = sql::create_secret(&SecretSpec {
        name: &name,
        kind: "s3",
        provider: Some("config"),
        persistent: false,
        scope: &scope,
        params: &params,
    });
    let mut expected = scope.clone();
    strings(&v, false, &mut expected);
    assert_eq!(read_back(secret.shown()), (vec![name.clone()], expected));
});
