//! Views over the tables of attached Iceberg catalogs: `source = "iceberg"`
//! with `catalog` and `table`. The Python tool rendered these as
//! `iceberg_scan('<catalog>', '<table>')`, which DuckDB has no overload for;
//! an attached catalog is read as a database instead.

use super::resolve::{check_name, Attachment};
use crate::sql;

/// The body of a view over `table` (`namespace.table`) of the iceberg
/// catalog `catalog`, or the key at fault and why.
pub(super) fn table_view(
    catalog: &str,
    table: Option<&str>,
    attachments: &[Attachment],
) -> Result<String, (&'static str, String)> {
    let attached =
        attachments.iter().find(|a| a.alias.eq_ignore_ascii_case(catalog)).ok_or_else(|| {
            (
                "catalog",
                format!(
                    "no iceberg catalog is named {catalog:?}; define it under iceberg_catalogs"
                ),
            )
        })?;
    if attached.kind != "iceberg" {
        return Err((
            "catalog",
            format!(
                "{catalog:?} is an attachment of kind {}, not an iceberg catalog",
                attached.kind
            ),
        ));
    }
    let table = table.ok_or((
        "table",
        "a view over an iceberg catalog needs table = \"namespace.table\"".to_string(),
    ))?;
    check_name(table).map_err(|m| ("table", m))?;
    // A nested namespace is one schema to DuckDB, its levels joined by dots.
    let (namespace, name) = table
        .rsplit_once('.')
        .filter(|(n, t)| !n.is_empty() && !t.is_empty())
        .ok_or(("table", format!("give the table with its namespace: \"<namespace>.{table}\"")))?;
    Ok(sql::select_all(&[&attached.alias, namespace, name]))
}
