//! Iceberg catalogs, through DuckDB's iceberg extension: a REST catalog at a
//! URI, or AWS Glue and S3 Tables, which the extension locates itself.
//!
//! DuckDB 1.5.5 attaches a catalog with `ATTACH '<warehouse>' AS c (TYPE
//! iceberg, ...)` and refuses any option it does not handle, so options are
//! checked here against the ones it takes (read off the extension) and only
//! their names, never the config's keys, reach SQL.

use super::{parse, AttachSpec, Connector, Context, KeyError, Table};
use crate::lax;
use crate::secrets::Secret;
use crate::sql::{AttachOption, Value};
use serde::Deserialize;
use std::collections::BTreeMap;

pub struct Iceberg;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(default)]
    catalog_type: Option<String>,
    /// The REST catalog's base URL (the extension's ENDPOINT).
    #[serde(default)]
    uri: Option<String>,
    /// The warehouse the catalog serves; for Glue the account (and catalog),
    /// for S3 Tables the table bucket's ARN.
    #[serde(default)]
    warehouse: Option<String>,
    /// An iceberg secret (OAuth2), or for SigV4 catalogs an s3 secret.
    #[serde(default)]
    secret: Option<String>,
    #[serde(default = "yes", deserialize_with = "lax::bool")]
    read_only: bool,
    #[serde(default)]
    options: BTreeMap<String, serde_json::Value>,
}

fn yes() -> bool {
    true
}

/// What an option's value may be.
#[derive(Clone, Copy)]
enum Takes {
    Bool,
    Text,
    /// Text that is a credential: masked wherever the statement is shown.
    Credential,
    OneOf(&'static [&'static str]),
}

/// The ATTACH options of DuckDB 1.5.5's iceberg extension, besides ENDPOINT,
/// ENDPOINT_TYPE and SECRET, which have keys of their own.
const OPTIONS: &[(&str, Takes)] = &[
    ("authorization_type", Takes::OneOf(&["oauth2", "sigv4", "none"])),
    ("access_delegation_mode", Takes::OneOf(&["vended_credentials", "none"])),
    ("default_schema", Takes::Text),
    ("support_nested_namespaces", Takes::Bool),
    ("stage_create_tables", Takes::Bool),
    ("disable_multi_table_commit", Takes::Bool),
    ("skip_create_table_metadata_updates", Takes::Bool),
    ("remove_files_on_delete", Takes::Bool),
    ("purge_requested", Takes::Bool),
    ("encode_entire_prefix", Takes::Bool),
    ("max_table_staleness", Takes::Text),
    ("client_id", Takes::Text),
    ("client_secret", Takes::Credential),
    ("token", Takes::Credential),
    ("oauth2_server_uri", Takes::Text),
    ("oauth2_scope", Takes::Text),
    ("oauth2_grant_type", Takes::OneOf(&["client_credentials"])),
];

/// The options DuckDB reads only with OAuth2 authorization.
const OAUTH2: &[&str] = &[
    "client_id",
    "client_secret",
    "token",
    "oauth2_server_uri",
    "oauth2_scope",
    "oauth2_grant_type",
];

/// pyiceberg's names for the same settings, as configs of the Python tool
/// write them.
const PYICEBERG: &[(&str, &str)] =
    &[("scope", "oauth2_scope"), ("oauth2-server-uri", "oauth2_server_uri")];

fn key_err(key: &str, message: impl Into<String>) -> KeyError {
    KeyError { key: key.into(), message: message.into() }
}

/// One checked option: the config's key, DuckDB's name, the value.
type Checked = (String, &'static str, Value);

/// Reads `options` into DuckDB option names and values.
fn options(given: BTreeMap<String, serde_json::Value>) -> Result<Vec<Checked>, KeyError> {
    let mut out: Vec<Checked> = Vec::new();
    for (key, v) in given {
        let at = format!("options.{key}");
        let lower = key.to_ascii_lowercase();
        let pairs = if lower == "credential" {
            // pyiceberg's `client_id:client_secret` in one string.
            let Some((id, secret)) = v.as_str().and_then(|s| s.split_once(':')) else {
                return Err(key_err(&at, "takes \"client_id:client_secret\""));
            };
            vec![
                ("client_id", Value::Str(id.to_string())),
                ("client_secret", Value::Secret(Secret::new(secret))),
            ]
        } else {
            vec![option(&lower, &v).map_err(|m| key_err(&at, m))?]
        };
        for (name, value) in pairs {
            if out.iter().any(|(_, o, _)| *o == name) {
                return Err(key_err(&at, format!("gives {name} a second time")));
            }
            out.push((at.clone(), name, value));
        }
    }
    Ok(out)
}

/// One option other than `credential`: its DuckDB name and checked value.
fn option(lower: &str, v: &serde_json::Value) -> Result<(&'static str, Value), String> {
    let name = PYICEBERG.iter().find(|(p, _)| *p == lower).map_or(lower, |(_, d)| d);
    let Some(&(name, takes)) = OPTIONS.iter().find(|(o, _)| *o == name) else {
        let hint = if lower.starts_with("s3.") || lower.starts_with("client.") {
            "; storage credentials go in an s3 secret under duckdb.secrets"
        } else {
            ""
        };
        let known: Vec<&str> = OPTIONS.iter().map(|(o, _)| *o).chain(["credential"]).collect();
        return Err(format!(
            "not an option of DuckDB's iceberg catalogs{hint}; they take {}",
            known.join(", ")
        ));
    };
    let text = match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let value = match (takes, v, text) {
        (Takes::Bool, serde_json::Value::Bool(b), _) => Value::Bool(*b),
        (Takes::Bool, _, Some(t)) if t == "true" || t == "false" => Value::Bool(t == "true"),
        (Takes::Bool, _, _) => return Err("takes true or false".into()),
        (Takes::OneOf(allowed), _, Some(t))
            if allowed.contains(&t.to_ascii_lowercase().as_str()) =>
        {
            Value::Str(t.to_ascii_lowercase())
        }
        (Takes::OneOf(allowed), _, _) => {
            return Err(format!("takes one of {}", allowed.join(", ")))
        }
        (Takes::Text, _, Some(t)) => Value::Str(t),
        (Takes::Credential, _, Some(t)) => Value::Secret(Secret::new(t)),
        (Takes::Text | Takes::Credential, _, None) => return Err("takes a string".into()),
    };
    Ok((name, value))
}

/// The host and port of an http(s) URL, to probe before attaching.
fn host_port(url: &str) -> Option<(String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let default = match scheme.to_ascii_lowercase().as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next()?.rsplit('@').next()?;
    if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']')?;
        let port = after.strip_prefix(':').map_or(Some(default), |p| p.parse().ok())?;
        return Some((host.to_string(), port));
    }
    match authority.split_once(':') {
        Some((host, port)) => Some((host.to_string(), port.parse().ok()?)),
        None if !authority.is_empty() => Some((authority.to_string(), default)),
        None => None,
    }
}

impl Connector for Iceberg {
    fn kind(&self) -> &str {
        "iceberg"
    }

    fn extensions(&self) -> Vec<String> {
        // The iceberg extension loads these itself; naming them lets a
        // missing file be reported before anything is attached.
        vec!["httpfs".into(), "avro".into(), "iceberg".into()]
    }

    fn attachment(&self, table: &Table, _ctx: &Context) -> Result<AttachSpec, KeyError> {
        let e: Entry = parse(table)?;
        let opts = options(e.options)?;
        let given = |name: &str| opts.iter().find(|(_, o, _)| *o == name).map(|(_, _, v)| v);
        let catalog_type = e.catalog_type.as_deref().unwrap_or("rest").trim().to_ascii_lowercase();
        let mut options = vec![AttachOption::Word("TYPE".into(), "iceberg".into())];
        let mut probe = None;
        let authorization = match catalog_type.as_str() {
            "rest" => {
                let uri = e.uri.filter(|u| !u.trim().is_empty()).ok_or_else(|| {
                    key_err("uri", "a rest catalog needs uri, the catalog's base URL (such as http://catalog:8181)")
                })?;
                probe = host_port(&uri);
                let endpoint = if crate::paths::url_has_credentials(&uri) { Value::Secret(Secret::new(uri)) } else { Value::Str(uri) };
                options.push(AttachOption::Value("ENDPOINT".into(), endpoint));
                match given("authorization_type") {
                    Some(Value::Str(a)) => a.clone(),
                    _ => "oauth2".to_string(),
                }
            }
            "glue" | "s3_tables" => {
                if e.uri.is_some() {
                    return Err(key_err("uri", format!("DuckDB finds the {catalog_type} endpoint itself; leave uri out")));
                }
                if given("authorization_type").is_some() {
                    return Err(key_err("options.authorization_type", format!("{catalog_type} catalogs always use sigv4")));
                }
                if e.warehouse.as_deref().is_none_or(|w| w.trim().is_empty()) {
                    let what = if catalog_type == "glue" { "the AWS account id (and catalog)" } else { "the table bucket's ARN" };
                    return Err(key_err("warehouse", format!("a {catalog_type} catalog needs warehouse: {what}")));
                }
                options.push(AttachOption::Value("ENDPOINT_TYPE".into(), Value::Str(catalog_type.clone())));
                "sigv4".to_string()
            }
            other => {
                return Err(key_err(
                    "catalog_type",
                    format!(
                        "{other:?} is not a catalog DuckDB can attach; use rest (an Iceberg REST catalog at uri), \
                         glue or s3_tables, or read a single table with a view of source \"iceberg\" and its uri"
                    ),
                ))
            }
        };
        if authorization != "oauth2" {
            if let Some((key, _, _)) = opts.iter().find(|(_, o, _)| OAUTH2.contains(o)) {
                return Err(key_err(
                    key,
                    format!("is read only with authorization_type oauth2, not {authorization}"),
                ));
            }
        }
        if authorization == "none" && e.secret.is_some() {
            return Err(key_err(
                "secret",
                "a catalog with authorization_type none takes no secret",
            ));
        }
        let secrets: Vec<String> = e.secret.iter().cloned().collect();
        if let Some(s) = e.secret {
            options.push(AttachOption::Value("SECRET".into(), Value::Str(s)));
        }
        options.extend(
            opts.into_iter().map(|(_, o, v)| AttachOption::Value(o.to_ascii_uppercase(), v)),
        );
        if e.read_only {
            options.push(AttachOption::Flag("READ_ONLY".into()));
        }
        let target = Value::Str(e.warehouse.unwrap_or_default());
        Ok(AttachSpec {
            target,
            options,
            extensions: self.extensions(),
            local_file: None,
            probe,
            secrets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::attach;

    fn sql(json: serde_json::Value) -> Result<String, KeyError> {
        let ctx = Context {
            base_dir: std::path::Path::new("/"),
            timeout: std::time::Duration::from_secs(10),
        };
        let s = Iceberg.attachment(json.as_object().unwrap(), &ctx)?;
        Ok(attach(&s.target, "cat", &s.options).shown().to_string())
    }

    #[test]
    fn a_rest_catalog_with_checked_options() {
        let s = sql(serde_json::json!({
            "uri": "http://127.0.0.1:8181", "warehouse": "wh",
            "options": {"ACCESS_DELEGATION_MODE": "NONE", "credential": "me:pw", "support_nested_namespaces": "true"}
        }))
        .unwrap();
        assert_eq!(
            s,
            "ATTACH IF NOT EXISTS 'wh' AS \"cat\" (TYPE iceberg, ENDPOINT 'http://127.0.0.1:8181', \
             ACCESS_DELEGATION_MODE 'none', CLIENT_ID 'me', CLIENT_SECRET '***', SUPPORT_NESTED_NAMESPACES true, READ_ONLY)"
        );
        let s = sql(
            serde_json::json!({"uri": "https://c.example", "secret": "ice", "read_only": false}),
        )
        .unwrap();
        assert_eq!(s, "ATTACH IF NOT EXISTS '' AS \"cat\" (TYPE iceberg, ENDPOINT 'https://c.example', SECRET 'ice')");
    }

    #[test]
    fn glue_and_s3_tables_find_their_endpoint() {
        let s = sql(serde_json::json!({"catalog_type": "s3_tables", "warehouse": "arn:aws:s3tables:us-east-1:1:bucket/b"})).unwrap();
        assert!(s.contains("ENDPOINT_TYPE 's3_tables'"), "{s}");
        assert_eq!(sql(serde_json::json!({"catalog_type": "glue"})).unwrap_err().key, "warehouse");
        assert_eq!(
            sql(serde_json::json!({"catalog_type": "glue", "warehouse": "1", "uri": "http://x"}))
                .unwrap_err()
                .key,
            "uri"
        );
    }

    #[test]
    fn refuses_what_duckdb_would_not_take() {
        assert_eq!(
            sql(serde_json::json!({"catalog_type": "hive", "uri": "thrift://h"})).unwrap_err().key,
            "catalog_type"
        );
        assert_eq!(sql(serde_json::json!({})).unwrap_err().key, "uri");
        let e =
            sql(serde_json::json!({"uri": "http://h", "options": {"x) ; DROP": 1}})).unwrap_err();
        assert_eq!(e.key, "options.x) ; DROP");
        let e = sql(serde_json::json!({"uri": "http://h", "options": {"s3.endpoint": "x"}}))
            .unwrap_err();
        assert!(e.message.contains("s3 secret"), "{}", e.message);
        let e = sql(serde_json::json!({"uri": "http://h", "options": {"authorization_type": "none", "token": "t"}})).unwrap_err();
        assert_eq!(e.key, "options.token");
        let e = sql(serde_json::json!({"uri": "http://h", "options": {"authorization_type": "sigv4", "Scope": "x"}})).unwrap_err();
        assert_eq!(e.key, "options.Scope");
        let e = sql(serde_json::json!({"uri": "http://h", "secret": "s", "options": {"authorization_type": "none"}})).unwrap_err();
        assert_eq!(e.key, "secret");
        assert_eq!(
            sql(serde_json::json!({"uri": "http://h", "options": {"purge_requested": "maybe"}}))
                .unwrap_err()
                .key,
            "options.purge_requested"
        );
        let e = sql(serde_json::json!({"uri": "http://h", "options": {"credential": "a:b", "client_id": "c"}})).unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.message.as_str()),
            ("options.credential", "gives client_id a second time")
        );
    }

    #[test]
    fn probes_the_catalog_server() {
        assert_eq!(host_port("http://127.0.0.1:8181/api"), Some(("127.0.0.1".into(), 8181)));
        assert_eq!(host_port("https://u:p@catalog.example"), Some(("catalog.example".into(), 443)));
        assert_eq!(host_port("http://[::1]:9/x"), Some(("::1".into(), 9)));
        assert_eq!(host_port("glue.us-east-1.amazonaws.com/iceberg"), None);
    }
}
