//! Other DuckDB database files: local, or remote over HTTP(S) or S3.

use super::{file, parse, AttachSpec, Connector, Context, KeyError, Table};
use crate::lax;
use crate::sql::{AttachOption, Value};
use serde::Deserialize;

pub struct DuckDb;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    path: String,
    /// Read-only unless asked otherwise: a read-write attachment takes the
    /// other file's write lock for as long as the session lasts.
    #[serde(default = "yes", deserialize_with = "lax::bool")]
    read_only: bool,
    #[serde(default, deserialize_with = "lax::bool")]
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
                probe: None,
                secrets: Vec::new(),
            });
        }
        if crate::paths::is_remote(&e.path) {
            // DuckDB reads remote database files over httpfs, read-only.
            if !e.read_only || e.create {
                return Err(KeyError {
                    key: "read_only".into(),
                    message: "a remote DuckDB file can only be attached read-only".into(),
                });
            }
            return Ok(AttachSpec {
                target: Value::Str(e.path),
                options: vec![
                    AttachOption::Word("TYPE".into(), "duckdb".into()),
                    AttachOption::Flag("READ_ONLY".into()),
                ],
                extensions: vec!["httpfs".into()],
                local_file: None,
                probe: None,
                secrets: Vec::new(),
            });
        }
        file::attach("duckdb", &e.path, e.read_only, e.create, Vec::new(), ctx)
    }
}
