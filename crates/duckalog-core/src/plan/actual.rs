//! The catalog as it is, described as plain data: its views and tables, the
//! views duckalog manages with the fingerprints it applied, and the
//! persistent secrets DuckDB holds. The engine reads it; [`super::diff`]
//! compares it with the config.

use crate::config::{SecretDef, ViewDef};
use crate::secrets::digest::DigestKey;
use crate::sql::Value;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// Views and tables are keyed by lower-cased (schema, name): DuckDB compares
/// identifiers without case.
pub type Key = (String, String);

/// The [`Key`] of a view or table.
pub fn key(schema: &str, name: &str) -> Key {
    (schema.to_lowercase(), name.to_lowercase())
}

/// A view duckalog created, as its state table records it.
#[derive(Debug, Clone)]
pub struct Managed {
    /// The schema it is in.
    pub schema: String,
    /// The view's name.
    pub name: String,
    /// The [`fingerprint`] of the definition it was created from.
    pub fingerprint: String,
}

/// What the catalog holds, as far as planning needs to know.
#[derive(Debug, Default)]
pub struct Actual {
    /// The database (catalog) name of the opened file.
    pub catalog: String,
    /// Every view in the catalog.
    pub views: HashSet<Key>,
    /// Every table in the catalog: a view cannot take a table's name.
    pub tables: HashSet<Key>,
    /// The views duckalog created, from its state table.
    pub managed: HashMap<Key, Managed>,
    /// Persistent secrets DuckDB holds, by lower-cased name.
    pub stored_secrets: HashMap<String, Stored>,
    /// The persistent secrets this catalog created, lower-cased, with the
    /// [`DigestKey::digest`] of the definition each was written from (none in
    /// records older than digests).
    pub recorded_secrets: HashMap<String, Option<String>>,
    /// The key of the secret directory's digests; none when the directory
    /// has no key yet, and then every stored secret counts as changed.
    pub secret_key: Option<DigestKey>,
}

/// The fingerprint of a view's definition: everything duckalog writes for it.
pub fn fingerprint(v: &ViewDef) -> String {
    let mut h = Sha256::new();
    for part in [
        v.schema.as_str(),
        v.name.as_str(),
        v.body.as_str(),
        v.description.as_deref().unwrap_or("\u{0}none"),
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A persistent secret as DuckDB shows it.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The secret type.
    pub kind: String,
    /// Its provider.
    pub provider: String,
    /// The path prefixes it applies to.
    pub scope: Vec<String>,
    /// Parameters with their shown text; credentials read `redacted`.
    pub params: HashMap<String, String>,
}

/// `name=x;type=s3;...;region=eu-west-1;secret=redacted` without the fields
/// that are not parameters.
pub fn parse_secret_string(text: &str) -> HashMap<String, String> {
    text.split(';')
        .filter_map(|part| part.split_once('='))
        .filter(|(k, _)| !["name", "type", "provider", "serializable", "scope"].contains(k))
        .map(|(k, v)| (k.to_lowercase(), v.to_string()))
        .collect()
}

/// Parameters `duckdb_secrets()` shows under another name than the one
/// `CREATE SECRET` takes: (type, configured, shown).
const SHOWN_AS: &[(&str, &str, &str)] = &[("postgres", "database", "dbname")];

fn shown_name<'a>(kind: &str, param: &'a str) -> &'a str {
    SHOWN_AS
        .iter()
        .find(|(k, p, _)| kind.eq_ignore_ascii_case(k) && *p == param)
        .map_or(param, |(_, _, shown)| shown)
}

/// Whether a stored secret has the configured definition as far as DuckDB
/// shows it, so that a secret changed behind duckalog's back is rewritten:
/// everything but the redacted values, which only the recorded digest covers.
pub fn matches(def: &SecretDef, stored: &Stored) -> bool {
    if !def.kind.eq_ignore_ascii_case(&stored.kind)
        || !def.provider.eq_ignore_ascii_case(&stored.provider)
    {
        return false;
    }
    // Without a configured scope DuckDB fills in the type's default.
    if !def.scope.is_empty() && def.scope != stored.scope {
        return false;
    }
    // DuckDB derives some parameters from others (an r2 account_id becomes
    // its endpoint): only what is shown under a configured name is compared.
    // Any change to the config changes the digest anyway.
    def.params.iter().all(|(k, v)| match stored.params.get(shown_name(&def.kind, k)) {
        None => true,
        Some(shown) if shown == "redacted" => true,
        Some(shown) => match v {
            Value::Str(s) => s == shown,
            Value::Secret(s) => s.expose() == shown,
            Value::Bool(b) => b.to_string() == *shown,
            Value::Int(i) => i.to_string() == *shown,
            Value::Float(f) => shown.parse::<f64>().is_ok_and(|x| x == *f),
            Value::List(_) | Value::Struct(_) => true,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_duckdb_secret_strings() {
        let p = parse_secret_string(
            "name=my s3;type=s3;provider=config;serializable=true;scope=s3://a,s3://b;endpoint=localhost:9000;key_id=AK;secret=redacted;use_ssl=false",
        );
        assert_eq!(p.len(), 4);
        assert_eq!(p["secret"], "redacted");
        assert_eq!(p["use_ssl"], "false");
    }
}
