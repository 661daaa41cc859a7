//! The part of duckalog that never touches a database: reading a config
//! (TOML, YAML or JSON) into a checked [`config::Config`], the connectors
//! that turn attachment tables into ATTACH data, the [`plan`] as a pure diff
//! of the configured catalog against a described one, and the SQL that
//! restores and reconciles it. The `duckalog` crate runs that SQL on DuckDB.

#![warn(missing_docs)]

pub mod config;
pub mod connector;
pub mod error;
pub mod extension;
pub mod lax;
pub mod paths;
pub mod plan;
pub mod restore;
pub mod secrets;
pub mod sql;

pub use error::{Error, Result};
