//! PostgreSQL databases, through DuckDB's postgres_scanner extension.
//!
//! The connection goes in the ATTACH target as a libpq key=value string
//! (DuckDB takes no host or port options), or comes from a named postgres
//! secret. `connect_timeout` is always set, so an unreachable server costs
//! seconds, not minutes.

use super::{parse, AttachSpec, Connector, Context, KeyError, Table};
use crate::config::interp::de;
use crate::secret::Secret;
use crate::sql::{AttachOption, Value};
use serde::Deserialize;
use std::collections::BTreeMap;

pub struct Postgres;

/// Seconds libpq waits for a connection unless told otherwise.
const DEFAULT_CONNECT_TIMEOUT: u32 = 10;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    host: Option<String>,
    #[serde(default, deserialize_with = "de::opt_u16")]
    port: Option<u16>,
    #[serde(alias = "dbname")]
    database: Option<String>,
    user: Option<String>,
    password: Option<String>,
    sslmode: Option<String>,
    /// The schema to attach; all schemas when not given.
    schema: Option<String>,
    #[serde(default = "yes", deserialize_with = "de::bool")]
    read_only: bool,
    #[serde(default, deserialize_with = "de::opt_u32")]
    connect_timeout: Option<u32>,
    /// More libpq parameters (application_name, target_session_attrs, ...).
    #[serde(default)]
    options: BTreeMap<String, serde_json::Value>,
    /// A whole libpq connection string, instead of the fields above.
    dsn: Option<String>,
    /// A postgres secret that holds the connection, instead of the fields above.
    secret: Option<String>,
}

fn yes() -> bool {
    true
}

/// A libpq value: quoted when it holds anything but plain characters.
fn libpq_value(v: &str) -> String {
    if !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || "._-/:".contains(c)) {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

impl Connector for Postgres {
    fn kind(&self) -> &str {
        "postgres"
    }

    fn extensions(&self) -> Vec<String> {
        vec!["postgres_scanner".into()]
    }

    fn attachment(&self, table: &Table, _ctx: &Context) -> Result<AttachSpec, KeyError> {
        let e: Entry = parse(table)?;
        let fields = [&e.host, &e.database, &e.user, &e.password, &e.sslmode].iter().any(|f| f.is_some()) || e.port.is_some();
        let key_err = |key: &str, message: &str| KeyError { key: key.into(), message: message.into() };
        if e.dsn.is_some() && (fields || e.secret.is_some()) {
            return Err(key_err("dsn", "give either dsn, or the connection fields, or secret"));
        }
        if e.secret.is_some() && fields {
            return Err(key_err("secret", "give either secret or the connection fields (host, port, ...)"));
        }
        let mut parts: Vec<String> = Vec::new();
        if let Some(dsn) = &e.dsn {
            parts.push(dsn.trim().to_string());
        }
        let mut push = |k: &str, v: &str| parts.push(format!("{k}={}", libpq_value(v)));
        if let Some(h) = &e.host {
            push("host", h);
        }
        match e.port {
            Some(p) => push("port", &p.to_string()),
            // With a dsn or a secret, the port is theirs to give.
            None if e.dsn.is_none() && e.secret.is_none() => push("port", "5432"),
            None => {}
        }
        if let Some(d) = &e.database {
            push("dbname", d);
        }
        if let Some(u) = &e.user {
            push("user", u);
        }
        if let Some(p) = &e.password {
            Secret::new(p.clone());
            push("password", p);
        }
        if let Some(s) = &e.sslmode {
            push("sslmode", s);
        }
        for (k, v) in &e.options {
            if !crate::sql::is_word(k) {
                return Err(key_err(&format!("options.{k}"), "libpq parameter names are plain words"));
            }
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => return Err(key_err(&format!("options.{k}"), "takes a string, number or boolean")),
            };
            push(k, &text);
        }
        let given = |k: &str| parts.iter().any(|p| p.split_whitespace().any(|w| w.starts_with(&format!("{k}="))));
        if !given("connect_timeout") {
            let t = e.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT).to_string();
            parts.push(format!("connect_timeout={t}"));
        }
        let mut options = vec![AttachOption::Word("TYPE".into(), "postgres".into())];
        if e.read_only {
            options.push(AttachOption::Flag("READ_ONLY".into()));
        }
        if let Some(s) = e.schema {
            options.push(AttachOption::Value("SCHEMA".into(), Value::Str(s)));
        }
        let target = match e.secret {
            Some(name) => {
                options.push(AttachOption::Value("SECRET".into(), Value::Str(name)));
                // The secret holds the connection; only the timeout goes in the target.
                Value::Str(parts.join(" "))
            }
            None => Value::Secret(Secret::new(parts.join(" "))),
        };
        Ok(AttachSpec { target, options, extensions: self.extensions(), local_file: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> Result<AttachSpec, KeyError> {
        let ctx = Context { base_dir: std::path::Path::new("/") };
        Postgres.attachment(json.as_object().unwrap(), &ctx)
    }

    #[test]
    fn builds_a_quoted_connection_string_with_a_timeout() {
        let s = spec(serde_json::json!({"host": "db.local", "database": "app", "user": "me", "password": "p w'x", "schema": "s"})).unwrap();
        let Value::Secret(target) = &s.target else { panic!("the target holds a password") };
        assert_eq!(target.expose(), r"host=db.local port=5432 dbname=app user=me password='p w\'x' connect_timeout=10");
        assert!(s.options.contains(&AttachOption::Value("SCHEMA".into(), Value::Str("s".into()))));
        assert!(s.options.contains(&AttachOption::Flag("READ_ONLY".into())));
    }

    #[test]
    fn a_dsn_or_a_secret_instead_of_fields() {
        let s = spec(serde_json::json!({"dsn": "host=h connect_timeout=3"})).unwrap();
        let Value::Secret(t) = &s.target else { panic!() };
        assert_eq!(t.expose(), "host=h connect_timeout=3");
        let s = spec(serde_json::json!({"secret": "pg", "read_only": false})).unwrap();
        assert_eq!(s.target, Value::Str("connect_timeout=10".into()));
        assert!(spec(serde_json::json!({"secret": "pg", "host": "h"})).is_err());
        assert_eq!(spec(serde_json::json!({"hots": "h"})).unwrap_err().key, "hots");
    }
}
