//! What crosses the ABI, as JSON: the types both sides serialize, so that the
//! host and every plugin agree on one format by construction.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What `describe()` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Description {
    /// The attachment kind the plugin handles (`[[attachments.<kind>]]`).
    pub kind: String,
    /// The plugin's own version, shown by `duckalog connectors`.
    #[serde(default)]
    pub version: String,
    /// The DuckDB extensions every attachment of this kind needs.
    #[serde(default)]
    pub extensions: Vec<String>,
}

/// What `attachment(input)` is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The attachment's config table without `alias`, its strings interpolated.
    pub table: Map<String, Value>,
    /// The folder of the config that defines the attachment.
    pub base_dir: String,
}

/// What `attachment(input)` returns: `{"ok": spec}` or `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reply {
    /// The table is valid, and this is how to attach it.
    Ok(Spec),
    /// The table is not valid.
    Error(KeyError),
}

/// How to attach one database. The plugin returns data, never SQL: the host
/// checks and quotes everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// The ATTACH target (a path, a URL, a connection string).
    pub target: String,
    /// The target holds a credential: it is masked wherever it is shown.
    #[serde(default)]
    pub target_is_secret: bool,
    /// ATTACH options, checked and quoted by the host.
    #[serde(default)]
    pub options: Vec<AttachOption>,
    /// Extensions this attachment needs beyond the described ones.
    #[serde(default)]
    pub extensions: Vec<String>,
    /// A server the host may try to reach before attaching.
    #[serde(default)]
    pub probe: Option<Probe>,
    /// Names of DuckDB secrets the attachment reads.
    #[serde(default)]
    pub secrets: Vec<String>,
}

/// One ATTACH option: `{"flag": "READ_ONLY"}`, `{"word": ["TYPE", "mysql"]}`
/// or `{"value": ["SCHEMA", "s"]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttachOption {
    /// A bare option.
    Flag(String),
    /// An option whose value is a keyword, written unquoted.
    Word(String, String),
    /// An option whose value is a literal.
    Value(String, Literal),
}

/// The value of an option, written as a SQL literal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Literal {
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
}

/// A host and port to probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    /// The host name or address.
    pub host: String,
    /// The TCP port.
    pub port: u16,
}

/// An error about one key of the attachment's table (empty: the whole table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyError {
    /// The key path inside the table; empty for the table itself.
    #[serde(default)]
    pub key: String,
    /// What is wrong, for the user to read.
    pub message: String,
}

impl KeyError {
    /// An error about `key` (empty for the table itself).
    pub fn new(key: &str, message: impl Into<String>) -> Self {
        KeyError { key: key.to_string(), message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_documented_format_reads_and_writes_back() {
        let text = json!({"ok": {"target": "host=h password=p", "target_is_secret": true,
            "options": [{"word": ["TYPE", "mysql"]}, {"flag": "READ_ONLY"}, {"value": ["SCHEMA", "s"]}],
            "extensions": ["mysql_scanner"], "probe": {"host": "db", "port": 3306}, "secrets": []}});
        let reply: Reply = serde_json::from_value(text.clone()).unwrap();
        let Reply::Ok(spec) = &reply else { panic!("{reply:?}") };
        assert_eq!(spec.options[2], AttachOption::Value("SCHEMA".into(), Literal::Str("s".into())));
        assert_eq!(serde_json::to_value(&reply).unwrap(), text);
        let error: Reply =
            serde_json::from_str(r#"{"error": {"key": "port", "message": "m"}}"#).unwrap();
        assert_eq!(error, Reply::Error(KeyError::new("port", "m")));
        let minimal: Reply =
            serde_json::from_str(r#"{"ok": {"target": ":memory:", "probe": null}}"#).unwrap();
        assert_eq!(minimal, Reply::Ok(Spec { target: ":memory:".into(), ..Spec::default() }));
    }
}
