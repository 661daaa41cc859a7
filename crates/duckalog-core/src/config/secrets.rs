//! `duckdb.secrets`: checked against the parameters DuckDB takes for each type
//! and provider before anything runs. Messages name keys, never values.

use super::model::{Origin, Scope, SecretEntry, Sourced};
use super::resolve::check_name;
use crate::error::Result;
use crate::secrets::kind::{self, SecretKind};
use crate::sql::{self, Value};
use std::collections::HashMap;

/// A DuckDB secret to create, checked against its type and provider.
#[derive(Debug, Clone)]
pub struct SecretDef {
    /// As configured; DuckDB stores it lower-cased.
    pub name: String,
    /// The secret type, lower-case (`s3`, `azure`, ...).
    pub kind: String,
    /// The provider, lower-case (`config`, `credential_chain`, ...).
    pub provider: String,
    /// Whether DuckDB stores it on disk instead of for the session only.
    pub persistent: bool,
    /// The path prefixes it applies to; empty for the type's default.
    pub scope: Vec<String>,
    /// Lower-case parameter names with their values; credentials are [`Value::Secret`].
    pub params: Vec<(String, Value)>,
    /// The extensions that must be loaded to create it.
    pub extensions: Vec<String>,
    /// Where it is defined, for messages.
    pub origin: Origin,
}

impl SecretDef {
    /// The `CREATE SECRET` statement; `persistent` may differ from the config
    /// (`doctor` creates every secret as temporary).
    pub fn statement(&self, persistent: bool) -> sql::Stmt {
        sql::create_secret(&sql::SecretSpec {
            name: &self.name,
            kind: &self.kind,
            provider: Some(&self.provider),
            persistent,
            scope: &self.scope,
            params: &self.params,
        })
    }
}

/// Parameters whose values are not credentials and may be shown. Every other
/// value is masked: a parameter duckalog does not know is not risked.
const SHOWN: &[&str] = &[
    "region",
    "endpoint",
    "url_style",
    "use_ssl",
    "url_compatibility_mode",
    "account_name",
    "account_id",
    "tenant_id",
    "client_id",
    "host",
    "port",
    "database",
    "dbname",
    "user",
    "username",
    "http_proxy",
    "http_proxy_username",
    "proxy_user_name",
    "requester_pays",
    "metadata_path",
    "data_path",
    "chain",
    "validation",
    "profile",
    "refresh",
    "ssl_mode",
    "sslmode",
    "socket",
    "kms_key_id",
    "oauth2_server_uri",
    "oauth2_scope",
    "oauth2_grant_type",
];

/// Parameters of [`SHOWN`] that DuckDB redacts for one type: (type, parameter).
const HIDDEN_FOR: &[(&str, &str)] = &[("iceberg", "client_id")];

/// Whether the value of `param` of a `kind` secret may be shown.
pub(super) fn shown(kind: &str, param: &str) -> bool {
    SHOWN.contains(&param)
        && !HIDDEN_FOR.iter().any(|(k, p)| kind.eq_ignore_ascii_case(k) && *p == param)
}

/// Parameters that take a table of names to values (rendered as a struct).
const TABLE_PARAMS: &[&str] = &["extra_http_headers", "metadata_parameters"];

pub(super) fn resolve(entries: Vec<Sourced<SecretEntry>>) -> Result<Vec<SecretDef>> {
    let mut out = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for Sourced { item: e, origin } in entries {
        let err = |k: &str, m: String| origin.error(k, m);
        let kind = kind::find(&e.kind).ok_or_else(|| {
            let known: Vec<&str> = kind::KINDS.iter().map(|k| k.name).collect();
            err("type", format!("unknown secret type; use one of {}", known.join(", ")))
        })?;
        let name = e.name.unwrap_or_else(|| kind.name.to_string()).trim().to_string();
        check_name(&name).map_err(|m| err("name", m))?;
        if let Some(first) = seen.insert(name.to_lowercase(), origin.key.clone()) {
            return Err(err(
                "name",
                format!("secret {name:?} is already defined by {first} (names are compared in lower case)"),
            ));
        }
        let mut params: Vec<(String, Value)> = Vec::new();
        for (k, v) in e.fields.into_iter().chain(e.options) {
            let lower = k.to_ascii_lowercase();
            if !sql::is_word(&lower) {
                return Err(err(&k, "secret parameter names are plain words".into()));
            }
            if params.iter().any(|(p, _)| *p == lower) {
                return Err(err(&k, "given twice".into()));
            }
            params.push((lower, v));
        }
        let provider =
            compat(kind, e.provider.as_deref(), &mut params).map_err(|(k, m)| err(&k, m))?;
        let p = kind.provider(&provider).ok_or_else(|| {
            let known: Vec<&str> = kind.providers.iter().map(|p| p.name).collect();
            err("provider", format!("{} secrets take provider {}", kind.name, known.join(", ")))
        })?;
        for (k, v) in &params {
            if !p.params.contains(&k.as_str()) {
                return Err(err(
                    k,
                    format!(
                        "not a parameter of {} secrets with provider {}; they take {}",
                        kind.name,
                        p.name,
                        p.params.join(", ")
                    ),
                ));
            }
            let table_ok = TABLE_PARAMS.contains(&k.as_str());
            if matches!(v, Value::List(_)) || (matches!(v, Value::Struct(_)) && !table_ok) {
                return Err(err(k, "takes a single value".into()));
            }
        }
        let has = |k: &&str| params.iter().any(|(p, _)| p == k);
        if !p.required.is_empty() && !p.required.iter().any(|group| group.iter().all(has)) {
            let groups: Vec<String> = p.required.iter().map(|g| g.join(" + ")).collect();
            return Err(err(
                "",
                format!(
                    "{} secrets with provider {} need {}",
                    kind.name,
                    p.name,
                    groups.join(", or ")
                ),
            ));
        }
        if has(&"key_id") != has(&"secret") && p.params.contains(&"key_id") {
            return Err(err("", "key_id and secret go together: give both or neither".into()));
        }
        let scope = match e.scope {
            None => Vec::new(),
            Some(Scope::One(s)) => vec![s],
            Some(Scope::Many(v)) => v,
        };
        let params = params
            .into_iter()
            .map(|(k, v)| {
                let v = if shown(kind.name, &k) { v } else { v.into_secret() };
                (k, v)
            })
            .collect();
        let mut extensions = vec![kind.extension.to_string()];
        extensions.extend(p.extension.map(str::to_string));
        out.push(SecretDef {
            name,
            kind: kind.name.to_string(),
            provider: p.name.to_string(),
            persistent: e.persistent,
            scope,
            params,
            extensions,
            origin,
        });
    }
    Ok(out)
}

/// Reads the Python tool's secret fields as that tool's documentation means
/// them, and returns the provider to use. Fails on fields DuckDB has no
/// equivalent for, naming the key.
fn compat(
    kind: &SecretKind,
    provider: Option<&str>,
    params: &mut Vec<(String, Value)>,
) -> Result<String, (String, String)> {
    let has = |params: &Vec<(String, Value)>, k: &str| params.iter().any(|(p, _)| p == k);
    let rename = |params: &mut Vec<(String, Value)>, from: &str, to: &str| {
        if !has(params, to) {
            if let Some(entry) = params.iter_mut().find(|(p, _)| p == from) {
                entry.0 = to.to_string();
            }
        }
    };
    match kind.name {
        "s3" | "r2" | "gcs" => {
            // DuckDB wants host[:port]; the scheme says whether to use TLS.
            let mut plain_http = false;
            if let Some((_, Value::Str(endpoint))) =
                params.iter_mut().find(|(p, _)| p == "endpoint")
            {
                if let Some(rest) = endpoint.strip_prefix("http://") {
                    *endpoint = rest.to_string();
                    plain_http = true;
                } else if let Some(rest) = endpoint.strip_prefix("https://") {
                    *endpoint = rest.to_string();
                }
            }
            if plain_http && !has(params, "use_ssl") {
                params.push(("use_ssl".into(), Value::Bool(false)));
            }
            if kind.name == "gcs" {
                for k in ["service_account_key", "json_key"] {
                    if has(params, k) {
                        return Err((k.into(), "DuckDB's gcs secrets take an HMAC key_id and secret, or provider credential_chain".into()));
                    }
                }
            }
        }
        "azure"
            if provider.is_none_or(|p| p.eq_ignore_ascii_case("config"))
                && has(params, "tenant_id") =>
        {
            return Ok("service_principal".into());
        }
        "http" if has(params, "header") => {
            return Err(("header".into(), "use extra_http_headers = { Name = \"value\" }".into()));
        }
        "postgres" | "mysql" => {
            if has(params, "connection_string") {
                return Err((
                    "connection_string".into(),
                    "give host, port, database, user and password as separate keys".into(),
                ));
            }
            rename(params, "key_id", "user");
            rename(params, "secret", "password");
        }
        _ => {}
    }
    Ok(provider.unwrap_or(kind.default_provider().name).to_ascii_lowercase())
}
