//! duckalog turns a declarative catalog config into a ready DuckDB catalog and
//! keeps it true: on every run it restores the session state DuckDB does not
//! persist (extensions, settings, secrets, attachments) and reconciles the
//! views against the config.
//!
//! Data flows one way: file -> [`config`] -> [`session`] restore ->
//! [`catalog`] plan -> apply -> report.

pub mod atomic_write;
pub mod attach;
pub mod bundle;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod connector;
pub mod convert;
pub mod doctor;
pub mod embedded;
pub mod error;
pub mod extension;
pub mod init;
pub mod instance;
pub mod logging;
pub mod query;
pub mod secret;
pub mod secret_kind;
pub mod session;
pub mod shell;
pub mod sql;
pub mod stored_secrets;

pub use error::{Error, Result};
