//! Loading a config file: parse (TOML, YAML or JSON, by extension) with
//! `${env:...}` interpolation, then resolve paths and check everything that can
//! be checked without a database.

pub mod children;
pub mod dotenv;
mod iceberg;
pub mod imports;
pub mod interp;
pub mod model;
pub mod resolve;
mod secrets;
pub mod show;

pub use children::Child;
pub use interp::Vars;
pub use resolve::{AttachPolicy, Attachment, Config, Database, SecretDef, Setting, ViewDef};

use crate::connector::Registry;
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Format {
    Toml,
    Yaml,
    Json,
}

impl Format {
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "toml" => Some(Format::Toml),
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

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
    imports::merged(path, &vars(path, opts)?)
}

/// The variables `${env:...}` reads: the `.env` files the config's
/// `env_files` name (default `.env`), unless turned off.
fn vars(path: &Path, opts: &LoadOptions) -> Result<Vars> {
    if opts.no_dotenv {
        return Ok(Vars::default());
    }
    #[derive(serde::Deserialize)]
    struct EnvFiles {
        #[serde(default, deserialize_with = "interp::de::opt_strings")]
        env_files: Option<Vec<String>>,
    }
    // Only the list is wanted here: anything else wrong with the file is
    // reported by the full read that follows.
    let (format, text) = read_text(path)?;
    // Parsing a large config twice costs; most configs do not name env_files.
    let given = if text.contains("env_files") {
        parse::<EnvFiles>(format, &text, path).ok().and_then(|f| f.env_files)
    } else {
        None
    };
    let patterns = given.unwrap_or_else(|| vec![".env".to_string()]);
    let files = dotenv::discover(&dir_of(path), &patterns);
    Ok(Vars { overlay: dotenv::load(&files) })
}

/// The absolute folder of a file.
pub fn dir_of(path: &Path) -> PathBuf {
    std::path::absolute(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default()
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

/// Reads and interpolates one config file, without its imports and without
/// resolving it.
pub fn read(path: &Path, vars: &Vars) -> Result<model::File> {
    let (format, text) = read_text(path)?;
    if text.trim().is_empty() {
        return Ok(model::File { version: 1, ..Default::default() });
    }
    let mut file: model::File = interp::with_vars(vars, || parse(format, &text, path))?;
    file.stamp(path);
    Ok(file)
}

fn read_text(path: &Path) -> Result<(Format, String)> {
    let fail = |msg: String| Error::config(path, "", msg);
    let format = Format::of(path).ok_or_else(|| {
        fail("unknown config format: name the file .toml, .yaml, .yml or .json".into())
    })?;
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            fail("config file not found (give its path with --config)".into())
        }
        _ if path.is_dir() => fail("is a directory, not a config file".into()),
        _ => fail(format!("cannot read: {e}")),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, col) =
            line_col(&String::from_utf8_lossy(e.as_bytes()), e.utf8_error().valid_up_to());
        fail(format!("line {line}, column {col}: not valid UTF-8 (save the file as UTF-8)"))
    })?;
    Ok((format, text))
}

fn parse<T: DeserializeOwned>(format: Format, text: &str, path: &Path) -> Result<T> {
    let located = |key: String, pos: Option<(usize, usize)>, message: String| {
        let mut place = if key == "." { String::new() } else { key };
        if let Some((line, col)) = pos {
            if !place.is_empty() {
                place.push(' ');
            }
            place.push_str(&format!("(line {line}, column {col})"));
        }
        Error::config(path, &place, message)
    };
    match format {
        Format::Toml => {
            let de = toml::Deserializer::new(text);
            serde_path_to_error::deserialize(de).map_err(|e| {
                let key = e.path().to_string();
                let inner = e.into_inner();
                let pos = inner.span().map(|s| line_col(text, s.start));
                located(key, pos, crate::error::one_line(inner.message()))
            })
        }
        // `<<` merge keys (`<<: *defaults`), which the Python tool's YAML
        // reader applies, are applied on a parsed tree; errors then name key
        // paths without lines.
        Format::Yaml if text.contains("<<") => {
            let mut tree: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| {
                let pos = e.location().map(|l| (l.line(), l.column()));
                located(String::new(), pos, strip_location(&e.to_string()))
            })?;
            tree.apply_merge().map_err(|e| {
                located(
                    String::new(),
                    None,
                    format!("a `<<` merge key: {}", strip_location(&e.to_string())),
                )
            })?;
            serde_path_to_error::deserialize(tree).map_err(|e| {
                let key = e.path().to_string();
                located(key, None, strip_location(&e.into_inner().to_string()))
            })
        }
        Format::Yaml => {
            let de = serde_yaml_ng::Deserializer::from_str(text);
            serde_path_to_error::deserialize(de).map_err(|e| {
                let key = e.path().to_string();
                let inner = e.into_inner();
                let pos = inner.location().map(|l| (l.line(), l.column()));
                located(key, pos, strip_location(&inner.to_string()))
            })
        }
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            let parsed: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let key = e.path().to_string();
                let inner = e.into_inner();
                let pos = (inner.line() > 0).then(|| (inner.line(), inner.column()));
                located(key, pos, strip_location(&inner.to_string()))
            })?;
            de.end().map_err(|e| {
                located(String::new(), Some((e.line(), e.column())), strip_location(&e.to_string()))
            })?;
            Ok(parsed)
        }
    }
}

/// Parsers append " at line N column M" (and YAML prefixes its own key path);
/// the place is reported separately.
fn strip_location(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    let message = match message.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') && !path.is_empty() => rest,
        _ => message,
    };
    crate::error::one_line(message)
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Resolves `path` against the config's folder, leaving URLs and absolute
/// paths alone. `..` and `.` are folded so that messages show clean paths.
pub fn resolve_path(base_dir: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    let joined = if p.is_absolute() { p.to_path_buf() } else { base_dir.join(p) };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A URL that carries a user and password before its host (`https://u:p@h/`).
pub fn url_has_credentials(url: &str) -> bool {
    url.split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .is_some_and(|auth| auth.contains('@'))
}

/// A URI with a scheme (`s3://`, `https://`) is never a local path.
pub fn is_remote(uri: &str) -> bool {
    match uri.find("://") {
        Some(i) => {
            i > 0 && uri[..i].chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_against_the_config_folder() {
        let base = Path::new("/srv/cat");
        assert_eq!(resolve_path(base, "data/x.parquet"), Path::new("/srv/cat/data/x.parquet"));
        assert_eq!(resolve_path(base, "../y/*.csv"), Path::new("/srv/y/*.csv"));
        assert_eq!(resolve_path(base, "/abs/z.db"), Path::new("/abs/z.db"));
        assert!(is_remote("s3://b/k") && is_remote("https://h/x") && !is_remote("data/a.parquet"));
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("ab\ncd\nef", 4), (2, 2));
        assert_eq!(line_col("x", 0), (1, 1));
    }

    #[test]
    fn strips_parser_decorations() {
        assert_eq!(
            strip_location("views[0]: unknown field `x` at line 3 column 5"),
            "unknown field `x`"
        );
        assert_eq!(strip_location("missing field `name`"), "missing field `name`");
    }
}
