//! MySQL and MariaDB attachments through DuckDB's mysql extension, as a
//! duckalog connector plugin:
//!
//! ```toml
//! [[attachments.mysql]]
//! alias = "shop"
//! host = "127.0.0.1"
//! port = 3306
//! database = "shop"
//! user = "reader"
//! password = "${env:MYSQL_PASSWORD}"
//! ```

use duckalog_connector_sdk::{export_connector, AttachOption, Connector, KeyError, Probe, Spec};
use serde_json::{Map, Value};

pub struct MySql;

const KEYS: &[&str] =
    &["host", "port", "database", "user", "password", "socket", "ssl_mode", "read_only"];

/// A value of DuckDB's key=value connection string, quoted when needed.
fn conn_value(v: &str) -> String {
    if !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || "._-/:".contains(c)) {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

impl Connector for MySql {
    const KIND: &'static str = "mysql";

    fn extensions() -> Vec<String> {
        vec!["mysql_scanner".into()]
    }

    fn attachment(table: &Map<String, Value>, _base_dir: &str) -> Result<Spec, KeyError> {
        if let Some(unknown) = table.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(KeyError::new(
                unknown,
                format!("unknown field; mysql attachments take {}", KEYS.join(", ")),
            ));
        }
        let text = |k: &str| -> Result<Option<String>, KeyError> {
            match table.get(k) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(Value::Number(n)) => Ok(Some(n.to_string())),
                Some(_) => Err(KeyError::new(k, "takes a string")),
            }
        };
        let port = match text("port")? {
            None => 3306,
            Some(p) => p
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| KeyError::new("port", "expected a port number (1 to 65535)"))?,
        };
        let read_only = match table.get("read_only") {
            None => true,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) if s == "true" || s == "false" => s == "true",
            Some(_) => return Err(KeyError::new("read_only", "expected true or false")),
        };
        let mut parts = vec![format!("port={port}")];
        for key in ["host", "database", "user", "password", "socket", "ssl_mode"] {
            if let Some(v) = text(key)? {
                parts.push(format!("{key}={}", conn_value(&v)));
            }
        }
        let mut options = vec![AttachOption::Word("TYPE".into(), "mysql".into())];
        if read_only {
            options.push(AttachOption::Flag("READ_ONLY".into()));
        }
        let probe = text("host")?.filter(|h| !h.starts_with('/')).map(|host| Probe { host, port });
        Ok(Spec {
            probe,
            target: parts.join(" "),
            target_is_secret: table.contains_key("password"),
            options,
            extensions: Self::extensions(),
            secrets: Vec::new(),
        })
    }
}

export_connector!(MySql);
