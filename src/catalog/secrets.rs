//! Persistent secrets. DuckDB writes them, unencrypted, to its
//! `secret_directory`, outside the database file and shared by every database
//! of the OS user. duckalog creates one when it is missing, replaces it when
//! its configured definition changed, and records the ones it created in
//! `_duckalog.secrets`, each with the keyed digest of the definition it was
//! written from (`duckalog_core::secrets::digest`): `duckdb_secrets()` redacts
//! credentials, so only the digest shows that one was rotated. The record is
//! written after the secret, so a run cut short between the two rewrites the
//! secret next time rather than trusting it.

use crate::config::resolve::STATE_SCHEMA;
use crate::config::SecretDef;
use crate::error::{Error, Result};
use crate::plan::{self, actual::parse_secret_string, Key, Stored};
use crate::secrets::digest::DigestKey;
use crate::sql::{self, Stmt};
use duckdb::Connection;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

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

/// The persistent secrets this catalog created, lower-cased, with the digest
/// each was recorded with.
pub(crate) fn recorded(
    conn: &Connection,
    tables: &HashSet<Key>,
) -> Result<HashMap<String, Option<String>>> {
    let db = |e: duckdb::Error| Error::database("reading duckalog's secret records", e);
    if !tables.contains(&plan::key(STATE_SCHEMA, RECORD_TABLE)) {
        return Ok(HashMap::new());
    }
    // The columns of an empty result: duckdb_columns() would bind every view.
    let mut stmt = conn.prepare(&format!("SELECT * FROM {} LIMIT 0", table())).map_err(db)?;
    stmt.query([]).map_err(db)?.next().map_err(db)?;
    let columns = stmt.column_names();
    if columns.is_empty() {
        return Ok(HashMap::new());
    }
    // Records written before digests have no digest column.
    let digest = if columns.iter().any(|c| c == "digest") { "digest" } else { "NULL" };
    let mut stmt = conn.prepare(&format!("SELECT name, {digest} FROM {}", table())).map_err(db)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?))).map_err(db)?;
    rows.map(|r| r.map(|(n, d)| (n.to_lowercase(), d)).map_err(db)).collect()
}

/// The digest key of the secret directory DuckDB uses; `create` makes one
/// when there is none, for a session that writes persistent secrets.
pub(crate) fn key(conn: &Connection, create: bool) -> Result<Option<DigestKey>> {
    let dir: String = conn
        .query_row("SELECT current_setting('secret_directory')", [], |r| r.get(0))
        .map_err(|e| Error::database("reading the secret directory", e))?;
    let dir = expand_home(&dir);
    let key =
        if create { DigestKey::load_or_create(&dir).map(Some) } else { DigestKey::load(&dir) };
    key.map_err(|e| {
        Error::Other(format!(
            "{}: cannot read or create duckalog's digest key in the secret directory: {e}; \
             make the directory writable by this user, or set duckdb.secret_directory",
            dir.display()
        ))
    })
}

/// DuckDB reads a leading `~` as the home directory.
fn expand_home(dir: &str) -> PathBuf {
    match (dir.strip_prefix('~'), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            PathBuf::from(home).join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(dir),
    }
}

fn table() -> String {
    sql::qualified(&[STATE_SCHEMA, RECORD_TABLE])
}

pub(crate) fn create_record_table() -> Vec<Stmt> {
    vec![
        Stmt::plain(format!(
            "CREATE TABLE IF NOT EXISTS {} (name VARCHAR PRIMARY KEY, type VARCHAR NOT NULL, \
             recorded_at TIMESTAMP NOT NULL, digest VARCHAR)",
            table()
        )),
        Stmt::plain(format!("ALTER TABLE {} ADD COLUMN IF NOT EXISTS digest VARCHAR", table())),
    ]
}

pub(crate) fn record(
    conn: &Connection,
    def: &SecretDef,
    digest: Option<&str>,
) -> duckdb::Result<()> {
    forget(conn, &def.name)?;
    let q = format!(
        "INSERT INTO {} (name, type, recorded_at, digest) VALUES (lower(?), ?, current_timestamp::TIMESTAMP, ?)",
        table()
    );
    conn.execute(&q, duckdb::params![def.name, def.kind, digest]).map(|_| ())
}

pub(crate) fn forget(conn: &Connection, name: &str) -> duckdb::Result<()> {
    conn.execute(&format!("DELETE FROM {} WHERE name = lower(?)", table()), [name]).map(|_| ())
}

pub(crate) fn drop_persistent(name: &str) -> Stmt {
    Stmt::plain(format!("DROP PERSISTENT SECRET IF EXISTS {}", sql::ident(name)))
}
