//! SQLite database files, through DuckDB's sqlite_scanner extension.

use super::{file, parse, AttachSpec, Connector, Context, KeyError, Table};
use crate::lax;
use serde::Deserialize;

pub struct Sqlite;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    path: String,
    #[serde(default, deserialize_with = "lax::bool")]
    read_only: bool,
    #[serde(default, deserialize_with = "lax::bool")]
    create: bool,
}

impl Connector for Sqlite {
    fn kind(&self) -> &str {
        "sqlite"
    }

    fn extensions(&self) -> Vec<String> {
        vec!["sqlite_scanner".into()]
    }

    fn attachment(&self, table: &Table, ctx: &Context) -> Result<AttachSpec, KeyError> {
        let e: Entry = parse(table)?;
        file::attach("sqlite", &e.path, e.read_only, e.create, self.extensions(), ctx)
    }
}
