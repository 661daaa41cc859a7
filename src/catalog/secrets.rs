//! Persistent secrets. DuckDB writes them, unencrypted, to its
//! `secret_directory`, outside the database file and shared by every database
//! of the OS user. duckalog creates one when it is missing, replaces it when
//! its configured definition differs from what `duckdb_secrets()` shows (that
//! view redacts credential values, so a rotated credential needs
//! `--force-rebuild`), and records the ones it created in `_duckalog.secrets`
//! so that it only ever drops its own.

use crate::config::resolve::STATE_SCHEMA;
use crate::config::SecretDef;
use crate::error::{Error, Result};
use crate::plan::{actual::parse_secret_string, Stored};
use crate::sql::{self, Stmt};
use duckdb::Connection;
use std::collections::{HashMap, HashSet};

pub(crate) const RECORD_TABLE: &str = "secrets";

/// The persistent secrets DuckDB holds, by lower-cased name.
pub(crate) fn stored(conn: &Connection) -> Result<HashMap<String, Stored>> {
    let db = |e: duckdb::Error| Error::database("reading the stored secrets", e);
    let mut stmt = conn
        .prepare("SELECT name, type, provider, scope, secret_string FROM duckdb_secrets() WHERE persistent")
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| {
            let scope: duckdb::types::Value = r.get(3)?;
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                scope,
                r.get::<_, String>(4)?,
            ))
        })
        .map_err(db)?;
    let mut out = HashMap::new();
    for row in rows {
        let (name, kind, provider, scope, text) = row.map_err(db)?;
        let scope = match scope {
            duckdb::types::Value::List(items) => items
                .into_iter()
                .filter_map(|v| match v {
                    duckdb::types::Value::Text(s) => Some(s),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        out.insert(
            name.to_lowercase(),
            Stored { kind, provider, scope, params: parse_secret_string(&text) },
        );
    }
    Ok(out)
}

/// The names of the persistent secrets this catalog created, lower-cased.
pub(crate) fn recorded(conn: &Connection) -> Result<HashSet<String>> {
    let db = |e: duckdb::Error| Error::database("reading duckalog's secret records", e);
    let exists: bool = conn
        .query_row(
            "SELECT count(*) > 0 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ? AND table_name = ?",
            [STATE_SCHEMA, RECORD_TABLE],
            |r| r.get(0),
        )
        .map_err(db)?;
    if !exists {
        return Ok(HashSet::new());
    }
    let mut stmt = conn.prepare(&format!("SELECT name FROM {}", table())).map_err(db)?;
    let names = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(db)?;
    names.map(|n| n.map(|n| n.to_lowercase()).map_err(db)).collect()
}

fn table() -> String {
    sql::qualified(&[STATE_SCHEMA, RECORD_TABLE])
}

pub(crate) fn create_record_table() -> Stmt {
    Stmt::plain(format!(
        "CREATE TABLE IF NOT EXISTS {} (name VARCHAR PRIMARY KEY, type VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL)",
        table()
    ))
}

pub(crate) fn record(conn: &Connection, def: &SecretDef) -> duckdb::Result<()> {
    forget(conn, &def.name)?;
    let q = format!("INSERT INTO {} VALUES (lower(?), ?, current_timestamp::TIMESTAMP)", table());
    conn.execute(&q, [def.name.as_str(), def.kind.as_str()]).map(|_| ())
}

pub(crate) fn forget(conn: &Connection, name: &str) -> duckdb::Result<()> {
    conn.execute(&format!("DELETE FROM {} WHERE name = lower(?)", table()), [name]).map(|_| ())
}

pub(crate) fn drop_persistent(name: &str) -> Stmt {
    Stmt::plain(format!("DROP PERSISTENT SECRET IF EXISTS {}", sql::ident(name)))
}
