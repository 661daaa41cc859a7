//! Loading a config file: parse (TOML, YAML or JSON, by extension) with
//! `${env:...}` interpolation, then resolve paths and check everything that can
//! be checked without a database.

pub mod children;
pub mod convert;
pub mod dotenv;
mod iceberg;
pub mod imports;
pub mod interp;
pub mod model;
pub mod resolve;
mod secrets;
pub mod show;
mod source;

pub use children::Child;
pub use interp::Vars;
pub use resolve::{AttachPolicy, Attachment, Config, Database, SecretDef, Setting, ViewDef};
pub use source::{Format, Source};

use crate::connector::Registry;
use crate::error::{Error, Result};
use crate::paths::{dir_of, resolve_path};
use std::path::{Path, PathBuf};

/// What the command line adds to a config.
#[derive(Debug, Default)]
pub struct LoadOptions {
    /// Skip `.env` files (`--no-dotenv`).
    pub no_dotenv: bool,
    /// Plugin folders besides the config's `plugin_dirs`.
    pub plugin_dirs: Vec<PathBuf>,
    /// Replaces every attachment's `timeout`.
    pub attach_timeout: Option<std::time::Duration>,
}

/// Reads, interpolates, resolves and validates the config at `path`, with
/// the connectors built in and those of the plugin folders the config and
/// the options name.
pub fn load(path: &Path, opts: &LoadOptions) -> Result<Config> {
    resolve_file(merged(path, opts)?, path, opts)
}

/// Checks a merged config (from [`merged`]) as [`load`] does.
pub fn resolve_file(file: model::File, path: &Path, opts: &LoadOptions) -> Result<Config> {
    let id = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    resolve_in(file, path, opts, &[id])
}

/// Loads a config that `chain` (outermost first, ending with this one) attaches.
fn load_nested(path: &Path, opts: &LoadOptions, chain: &[PathBuf]) -> Result<Config> {
    resolve_in(merged(path, opts)?, path, opts, chain)
}

fn resolve_in(
    file: model::File,
    path: &Path,
    opts: &LoadOptions,
    chain: &[PathBuf],
) -> Result<Config> {
    let registry = registry(&file, path, &opts.plugin_dirs)?;
    resolve::resolve(file, path, &registry, opts, chain)
}

/// The config at `path` with its imports merged in and its variables
/// (environment over `.env` files) filled in, not yet resolved.
pub fn merged(path: &Path, opts: &LoadOptions) -> Result<model::File> {
    let source = Source::read(path)?;
    let vars = vars(&source, opts)?;
    imports::merged(source, &vars)
}

/// The variables `${env:...}` reads: the `.env` files the config's
/// `env_files` name (default `.env`), unless turned off.
fn vars(source: &Source, opts: &LoadOptions) -> Result<Vars> {
    if opts.no_dotenv {
        return Ok(Vars::default());
    }
    let patterns = source.env_files().unwrap_or_else(|| vec![".env".to_string()]);
    let files = dotenv::discover(&dir_of(&source.path), &patterns);
    Ok(Vars { overlay: dotenv::load(&files) })
}

/// The connectors a config can use: the built-in ones, the plugins of its
/// `plugin_dirs`, then those of `extra` (from the command line).
pub fn registry(file: &model::File, path: &Path, extra: &[PathBuf]) -> Result<Registry> {
    let dir = dir_of(path);
    let dirs: Vec<PathBuf> = file
        .plugin_dirs
        .iter()
        .map(|d| resolve_path(&dir, d))
        .chain(extra.iter().cloned())
        .collect();
    Registry::with_plugins(&dirs).map_err(|m| Error::config(path, "plugin_dirs", m))
}
