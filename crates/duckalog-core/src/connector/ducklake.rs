//! DuckLake catalogs: table metadata in a database (PostgreSQL, SQLite or a
//! DuckDB file), table data as Parquet files under `data_path`. With the
//! metadata in PostgreSQL, several duckalog processes on several machines,
//! each with its own database file, share one catalog of tables.

use super::postgres::{split, Conn};
use super::{parse, AttachSpec, Connector, Context, KeyError, LocalFile, Table};
use crate::lax;
use crate::secrets::Secret;
use crate::sql::{AttachOption, Value};
use serde::Deserialize;

pub struct DuckLake;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// A DuckDB file (or, with `metadata = "sqlite"`, a SQLite file) holding the metadata.
    path: Option<String>,
    /// Where the metadata lives: duckdb (default with `path`), sqlite, or postgres.
    metadata: Option<String>,
    /// Where the Parquet files go: a folder (relative to the config) or a URL.
    data_path: Option<String>,
    /// The schema of the metadata database that holds DuckLake's tables.
    metadata_schema: Option<String>,
    #[serde(default, deserialize_with = "lax::bool")]
    read_only: bool,
    #[serde(default, deserialize_with = "lax::bool")]
    create: bool,
}

impl Connector for DuckLake {
    fn kind(&self) -> &str {
        "ducklake"
    }

    fn extensions(&self) -> Vec<String> {
        vec!["ducklake".into()]
    }

    fn attachment(&self, table: &Table, ctx: &Context) -> Result<AttachSpec, KeyError> {
        let (pg, rest) = split(table, &["postgres"]);
        let e: Entry = parse(&rest)?;
        let mut extensions = self.extensions();
        let mut local_file = None;
        let mut probe = None;
        let metadata =
            e.metadata.as_deref().unwrap_or(if pg.is_empty() { "duckdb" } else { "postgres" });
        let target = match (metadata, pg.get("postgres"), &e.path) {
            ("postgres", Some(serde_json::Value::Object(conn)), None) => {
                let conn: Conn = parse(conn).map_err(|k| KeyError { key: format!("postgres.{}", k.key), ..k })?;
                extensions.push("postgres_scanner".into());
                probe = conn.probe();
                let text = format!("ducklake:postgres:{}", conn.libpq(true, ctx.timeout).map_err(|k| KeyError { key: format!("postgres.{}", k.key), ..k })?);
                if conn.has_credentials() {
                    Value::Secret(Secret::new(text))
                } else {
                    Value::Str(text)
                }
            }
            ("postgres", _, _) => {
                return Err(KeyError { key: "postgres".into(), message: "give the metadata database as a table: postgres = { host = ..., database = ... }".into() })
            }
            (kind @ ("duckdb" | "sqlite"), None, Some(p)) => {
                let path = ctx.resolve(p);
                if kind == "sqlite" {
                    extensions.push("sqlite_scanner".into());
                }
                local_file = Some(LocalFile { path: path.clone(), create: e.create });
                let prefix = if kind == "sqlite" { "ducklake:sqlite:" } else { "ducklake:" };
                Value::Str(format!("{prefix}{}", path.display()))
            }
            ("duckdb" | "sqlite", _, _) => {
                return Err(KeyError { key: "path".into(), message: "give the metadata file's path (and no postgres table)".into() })
            }
            (other, _, _) => {
                return Err(KeyError { key: "metadata".into(), message: format!("{other:?} is not duckdb, sqlite or postgres") })
            }
        };
        let mut options = Vec::new();
        if let Some(d) = &e.data_path {
            let d = if crate::paths::is_remote(d) {
                d.clone()
            } else {
                // DuckLake joins file names to the folder as text.
                format!("{}/", ctx.resolve(d).display())
            };
            options.push(AttachOption::Value("DATA_PATH".into(), Value::Str(d)));
        }
        if let Some(s) = e.metadata_schema {
            options.push(AttachOption::Value("METADATA_SCHEMA".into(), Value::Str(s)));
        }
        if e.read_only {
            options.push(AttachOption::Flag("READ_ONLY".into()));
        }
        Ok(AttachSpec { target, options, extensions, local_file, probe, secrets: Vec::new() })
    }
}
