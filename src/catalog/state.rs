//! What the catalog holds now: its views, its tables, the persistent secrets
//! DuckDB holds, and duckalog's records of the views it manages
//! (`_duckalog.views`, one row per view with the fingerprint of the
//! definition it applied) and of the persistent secrets it created.

use crate::config::resolve::STATE_SCHEMA;
use crate::config::{Config, ViewDef};
use crate::error::{Error, Result};
use crate::plan::{key, Actual, Key, Managed};
use crate::secrets::digest::DigestKey;
use crate::sql::{self, Stmt};
use duckdb::Connection;
use std::collections::{HashMap, HashSet};

pub(crate) const STATE_TABLE: &str = "views";

/// The catalog's own objects that `function` lists, by (schema, `column`).
fn objects(conn: &Connection, function: &str, column: &str) -> Result<HashSet<Key>> {
    let db = |e: duckdb::Error| Error::database("reading the catalog", e);
    let q = format!(
        "SELECT schema_name, {column} FROM {function}() \
         WHERE NOT internal AND NOT temporary AND database_name = current_database()"
    );
    let mut stmt = conn.prepare(&q).map_err(db)?;
    let rows = stmt
        .query_map([], |r| Ok(key(&r.get::<_, String>(0)?, &r.get::<_, String>(1)?)))
        .map_err(db)?;
    rows.map(|k| k.map_err(db)).collect()
}

pub(crate) fn read(conn: &Connection) -> Result<Actual> {
    let db = |e: duckdb::Error| Error::database("reading the catalog", e);
    let catalog: String =
        conn.query_row("SELECT current_database()", [], |r| r.get(0)).map_err(db)?;
    let mut actual = Actual {
        catalog,
        views: objects(conn, "duckdb_views", "view_name")?,
        tables: objects(conn, "duckdb_tables", "table_name")?,
        stored_secrets: super::secrets::stored(conn)?,
        ..Default::default()
    };
    actual.recorded_secrets = super::secrets::recorded(conn, &actual.tables)?;

    if actual.tables.contains(&key(STATE_SCHEMA, STATE_TABLE)) {
        let q = format!(
            "SELECT schema_name, view_name, fingerprint FROM {}",
            sql::qualified(&[STATE_SCHEMA, STATE_TABLE])
        );
        let mut stmt = conn.prepare(&q).map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Managed { schema: r.get(0)?, name: r.get(1)?, fingerprint: r.get(2)? })
            })
            .map_err(db)?;
        for m in rows {
            let m = m.map_err(db)?;
            actual.managed.insert(key(&m.schema, &m.name), m);
        }
    }
    Ok(actual)
}

/// What a session that only serves queries needs to know: the persistent
/// secrets DuckDB holds and duckalog's records of them, and those only when
/// the config has any to compare.
pub(crate) fn read_secrets(conn: &Connection, config: &Config) -> Result<Actual> {
    if !config.secrets.iter().any(|s| s.persistent) {
        return Ok(Actual::default());
    }
    let tables = objects(conn, "duckdb_tables", "table_name")?;
    Ok(Actual {
        stored_secrets: super::secrets::stored(conn)?,
        recorded_secrets: super::secrets::recorded(conn, &tables)?,
        ..Default::default()
    })
}

/// The secret directory's digest key, when the config has persistent secrets
/// to compare; `create` makes it when it is missing.
pub(crate) fn secret_key(
    conn: &Connection,
    config: &Config,
    create: bool,
) -> Result<Option<DigestKey>> {
    if !config.secrets.iter().any(|s| s.persistent) {
        return Ok(None);
    }
    super::secrets::key(conn, create)
}

/// Statements that create the state table if it is missing.
pub(crate) fn create_table() -> Vec<Stmt> {
    vec![
        sql::create_schema(STATE_SCHEMA),
        Stmt::plain(format!(
            "CREATE TABLE IF NOT EXISTS {} (schema_name VARCHAR NOT NULL, view_name VARCHAR NOT NULL, \
             fingerprint VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL, PRIMARY KEY (schema_name, view_name))",
            sql::qualified(&[STATE_SCHEMA, STATE_TABLE])
        )),
    ]
}

/// Deletes the records of the views `keys` names, in a few statements
/// however many there are: a statement per view scans the table each time.
pub(crate) fn forget(conn: &Connection, keys: &[(&str, &str)]) -> duckdb::Result<()> {
    for chunk in keys.chunks(1000) {
        let rows: Vec<String> = chunk
            .iter()
            .map(|(s, n)| {
                format!(
                    "({}, {})",
                    sql::literal(&s.to_lowercase()),
                    sql::literal(&n.to_lowercase())
                )
            })
            .collect();
        conn.execute_batch(&format!(
            "DELETE FROM {} USING (VALUES {}) k(s, n) WHERE lower(schema_name) = k.s AND lower(view_name) = k.n",
            sql::qualified(&[STATE_SCHEMA, STATE_TABLE]),
            rows.join(", ")
        ))?;
    }
    Ok(())
}

/// Records the fingerprints of `views`, replacing the records in `managed`.
pub(crate) fn remember(
    conn: &Connection,
    views: &[(&ViewDef, &str)],
    managed: &HashMap<Key, Managed>,
) -> duckdb::Result<()> {
    let replaced: Vec<(&str, &str)> = views
        .iter()
        .filter(|(v, _)| managed.contains_key(&key(&v.schema, &v.name)))
        .map(|(v, _)| (v.schema.as_str(), v.name.as_str()))
        .collect();
    forget(conn, &replaced)?;
    let now: String =
        conn.query_row("SELECT current_timestamp::TIMESTAMP::VARCHAR", [], |r| r.get(0))?;
    let mut appender = conn.appender_to_db(STATE_TABLE, STATE_SCHEMA)?;
    for (v, fp) in views {
        appender.append_row([v.schema.as_str(), v.name.as_str(), fp, now.as_str()])?;
    }
    appender.flush()
}
