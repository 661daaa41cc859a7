//! `duckalog convert`: a config written for the Python duckalog tool,
//! rewritten as TOML with the same meaning here. `${env:...}` placeholders
//! are kept as written, and a comment block lists every place where the
//! same words mean something else to duckalog than they did to that tool.

use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::path::Path;

/// Converts the YAML or JSON config at `input`. Returns the TOML text and
/// the notes it carries as comments.
pub fn convert(input: &Path) -> Result<(String, Vec<String>)> {
    let fail = |key: &str, m: String| Error::config(input, key, m);
    if input.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
        return Err(fail(
            "",
            "is TOML already: convert reads the Python tool's YAML (or JSON) configs".into(),
        ));
    }
    let bytes = std::fs::read(input).map_err(|e| fail("", format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| fail("", "not valid UTF-8 (save the file as UTF-8)".into()))?;
    // The Python tool parses JSON as YAML too.
    let mut yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).map_err(|e| {
        let place = e
            .location()
            .map(|l| format!("line {}, column {}", l.line(), l.column()))
            .unwrap_or_default();
        fail(&place, crate::error::one_line(&e.to_string()))
    })?;
    yaml.apply_merge().map_err(|e| {
        fail("", format!("a `<<` merge key: {}", crate::error::one_line(&e.to_string())))
    })?;
    let mut root = match serde_json::to_value(&yaml) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(fail("", "the top level must be a mapping of keys to values".into())),
        Err(e) => return Err(fail("", format!("cannot convert: {e}"))),
    };
    drop_nulls(&mut root);
    let notes = rewrite(&mut root);
    // Plain values first, then tables in the order a reader expects.
    const ORDER: &[&str] = &[
        "version",
        "env_files",
        "imports",
        "plugin_dirs",
        "duckdb",
        "attachments",
        "iceberg_catalogs",
        "views",
        "semantic_models",
        "loader_settings",
    ];
    let mut keys: Vec<String> =
        ORDER.iter().map(|k| k.to_string()).filter(|k| root.contains_key(k)).collect();
    keys.extend(root.keys().filter(|k| !ORDER.contains(&k.as_str())).cloned());
    let mut body = String::new();
    for key in keys {
        let mut one = Map::new();
        one.insert(key.clone(), root.remove(&key).unwrap_or_default());
        let part = toml::to_string_pretty(&Value::Object(one))
            .map_err(|e| fail(&key, format!("cannot write TOML: {e}")))?;
        if !body.is_empty() && part.starts_with('[') {
            body.push('\n');
        }
        body.push_str(&part);
    }
    let mut out = format!(
        "# Converted from {} by `duckalog convert`.\n",
        input.file_name().unwrap_or_default().to_string_lossy()
    );
    if !notes.is_empty() {
        out.push_str("#\n# Where duckalog reads this differently from the Python tool:\n");
        for n in &notes {
            out.push_str(&format!("# - {n}\n"));
        }
    }
    out.push('\n');
    out.push_str(&body);
    Ok((out, notes))
}

/// Rewrites what TOML or duckalog cannot take as written, and returns the
/// notes on what changed meaning.
fn rewrite(root: &mut Map<String, Value>) -> Vec<String> {
    let mut notes = Vec::new();
    let mut note = |n: &str| notes.push(n.to_string());
    if let Some(db) = root.get("duckdb").and_then(|d| d.get("database")).and_then(Value::as_str) {
        if db != ":memory:" && !Path::new(db).is_absolute() && !crate::paths::is_remote(db) {
            note(&format!(
                "duckdb.database {db:?} is relative to this file's folder, not to the folder duckalog runs in"
            ));
        }
    }
    if let Some(imports) = root.get_mut("imports") {
        if let Value::Object(sections) = imports {
            // Selective imports: every section's files are imported whole.
            let mut files: Vec<Value> = Vec::new();
            for list in sections.values() {
                for f in list.as_array().into_iter().flatten() {
                    if !files.contains(f) {
                        files.push(f.clone());
                    }
                }
            }
            *imports = Value::Array(files);
            note("imports by section became one list: each file is imported whole");
        }
        let mut implicit = false;
        for entry in imports.as_array_mut().into_iter().flatten() {
            if let Value::Object(e) = entry {
                implicit |= !e.contains_key("override");
            }
        }
        if implicit {
            note("an import entry without `override` defaults to override = false: a definition made again is an error");
        }
        note("paths inside an imported file (view uris, attachment paths) are relative to that file's folder");
        note("a view, attachment or secret defined again in a later file is an error unless that file is imported with override = true; lists are not concatenated into duplicates");
    }
    if root.get("env_files").and_then(Value::as_array).is_some_and(|l| l.len() > 1) {
        note("within one folder a later env_files pattern wins over an earlier one");
    }
    if let Some(Value::Array(views)) = root.get("views") {
        for (i, v) in views.iter().enumerate() {
            let has_sql = ["sql", "sql_file", "sql_template"].iter().any(|k| v.get(*k).is_some());
            if has_sql && v.get("source").is_some() {
                note(&format!("views[{i}] has both SQL and a source: the SQL defines the view and the source is ignored (a warning is logged)"));
            }
        }
    }
    if let Some(Value::Object(kinds)) = root.get("attachments") {
        if kinds
            .get("postgres")
            .and_then(Value::as_array)
            .is_some_and(|l| l.iter().any(|a| a.get("read_only").is_none()))
        {
            note("postgres attachments are read-only unless they say read_only = false");
        }
        if kinds.get("duckalog").is_some() {
            note("attachments.duckalog: every run brings each child catalog up to date, then attaches it with what its views read");
        }
    }
    if root.get("iceberg_catalogs").is_some() {
        note("iceberg_catalogs are attached with ATTACH ... (TYPE iceberg), DuckDB's own form");
    }
    for key in ["semantic_models", "loader_settings"] {
        if root.contains_key(key) {
            note(&format!("{key} is kept but has no effect"));
        }
    }
    notes
}

/// YAML `~` means "not given"; TOML has no null.
fn drop_nulls(map: &mut Map<String, Value>) {
    map.retain(|_, v| !v.is_null());
    for v in map.values_mut() {
        drop_nulls_in(v);
    }
}

fn drop_nulls_in(v: &mut Value) {
    match v {
        Value::Object(m) => drop_nulls(m),
        Value::Array(items) => {
            items.retain(|i| !i.is_null());
            items.iter_mut().for_each(drop_nulls_in);
        }
        _ => {}
    }
}
