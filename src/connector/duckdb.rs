//! Other DuckDB database files.

use super::{file, parse, AttachSpec, Connector, Context, KeyError, Table};
use crate::config::interp::de;
use crate::sql::Value;
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
        file::attach("duckdb", &e.path, e.read_only, e.create, Vec::new(), ctx)
    }
}
