//! duckalog turns a declarative catalog config into a ready DuckDB catalog and
//! keeps it true: on every run it restores the session state DuckDB does not
//! persist (extensions, settings, secrets, attachments) and reconciles the
//! views against the config.
//!
//! Data flows one way: file -> config (`duckalog-core`) -> engine open and
//! restore -> catalog plan and apply -> output. The core crate owns
//! everything that needs no database; this crate runs it on DuckDB.

mod atomic_write;
mod catalog;
pub mod cli;
mod doctor;
mod engine;
mod extensions;
mod init;
mod logging;
mod output;
mod shell;

use duckalog_core::{config, connector, error, paths, plan, secrets, sql};

/// Masks every secret value this process has read in `text`: for messages
/// duckalog did not write itself, such as a panic's.
pub fn scrub(text: &str) -> String {
    secrets::scrub(text)
}
