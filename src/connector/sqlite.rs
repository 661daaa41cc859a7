//! SQLite database files, through DuckDB's sqlite_scanner extension.

use super::{local_path, parse, AttachSpec, Connector, Context, KeyError, LocalFile, Table};
use crate::config::interp::de;
use crate::sql::{AttachOption, Value};
use serde::Deserialize;

pub struct Sqlite;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    path: String,
    #[serde(default, deserialize_with = "de::bool")]
    read_only: bool,
    #[serde(default, deserialize_with = "de::bool")]
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
        let path = local_path(&e.path, ctx)?;
        let mut options = vec![AttachOption::Word("TYPE".into(), "sqlite".into())];
        if e.read_only {
            options.push(AttachOption::Flag("READ_ONLY".into()));
        }
        Ok(AttachSpec {
            target: Value::Str(path.display().to_string()),
            options,
            extensions: self.extensions(),
            local_file: Some(LocalFile { path, create: e.create }),
        })
    }
}
