//! The parts of duckalog that never touch a database (config loading, the
//! connectors' reading of attachment tables, SQL rendering), compiled from
//! the main crate's own sources. Mounting the files here instead of
//! depending on the `duckalog` package keeps DuckDB out of the fuzz build:
//! compiling it with sanitizers would cost the better part of an hour.
//!
//! The mounted modules must not reach `crate::session`, `crate::catalog` or
//! anything else that uses DuckDB; a build failure here says one now does.
#![allow(dead_code, unused_imports)]

#[path = "../../src/config/mod.rs"]
pub mod config;
#[path = "../../src/connector/mod.rs"]
pub mod connector;
#[path = "../../src/error.rs"]
pub mod error;
#[path = "../../src/extension.rs"]
pub mod extension;
#[path = "../../src/secret.rs"]
pub mod secret;
#[path = "../../src/secret_kind.rs"]
pub mod secret_kind;
#[path = "../../src/sql.rs"]
pub mod sql;

pub use error::{Error, Result};

pub mod lex;
