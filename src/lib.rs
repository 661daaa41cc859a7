//! duckalog turns a declarative catalog config into a ready DuckDB catalog and
//! keeps it true: on every run it restores the session state DuckDB does not
//! persist (extensions, settings, secrets, attachments) and reconciles the
//! views against the config.
//!
//! Data flows one way: file -> config (`duckalog-core`) -> engine open and
//! restore -> catalog plan and apply -> output. The core crate owns
//! everything that needs no database; this crate runs it on DuckDB.
//!
//! Programs embed it through [`Catalog`]: load a config, [plan](Catalog::plan),
//! [apply](Catalog::apply), and [connect](Catalog::connect) to get a DuckDB
//! connection with the session restored. `examples/embed.rs` is a whole
//! program.

mod api;
mod atomic_write;
mod catalog;
// The binary's entry point and its panic hook's scrubber: public for
// src/main.rs, not part of the library's API.
#[doc(hidden)]
pub mod cli;
mod doctor;
mod engine;
mod extensions;
mod init;
mod logging;
mod output;
mod shell;

pub use api::{Action, Catalog, Change, Connection, Counts, Error, Result};
use duckalog_core::{config, connector, error, paths, plan, secrets, sql};

// The Rust snippet of docs/clients.md runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../docs/clients.md")]
pub struct ClientsPage;

#[doc(hidden)]
/// Masks every secret value this process has read in `text`: for messages
/// duckalog did not write itself, such as a panic's.
pub fn scrub(text: &str) -> String {
    secrets::scrub(text)
}
