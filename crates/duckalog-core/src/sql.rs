//! SQL rendering: every identifier and literal duckalog writes is quoted here.
//! Pure functions, no connection.
//!
//! Each statement is rendered twice: once to execute, with secret values, and
//! once to show (logs, plans, scripts), with `'***'` in their place.

use crate::secrets::{Secret, MASK};
use std::fmt;

/// A literal value in an option list, a setting or a secret.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number; NaN and infinities are written as cast strings.
    Float(f64),
    /// A string, written as a quoted literal.
    Str(String),
    /// A string that holds a credential: masked in the shown form.
    Secret(Secret),
    /// Rendered as a list literal `[a, b]`.
    List(Vec<Value>),
    /// Rendered as a struct literal `{'k': v}`, for options such as read_csv's `columns`.
    Struct(Vec<(String, Value)>),
}

/// A statement, in the form to execute and the form to show.
#[derive(Clone, PartialEq)]
pub struct Stmt {
    sql: String,
    shown: String,
}

impl Stmt {
    /// A statement that holds no secret value.
    pub fn plain(sql: String) -> Self {
        Stmt { shown: sql.clone(), sql }
    }

    fn build(render: impl Fn(Reveal) -> String) -> Self {
        Stmt { sql: render(Reveal::Yes), shown: render(Reveal::No) }
    }

    /// The text to execute. Never log or print it.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The text to show, with secret values masked.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The text for a script; `reveal` puts the real values back.
    pub fn script_text(&self, reveal: bool) -> &str {
        if reveal {
            &self.sql
        } else {
            &self.shown
        }
    }
}

impl fmt::Display for Stmt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Debug for Stmt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stmt({:?})", self.shown)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Reveal {
    Yes,
    No,
}

/// `"name"`, with embedded quotes doubled. NUL cannot be quoted and is refused
/// by config validation before anything is rendered.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Dot-joined quoted identifiers.
pub fn qualified(parts: &[&str]) -> String {
    parts.iter().map(|p| ident(p)).collect::<Vec<_>>().join(".")
}

/// `'text'`, with embedded quotes doubled.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Option keys, setting names and keywords are written unquoted, so they must
/// be plain words.
pub fn is_word(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

fn value(v: &Value, reveal: Reveal) -> String {
    match v {
        Value::Bool(b) => if *b { "true" } else { "false" }.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if f.is_finite() => format!("{f:?}"),
        Value::Float(f) => format!("'{f}'::DOUBLE"),
        Value::Str(s) => literal(s),
        Value::Secret(s) => match reveal {
            Reveal::Yes => literal(s.expose()),
            Reveal::No => literal(MASK),
        },
        Value::List(items) => {
            format!("[{}]", items.iter().map(|i| value(i, reveal)).collect::<Vec<_>>().join(", "))
        }
        Value::Struct(fields) => format!(
            "{{{}}}",
            fields
                .iter()
                .map(|(k, v)| format!("{}: {}", literal(k), value(v, reveal)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `SET name = value`; the name must be a word (checked by config validation).
pub fn set(name: &str, v: &Value) -> Stmt {
    Stmt::build(|r| format!("SET {name} = {}", value(v, r)))
}

/// A file scan such as `read_parquet('data/*.parquet', hive_partitioning = true)`.
pub fn scan(function: &str, uri: &str, options: &[(String, Value)]) -> String {
    let mut args = vec![literal(uri)];
    args.extend(options.iter().map(|(k, v)| format!("{k} = {}", value(v, Reveal::Yes))));
    format!("SELECT * FROM {function}({})", args.join(", "))
}

pub(crate) fn select_all(parts: &[&str]) -> String {
    format!("SELECT * FROM {}", qualified(parts))
}

/// `CREATE SCHEMA IF NOT EXISTS`.
pub fn create_schema(schema: &str) -> Stmt {
    Stmt::plain(format!("CREATE SCHEMA IF NOT EXISTS {}", ident(schema)))
}

/// `CREATE OR REPLACE VIEW schema.name AS body`.
pub fn create_view(schema: &str, name: &str, body: &str) -> Stmt {
    Stmt::plain(format!("CREATE OR REPLACE VIEW {} AS\n{body}", qualified(&[schema, name])))
}

/// `COMMENT ON VIEW`, with `comment` as a literal.
pub fn comment_on_view(schema: &str, name: &str, comment: &str) -> Stmt {
    Stmt::plain(format!("COMMENT ON VIEW {} IS {}", qualified(&[schema, name]), literal(comment)))
}

/// `DROP VIEW IF EXISTS`.
pub fn drop_view(schema: &str, name: &str) -> Stmt {
    Stmt::plain(format!("DROP VIEW IF EXISTS {}", qualified(&[schema, name])))
}

/// `LOAD name`, or `LOAD '/path/x.duckdb_extension'` for a file.
pub fn load_extension(name_or_path: &str) -> Stmt {
    if is_word(name_or_path) {
        Stmt::plain(format!("LOAD {name_or_path}"))
    } else {
        Stmt::plain(format!("LOAD {}", literal(name_or_path)))
    }
}

/// One entry of an ATTACH option list.
#[derive(Debug, Clone, PartialEq)]
pub enum AttachOption {
    /// `READ_ONLY`
    Flag(String),
    /// `TYPE sqlite`: the value is a plain word.
    Word(String, String),
    /// `SCHEMA 'public'`
    Value(String, Value),
}

/// `ATTACH IF NOT EXISTS target AS alias (options)`; a secret target is
/// masked in the shown form.
pub fn attach(target: &Value, alias: &str, options: &[AttachOption]) -> Stmt {
    Stmt::build(|r| {
        let mut sql = format!("ATTACH IF NOT EXISTS {} AS {}", value(target, r), ident(alias));
        if !options.is_empty() {
            let rendered: Vec<String> = options
                .iter()
                .map(|o| match o {
                    AttachOption::Flag(k) => k.clone(),
                    AttachOption::Word(k, w) => format!("{k} {w}"),
                    AttachOption::Value(k, v) => format!("{k} {}", value(v, r)),
                })
                .collect();
            sql.push_str(&format!(" ({})", rendered.join(", ")));
        }
        sql
    })
}

/// The parts of a `CREATE SECRET` statement.
pub struct SecretSpec<'a> {
    /// The secret's name.
    pub name: &'a str,
    /// The secret type, written unquoted.
    pub kind: &'a str,
    /// The provider, if any.
    pub provider: Option<&'a str>,
    /// Whether it is PERSISTENT rather than TEMPORARY.
    pub persistent: bool,
    /// The path prefixes it applies to; none for DuckDB's default.
    pub scope: &'a [String],
    /// Key/value parameters, keys already checked to be words.
    pub params: &'a [(String, Value)],
}

/// `CREATE OR REPLACE ... SECRET`; secret values are masked in the shown
/// form.
pub fn create_secret(spec: &SecretSpec) -> Stmt {
    Stmt::build(|r| {
        let mut parts = vec![format!("TYPE {}", spec.kind)];
        if let Some(p) = spec.provider {
            parts.push(format!("PROVIDER {p}"));
        }
        match spec.scope {
            [] => {}
            [one] => parts.push(format!("SCOPE {}", literal(one))),
            many => parts.push(format!(
                "SCOPE [{}]",
                many.iter().map(|s| literal(s)).collect::<Vec<_>>().join(", ")
            )),
        }
        parts.extend(
            spec.params.iter().map(|(k, v)| format!("{} {}", k.to_uppercase(), value(v, r))),
        );
        format!(
            "CREATE OR REPLACE {} SECRET {} ({})",
            if spec.persistent { "PERSISTENT" } else { "TEMPORARY" },
            ident(spec.name),
            parts.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_identifiers_and_literals() {
        assert_eq!(ident(r#"we"ird"#), r#""we""ird""#);
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(qualified(&["main", "a.b"]), r#""main"."a.b""#);
    }

    #[test]
    fn words() {
        assert!(is_word("hive_partitioning") && is_word("_x1"));
        assert!(!is_word("") && !is_word("1x") && !is_word("a=1) ;--") && !is_word("a b"));
    }

    #[test]
    fn renders_scans_with_options() {
        let opts = vec![
            ("header".to_string(), Value::Bool(true)),
            ("columns".to_string(), Value::Struct(vec![("a".into(), Value::Str("INT".into()))])),
            ("files".to_string(), Value::List(vec![Value::Int(1), Value::Float(2.5)])),
        ];
        assert_eq!(
            scan("read_csv", "d/x.csv", &opts),
            "SELECT * FROM read_csv('d/x.csv', header = true, columns = {'a': 'INT'}, files = [1, 2.5])"
        );
    }

    #[test]
    fn secrets_are_masked_in_the_shown_form() {
        let params = vec![
            ("key_id".to_string(), Value::Secret(Secret::new("AKIA-marker"))),
            ("region".to_string(), Value::Str("eu-west-1".into())),
        ];
        let s = create_secret(&SecretSpec {
            name: "My S3",
            kind: "s3",
            provider: Some("config"),
            persistent: false,
            scope: &["s3://a".to_string(), "s3://b".to_string()],
            params: &params,
        });
        assert_eq!(
            s.shown(),
            "CREATE OR REPLACE TEMPORARY SECRET \"My S3\" (TYPE s3, PROVIDER config, SCOPE ['s3://a', 's3://b'], KEY_ID '***', REGION 'eu-west-1')"
        );
        assert!(s.sql().contains("KEY_ID 'AKIA-marker'"));
        assert!(!format!("{s} {s:?}").contains("marker"));
    }

    #[test]
    fn attach_statements() {
        let s = attach(
            &Value::Str("/d/x.db".into()),
            "lite",
            &[
                AttachOption::Word("TYPE".into(), "sqlite".into()),
                AttachOption::Flag("READ_ONLY".into()),
            ],
        );
        assert_eq!(s.sql(), "ATTACH IF NOT EXISTS '/d/x.db' AS \"lite\" (TYPE sqlite, READ_ONLY)");
    }
}
