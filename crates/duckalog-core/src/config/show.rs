//! `duckalog config show`: the config as duckalog sees it once imports are
//! merged and variables filled in, with credentials masked.

use super::model::{File, Origin};
use super::Format;
use crate::error::{Error, Result};
use crate::secrets::MASK;
use serde_json::{Map, Value};

/// Words in the keys of attachments and catalogs whose values are credentials.
const CREDENTIAL_WORDS: &[&str] = &["password", "secret", "token", "dsn", "credential", "key"];

/// Keys of a secret that describe it rather than hold a credential.
const SECRET_KEYS: &[&str] = &["type", "name", "provider", "persistent", "scope"];

/// Renders the merged `file`; with `sources`, also where each definition was
/// made. The caller scrubs the text once every credential is known.
pub fn render(file: &File, format: Format, sources: bool) -> Result<String> {
    let mut value = serde_json::to_value(file)
        .map_err(|e| Error::Other(format!("cannot render the config: {e}")))?;
    if let Some(duckdb) = value.get_mut("duckdb").and_then(Value::as_object_mut) {
        if let Some(settings) = duckdb.remove("settings") {
            duckdb.insert("settings".into(), one_settings(settings));
        }
        for secret in duckdb.get_mut("secrets").and_then(Value::as_array_mut).into_iter().flatten()
        {
            let kind = secret.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
            mask(secret, &|k| SECRET_KEYS.contains(&k) || super::secrets::shown(&kind, k));
        }
    }
    if let Value::Object(top) = &mut value {
        let (attachments, catalogs): (Vec<_>, Vec<_>) = top
            .iter_mut()
            .filter(|(k, _)| *k == "attachments" || *k == "iceberg_catalogs")
            .partition(|(k, _)| *k == "attachments");
        let by_kind = attachments
            .into_iter()
            .filter_map(|(_, v)| v.as_object_mut())
            .flat_map(|m| m.values_mut());
        for tables in by_kind.chain(catalogs.into_iter().map(|(_, v)| v)) {
            for table in tables.as_array_mut().into_iter().flatten() {
                mask(table, &|k| !CREDENTIAL_WORDS.iter().any(|w| k.contains(w)));
            }
        }
    }
    prune(&mut value);
    let origins = sources.then(|| origins(file));
    let text = match format {
        Format::Json => {
            let out = match origins {
                Some(list) => {
                    serde_json::json!({ "config": value, "sources": list.iter().map(|(what, o)| {
                    serde_json::json!({ "definition": what, "file": o.file.display().to_string(), "key": o.key })
                }).collect::<Vec<_>>() })
                }
                None => value,
            };
            serde_json::to_string_pretty(&out)
                .map(|s| s + "\n")
                .map_err(|e| Error::Other(e.to_string()))?
        }
        Format::Toml | Format::Yaml => {
            let mut text = match format {
                Format::Toml => toml::to_string(&value)
                    .map_err(|e| Error::Other(format!("cannot render the config: {e}")))?,
                _ => serde_yaml_ng::to_string(&value)
                    .map_err(|e| Error::Other(format!("cannot render the config: {e}")))?,
            };
            if let Some(list) = origins {
                text.push_str("\n# Where each definition comes from:\n");
                for (what, o) in list {
                    text.push_str(&format!("#   {what}: {} {}\n", o.file.display(), o.key));
                }
            }
            text
        }
    };
    Ok(text)
}

/// Settings are kept per file while merging; shown as the one value a file would hold.
fn one_settings(settings: Value) -> Value {
    let Value::Array(mut items) = settings else { return settings };
    if items.len() <= 1 {
        return items.pop().unwrap_or(Value::Null);
    }
    if items.iter().all(Value::is_object) {
        let mut merged = Map::new();
        for item in items {
            if let Value::Object(m) = item {
                merged.extend(m);
            }
        }
        return Value::Object(merged);
    }
    Value::Array(
        items.into_iter().flat_map(|i| if let Value::Array(a) = i { a } else { vec![i] }).collect(),
    )
}

fn mask(table: &mut Value, shown: &dyn Fn(&str) -> bool) {
    for (k, v) in table.as_object_mut().into_iter().flatten() {
        let key = k.to_ascii_lowercase();
        if key == "options" {
            mask(v, shown);
        } else if (!shown(&key) && !v.is_null()) || v.as_str().is_some_and(holds_credentials) {
            *v = Value::String(MASK.into());
        }
    }
}

/// A connection string with a password, or a URL with a user and password.
fn holds_credentials(text: &str) -> bool {
    crate::paths::url_has_credentials(text) || text.to_ascii_lowercase().contains("password=")
}

/// Drops empty values, which say nothing a reader needs.
fn prune(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.values_mut().for_each(prune);
            map.retain(|_, v| {
                !(v.is_null()
                    || v.as_array().is_some_and(Vec::is_empty)
                    || v.as_object().is_some_and(Map::is_empty))
            });
        }
        Value::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

fn origins(file: &File) -> Vec<(String, &Origin)> {
    let name = |t: &super::model::Table, key: &str| {
        t.0.get(key).and_then(Value::as_str).unwrap_or("?").to_string()
    };
    let mut out: Vec<(String, &Origin)> = Vec::new();
    for v in &file.views {
        let schema = v.item.db_schema.as_deref().unwrap_or("main");
        out.push((format!("view {schema}.{}", v.item.name), &v.origin));
    }
    for (kind, tables) in &file.attachments {
        out.extend(
            tables
                .iter()
                .map(|t| (format!("attachment {} ({kind})", name(&t.item, "alias")), &t.origin)),
        );
    }
    for s in &file.duckdb.secrets {
        out.push((format!("secret {}", s.item.name.as_deref().unwrap_or(&s.item.kind)), &s.origin));
    }
    out.extend(
        file.iceberg_catalogs
            .iter()
            .map(|c| (format!("iceberg catalog {}", name(&c.item, "name")), &c.origin)),
    );
    out
}
