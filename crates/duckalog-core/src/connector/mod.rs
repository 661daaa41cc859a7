//! Connectors turn an attachment's config table into data: the extensions it
//! needs, the ATTACH target and options, a local file to check. They never
//! touch DuckDB and never render SQL themselves (`sql.rs` does).

pub mod abi;
mod duckdb;
mod ducklake;
mod file;
mod iceberg;
mod plugin;
mod postgres;
mod sqlite;
pub mod wire;

use crate::sql::{AttachOption, Value};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// An attachment's config table, as JSON.
pub type Table = serde_json::Map<String, serde_json::Value>;

/// What a connector may know about the config it is read from.
pub struct Context<'a> {
    /// The folder of the config file; relative paths resolve against it.
    pub base_dir: &'a Path,
    /// How long the attachment may take; connection strings that take a
    /// timeout of their own should get it.
    pub timeout: std::time::Duration,
}

impl Context<'_> {
    pub(crate) fn resolve(&self, path: &str) -> PathBuf {
        crate::paths::resolve_path(self.base_dir, path)
    }
}

/// How to attach one configured database.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachSpec {
    /// The path, URL or connection string given to ATTACH.
    pub target: Value,
    /// Options of the ATTACH statement (`TYPE`, `READ_ONLY`, ...).
    pub options: Vec<AttachOption>,
    /// Extensions to load before attaching.
    pub extensions: Vec<String>,
    /// A local database file, checked before ATTACH so that a typo is an error
    /// instead of a new empty database.
    pub local_file: Option<LocalFile>,
    /// The server to probe (host, port) before attaching.
    pub probe: Option<(String, u16)>,
    /// Secrets the attachment reads its credentials from, by name.
    pub secrets: Vec<String>,
}

/// A local database file an attachment opens.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalFile {
    /// The file's path, resolved against the config's folder.
    pub path: PathBuf,
    /// Whether a missing file may be created.
    pub create: bool,
}

/// A problem with one key of an attachment table.
#[derive(Debug)]
pub struct KeyError {
    /// The key path inside the table, empty for the table itself.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// Reads the tables of one attachment kind into how to attach them; built
/// in, or loaded from a plugin.
pub trait Connector: Send + Sync {
    /// The attachment kind it handles: the key under `attachments`.
    fn kind(&self) -> &str;
    /// Where it came from, for `duckalog connectors`.
    fn origin(&self) -> String {
        "built-in".to_string()
    }
    /// The extensions every attachment of this kind needs.
    fn extensions(&self) -> Vec<String>;
    /// Validates one table (without its `alias`) and says how to attach it.
    fn attachment(&self, table: &Table, ctx: &Context) -> Result<AttachSpec, KeyError>;
}

/// Reads a table into a connector's own typed model, naming the key at fault.
pub fn parse<T: DeserializeOwned>(table: &Table) -> Result<T, KeyError> {
    serde_path_to_error::deserialize(serde_json::Value::Object(table.clone())).map_err(|e| {
        let key = e.path().to_string();
        KeyError {
            key: if key == "." { String::new() } else { key },
            message: e.into_inner().to_string(),
        }
    })
}

/// The connectors known to this process.
pub struct Registry {
    connectors: Vec<Box<dyn Connector>>,
}

impl Registry {
    pub(crate) fn built_in() -> Self {
        Registry {
            connectors: vec![
                Box::new(duckdb::DuckDb),
                Box::new(sqlite::Sqlite),
                Box::new(postgres::Postgres),
                Box::new(ducklake::DuckLake),
                Box::new(iceberg::Iceberg),
            ],
        }
    }

    /// The built-in connectors and the plugins in `dirs`.
    pub fn with_plugins(dirs: &[PathBuf]) -> Result<Self, String> {
        let mut registry = Registry::built_in();
        for dir in dirs {
            for p in plugin::load_dir(dir)? {
                if let Some(existing) = registry.get(p.kind()) {
                    return Err(format!(
                        "connector kind {:?} is claimed twice: by {} and by {}",
                        p.kind(),
                        existing.origin(),
                        p.origin()
                    ));
                }
                registry.connectors.push(Box::new(p));
            }
        }
        Ok(registry)
    }

    pub(crate) fn get(&self, kind: &str) -> Option<&dyn Connector> {
        self.connectors.iter().find(|c| c.kind() == kind).map(|c| c.as_ref())
    }

    /// Every connector, the built-in ones first.
    pub fn all(&self) -> impl Iterator<Item = &dyn Connector> {
        self.connectors.iter().map(|c| c.as_ref())
    }

    pub(crate) fn kinds(&self) -> Vec<&str> {
        self.connectors.iter().map(|c| c.kind()).collect()
    }
}
