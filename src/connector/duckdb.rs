//! Other DuckDB database files.

use super::{local_path, parse, AttachSpec, Connector, Context, KeyError, LocalFile, Table};
use crate::config::interp::de;
use crate::sql::{AttachOption, Value};
use serde::Deserialize;

pub struct DuckDb;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    path: String,
    /// Read-only unless asked otherwise: a read-write attachment takes the
    /// other file's write lock for as long as the session lasts.
    #[serde(default = "yes", deserialize_with = "de::bool")]
    read_only: bool,
    #[serde(default, deserialize_with = "de::bool")]
    create: bool,
}

fn yes() -> bool {
    true
}

impl Connector for DuckDb {
    fn kind(&self) -> &str {
        "duckdb"
    }

    fn extensions(&self) -> Vec<String> {
        Vec::new()
    }

    fn attachment(&self, table: &Table, ctx: &Context) -> Result<AttachSpec, KeyError> {
        let e: Entry = parse(table)?;
        if e.path == ":memory:" {
            return Ok(AttachSpec {
                target: Value::Str(e.path),
                options: Vec::new(),
                extensions: Vec::new(),
                local_file: None,
            });
        }
        if e.read_only && e.create {
            return Err(KeyError {
                key: "create".into(),
                message: "a read-only attachment cannot be created: set read_only = false or drop create".into(),
            });
        }
        let path = local_path(&e.path, ctx)?;
        let mut options = vec![AttachOption::Word("TYPE".into(), "duckdb".into())];
        if e.read_only {
            options.push(AttachOption::Flag("READ_ONLY".into()));
        }
        Ok(AttachSpec {
            target: Value::Str(path.display().to_string()),
            options,
            extensions: Vec::new(),
            local_file: Some(LocalFile { path, create: e.create }),
        })
    }
}
