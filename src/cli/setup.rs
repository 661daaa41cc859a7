//! What commands share: finding and loading the config, the options of the
//! command line, and how a result becomes an exit status.

use crate::cli::args::*;
use crate::config::{self, Config, Database};
use crate::engine::OpenOptions;
use crate::error::{Error, Exit, Result};
use crate::output::{self, Format};
use crate::plan::Counts;
use std::path::PathBuf;

/// Sets up logging, then loads the config with the command line's overrides.
pub(crate) fn prepare(cmd: &dyn Common) -> Result<(Config, Database, CommonArgsOwned)> {
    let c = cmd.common();
    crate::logging::init(c.verbose, c.quiet);
    let path = config_path(&c)?;
    let config = config::load(&path, &c.load_options()?)?;
    let database = c.db.map(database_arg).unwrap_or_else(|| config.database.clone());
    Ok((config, database, CommonArgsOwned::of(&c)?))
}

pub(crate) fn database_arg(p: &PathBuf) -> Database {
    if p.as_os_str() == ":memory:" {
        Database::Memory
    } else {
        Database::File(std::path::absolute(p).unwrap_or_else(|_| p.clone()))
    }
}

/// The config to read: the one named, else the default one; a missing
/// default is named, so that loading it says it is not found.
pub(crate) fn config_path(c: &CommonArgs) -> Result<PathBuf> {
    Ok(config_found(c)?.unwrap_or_else(|| PathBuf::from("duckalog.toml")))
}

/// The config named, or the default one if it exists; `None` when neither.
pub(crate) fn config_found(c: &CommonArgs) -> Result<Option<PathBuf>> {
    match (c.config_arg, c.config) {
        (Some(_), Some(_)) => Err(Error::Usage(
            "give the config either as an argument or with --config, not both".into(),
        )),
        (Some(p), None) | (None, Some(p)) => Ok(Some(p.clone())),
        (None, None) => Ok(default_config()),
    }
}

/// The first of duckalog.toml, .yaml, .yml, .json in the working folder.
pub(crate) fn default_config() -> Option<PathBuf> {
    ["toml", "yaml", "yml", "json"]
        .iter()
        .map(|ext| PathBuf::from(format!("duckalog.{ext}")))
        .find(|p| p.is_file())
}

pub(crate) struct CommonArgsOwned {
    pub(crate) extension_dir: Option<PathBuf>,
    pub(crate) lock_timeout: std::time::Duration,
    pub(crate) verbose: u8,
    pub(crate) quiet: bool,
}

impl CommonArgsOwned {
    pub(crate) fn of(c: &CommonArgs) -> Result<Self> {
        let lock_timeout = match c.lock_timeout {
            Some(0.0) => std::time::Duration::ZERO,
            Some(s) => seconds(s)?,
            None => crate::engine::DEFAULT_LOCK_TIMEOUT,
        };
        Ok(CommonArgsOwned {
            extension_dir: c.extension_dir.cloned(),
            lock_timeout,
            verbose: c.verbose,
            quiet: c.quiet,
        })
    }

    pub(crate) fn open_options(&self, config: &Config, read_only: bool) -> OpenOptions {
        OpenOptions {
            lock_timeout: self.lock_timeout,
            ..OpenOptions::for_config(config, read_only, self.extension_dir.clone())
        }
    }
}

/// `run --query` and `query` take one statement, checked before anything
/// runs: DuckDB would run every statement of the text and answer with the last.
pub(crate) fn one_statement(sql: &str) -> Result<()> {
    match crate::shell::statements(sql).len() {
        0 => Err(Error::Usage("the query is empty: give one SQL statement".into())),
        1 => Ok(()),
        n => Err(Error::Usage(format!(
            "the query holds {n} statements: give one (the shell runs several in turn: duckalog run -i < statements.sql)"
        ))),
    }
}

/// Runs `sql` and prints its result: `run --query` and `query`.
pub(crate) fn print_query(
    instance: &crate::engine::Instance,
    sql: &str,
    timeout: Option<f64>,
    format: Format,
) -> Result<()> {
    let timeout = timeout.map(seconds).transpose()?;
    let direct = instance.direct().map_err(|e| Error::database("opening a connection", e))?;
    output::print(
        crate::engine::query::run(&direct, sql, timeout, format.cells())?,
        format,
        &mut std::io::stdout().lock(),
    )
}

/// Success, or partial success when optional attachments were unavailable.
pub(crate) fn exit_code(n: &Counts) -> Exit {
    if n.attachments_skipped > 0 {
        Exit::Partial
    } else {
        Exit::Ok
    }
}

pub(crate) fn seconds(s: f64) -> Result<std::time::Duration> {
    if s.is_finite() && s > 0.0 && s < 1e9 {
        Ok(std::time::Duration::from_secs_f64(s))
    } else {
        Err(Error::Usage(format!("{s} is not a positive number of seconds")))
    }
}
