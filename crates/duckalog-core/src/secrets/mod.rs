//! Credentials that must never be printed.
//!
//! A [`Secret`] prints as `***` through `Debug`, `Display` and `Serialize`; only
//! [`Secret::expose`] gives the value, and only SQL that is executed uses it.
//! Every value that becomes a `Secret` is also remembered process-wide so that
//! [`scrub`] can remove it from text duckalog did not write itself: DuckDB
//! echoes statement text in some error messages.

pub mod digest;
pub mod kind;

use std::fmt;
use std::sync::{Mutex, OnceLock};

/// What a secret value is shown as.
pub const MASK: &str = "***";

/// Values shorter than this are too likely to occur by chance in ordinary text
/// to be scrubbed from foreign messages; duckalog itself never renders them.
const MIN_SCRUB_LEN: usize = 4;

/// A credential: it prints as [`MASK`], and only [`Secret::expose`] gives the
/// value.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value` and remembers it, so that [`scrub`] masks it from then on.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        remember(&value);
        Secret(value)
    }

    /// The value itself, for SQL that is executed; never print it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(MASK)
    }
}

fn registry() -> &'static Mutex<Vec<String>> {
    static REGISTRY: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(Vec::new()))
}

fn remember(value: &str) {
    if value.len() < MIN_SCRUB_LEN {
        return;
    }
    let mut known = registry().lock().unwrap_or_else(|e| e.into_inner());
    // DuckDB echoes values the way they were written in SQL, with quotes
    // doubled; inside a list or a struct cast to text with `\` before `'` and
    // `\`; and in JSON results escaped as JSON strings are.
    let json = serde_json::Value::from(value).to_string();
    let nested = value.replace('\\', "\\\\").replace('\'', "\\'");
    let forms =
        [value.to_string(), value.replace('\'', "''"), json[1..json.len() - 1].to_string(), nested];
    for form in forms {
        if !known.contains(&form) {
            known.push(form);
        }
    }
    // Longest first, so that a value containing another is removed whole.
    known.sort_by_key(|k| std::cmp::Reverse(k.len()));
}

/// Every secret value seen so far, in each form DuckDB may echo it, longest
/// first: for a program that masks messages itself.
pub fn known() -> Vec<String> {
    registry().lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Replaces every secret value seen so far in `text` with `***`.
pub fn scrub(text: &str) -> String {
    let known = registry().lock().unwrap_or_else(|e| e.into_inner());
    let mut out = text.to_string();
    for value in known.iter() {
        if out.contains(value.as_str()) {
            out = out.replace(value.as_str(), MASK);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_formats_the_value() {
        let s = Secret::new("hunter2-value");
        assert_eq!(format!("{s} {s:?}"), "*** ***");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"***\"");
        assert_eq!(s.expose(), "hunter2-value");
    }

    #[test]
    fn scrubs_the_forms_duckdb_renders_in_results() {
        Secret::new(r#"q"u\o't-s3cret"#);
        let nested = r#"['q"u\\o\'t-s3cret']"#;
        let json = r#"["q\"u\\o't-s3cret"]"#;
        assert_eq!(scrub(nested), "['***']");
        assert_eq!(scrub(json), "[\"***\"]");
    }

    #[test]
    fn scrubs_plain_and_sql_quoted_forms() {
        Secret::new("it's-a-secret");
        let msg = "Parser Error near SECRET 'it''s-a-secret' and it's-a-secret";
        assert_eq!(scrub(msg), "Parser Error near SECRET '***' and ***");
    }
}
