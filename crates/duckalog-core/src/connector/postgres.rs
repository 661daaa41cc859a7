//! PostgreSQL databases, through DuckDB's postgres_scanner extension.
//!
//! The connection goes in the ATTACH target as a libpq key=value string
//! (DuckDB takes no host or port options), or comes from a named postgres
//! secret. `connect_timeout` is always set, so an unreachable server costs
//! seconds, not minutes.

use super::{parse, AttachSpec, Connector, Context, KeyError, Table};
use crate::lax;
use crate::secrets::Secret;
use crate::sql::{AttachOption, Value};
use serde::Deserialize;
use std::collections::BTreeMap;

pub struct Postgres;

/// How to reach a PostgreSQL server: fields, or a whole libpq string.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Conn {
    host: Option<String>,
    #[serde(default, deserialize_with = "lax::opt_u16")]
    port: Option<u16>,
    #[serde(alias = "dbname")]
    database: Option<String>,
    user: Option<String>,
    password: Option<String>,
    sslmode: Option<String>,
    #[serde(default, deserialize_with = "lax::opt_u32")]
    connect_timeout: Option<u32>,
    /// More libpq parameters (application_name, target_session_attrs, ...).
    #[serde(default)]
    options: BTreeMap<String, serde_json::Value>,
    /// A whole libpq connection string, instead of the fields above.
    dsn: Option<String>,
}

/// What only an attachment of kind postgres takes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Attach {
    /// The schema to attach; all schemas when not given.
    schema: Option<String>,
    #[serde(default = "yes", deserialize_with = "lax::bool")]
    read_only: bool,
    /// A postgres secret that holds the connection, instead of the fields.
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

/// libpq parameters that carry a credential, wherever they are given.
const CREDENTIALS: &[&str] = &["password", "sslpassword"];

fn is_credential(param: &str) -> bool {
    CREDENTIALS.contains(&param.to_ascii_lowercase().as_str())
}

fn key_err(key: &str, message: &str) -> KeyError {
    KeyError { key: key.into(), message: message.into() }
}

impl Conn {
    fn has_fields(&self) -> bool {
        [&self.host, &self.database, &self.user, &self.password, &self.sslmode]
            .iter()
            .any(|f| f.is_some())
            || self.port.is_some()
    }

    /// The libpq connection string, with `connect_timeout` always set. Without
    /// `own_port`, a missing port is left to a secret or the dsn.
    pub(super) fn libpq(
        &self,
        own_port: bool,
        timeout: std::time::Duration,
    ) -> Result<String, KeyError> {
        if self.dsn.is_some() && self.has_fields() {
            return Err(key_err(
                "dsn",
                "give either dsn or the connection fields (host, port, ...)",
            ));
        }
        let mut parts: Vec<String> = self.dsn.iter().map(|d| d.trim().to_string()).collect();
        let mut push = |k: &str, v: &str| parts.push(format!("{k}={}", libpq_value(v)));
        if let Some(h) = &self.host {
            push("host", h);
        }
        match self.port {
            Some(p) => push("port", &p.to_string()),
            None if own_port && self.dsn.is_none() => push("port", "5432"),
            None => {}
        }
        if let Some(d) = &self.database {
            push("dbname", d);
        }
        if let Some(u) = &self.user {
            push("user", u);
        }
        if let Some(p) = &self.password {
            Secret::new(p.clone());
            push("password", p);
        }
        if let Some(s) = &self.sslmode {
            push("sslmode", s);
        }
        for (k, v) in &self.options {
            if !crate::sql::is_word(k) {
                return Err(key_err(
                    &format!("options.{k}"),
                    "libpq parameter names are plain words",
                ));
            }
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => {
                    return Err(key_err(
                        &format!("options.{k}"),
                        "takes a string, number or boolean",
                    ))
                }
            };
            if is_credential(k) {
                Secret::new(text.clone());
            }
            push(k, &text);
        }
        let given = |k: &str| {
            parts.iter().any(|p| p.split_whitespace().any(|w| w.starts_with(&format!("{k}="))))
        };
        if !given("connect_timeout") {
            // libpq counts whole seconds; the attachment's own watchdog keeps the fraction.
            let t = self.connect_timeout.unwrap_or(timeout.as_secs_f64().ceil() as u32).to_string();
            parts.push(format!("connect_timeout={t}"));
        }
        Ok(parts.join(" "))
    }

    /// The server to probe, when it is reached over TCP.
    pub(super) fn probe(&self) -> Option<(String, u16)> {
        let host = self.host.as_ref().filter(|h| !h.starts_with('/') && !h.contains(','))?;
        Some((host.clone(), self.port.unwrap_or(5432)))
    }

    /// Whether the string holds a credential.
    pub(super) fn has_credentials(&self) -> bool {
        self.password.is_some()
            || self.dsn.is_some()
            || self.options.keys().any(|k| is_credential(k))
    }
}

/// Splits `table` into the keys named in `keys` and the rest.
pub(super) fn split(table: &Table, keys: &[&str]) -> (Table, Table) {
    let (mine, rest): (Vec<_>, Vec<_>) =
        table.clone().into_iter().partition(|(k, _)| keys.contains(&k.as_str()));
    (mine.into_iter().collect(), rest.into_iter().collect())
}

impl Connector for Postgres {
    fn kind(&self) -> &str {
        "postgres"
    }

    fn extensions(&self) -> Vec<String> {
        vec!["postgres_scanner".into()]
    }

    fn attachment(&self, table: &Table, ctx: &Context) -> Result<AttachSpec, KeyError> {
        let (mine, rest) = split(table, &["schema", "read_only", "secret"]);
        let a: Attach = parse(&mine)?;
        let conn: Conn = parse(&rest)?;
        if a.secret.is_some() && (conn.has_fields() || conn.dsn.is_some()) {
            return Err(key_err(
                "secret",
                "give either secret or the connection (host, port, ..., or dsn)",
            ));
        }
        let text = conn.libpq(a.secret.is_none(), ctx.timeout)?;
        let mut options = vec![AttachOption::Word("TYPE".into(), "postgres".into())];
        if a.read_only {
            options.push(AttachOption::Flag("READ_ONLY".into()));
        }
        if let Some(s) = a.schema {
            options.push(AttachOption::Value("SCHEMA".into(), Value::Str(s)));
        }
        let secrets: Vec<String> = a.secret.iter().cloned().collect();
        if let Some(name) = a.secret {
            options.push(AttachOption::Value("SECRET".into(), Value::Str(name)));
        }
        let target = if conn.has_credentials() {
            Value::Secret(Secret::new(text))
        } else {
            Value::Str(text)
        };
        Ok(AttachSpec {
            target,
            options,
            extensions: self.extensions(),
            local_file: None,
            probe: conn.probe(),
            secrets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> Result<AttachSpec, KeyError> {
        let ctx = Context {
            base_dir: std::path::Path::new("/"),
            timeout: std::time::Duration::from_secs(10),
        };
        Postgres.attachment(json.as_object().unwrap(), &ctx)
    }

    #[test]
    fn builds_a_quoted_connection_string_with_a_timeout() {
        let s = spec(serde_json::json!({"host": "db.local", "database": "app", "user": "me", "password": "p w'x", "schema": "s"})).unwrap();
        let Value::Secret(target) = &s.target else { panic!("the target holds a password") };
        assert_eq!(
            target.expose(),
            r"host=db.local port=5432 dbname=app user=me password='p w\'x' connect_timeout=10"
        );
        assert!(s.options.contains(&AttachOption::Value("SCHEMA".into(), Value::Str("s".into()))));
        assert!(s.options.contains(&AttachOption::Flag("READ_ONLY".into())));
    }

    #[test]
    fn a_password_among_the_options_makes_the_string_a_credential() {
        for key in ["password", "sslpassword"] {
            let s = spec(serde_json::json!({"host": "h", "options": {key: "MKoptpass"}})).unwrap();
            let Value::Secret(t) = &s.target else { panic!("options.{key} holds a credential") };
            assert!(t.expose().contains("MKoptpass"));
            assert_eq!(crate::secrets::scrub("no MKoptpass here"), "no *** here");
        }
        let s =
            spec(serde_json::json!({"host": "h", "options": {"application_name": "app"}})).unwrap();
        assert!(matches!(s.target, Value::Str(_)));
    }

    #[test]
    fn a_dsn_or_a_secret_instead_of_fields() {
        let s = spec(serde_json::json!({"dsn": "host=h connect_timeout=3"})).unwrap();
        let Value::Secret(t) = &s.target else { panic!("a dsn may hold a password") };
        assert_eq!(t.expose(), "host=h connect_timeout=3");
        assert!(spec(serde_json::json!({"dsn": "host=h", "port": 1})).is_err());
        let s = spec(serde_json::json!({"secret": "pg", "read_only": false})).unwrap();
        assert_eq!(s.target, Value::Str("connect_timeout=10".into()));
        assert!(spec(serde_json::json!({"secret": "pg", "host": "h"})).is_err());
        assert_eq!(spec(serde_json::json!({"hots": "h"})).unwrap_err().key, "hots");
    }
}
