//! One config file, read once: its format, its text, and the parse of that
//! text (with `${env:...}` interpolated) into the file model. Errors name
//! the file, the key path and the line and column the parser knows.

use super::interp::{Interpolating, Vars};
use super::model;
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// A config file's format, told by its extension.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Format {
    /// `.toml`
    Toml,
    /// `.yaml` or `.yml`
    Yaml,
    /// `.json`
    Json,
}

impl Format {
    /// The format of the file at `path`; `None` for another extension.
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "toml" => Some(Format::Toml),
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// A config file's text, read once.
#[derive(Debug)]
pub struct Source {
    /// The path it was read from, as given.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// Its whole text.
    pub text: String,
}

impl Source {
    /// Reads the file at `path`.
    pub fn read(path: &Path) -> Result<Source> {
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
        Ok(Source { path: path.to_path_buf(), format, text })
    }

    /// The file model, every string value interpolated with `vars`; without
    /// its imports and not resolved.
    pub fn file(&self, vars: &Vars) -> Result<model::File> {
        if self.text.trim().is_empty() {
            return Ok(model::File { version: 1, ..Default::default() });
        }
        let mut file: model::File = parse(self.format, &self.text, &self.path, vars)?;
        file.stamp(&self.path);
        Ok(file)
    }

    /// The `env_files` the file names, interpolated from the environment
    /// alone: the `.env` files are what it selects.
    pub fn env_files(&self) -> Option<Vec<String>> {
        #[derive(serde::Deserialize)]
        struct EnvFiles {
            #[serde(default)]
            env_files: Option<Vec<String>>,
        }
        // Most configs do not name env_files: a large one is parsed once.
        if !self.text.contains("env_files") {
            return None;
        }
        // Anything else wrong with the file is reported by the full parse.
        let parsed = parse::<EnvFiles>(self.format, &self.text, &self.path, &Vars::default());
        parsed.ok().and_then(|f| f.env_files)
    }
}

fn parse<T: DeserializeOwned>(format: Format, text: &str, path: &Path, vars: &Vars) -> Result<T> {
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
            serde_path_to_error::deserialize(Interpolating::new(de, vars)).map_err(|e| {
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
            serde_path_to_error::deserialize(Interpolating::new(tree, vars)).map_err(|e| {
                let key = e.path().to_string();
                located(key, None, strip_location(&e.into_inner().to_string()))
            })
        }
        Format::Yaml => {
            let de = serde_yaml_ng::Deserializer::from_str(text);
            serde_path_to_error::deserialize(Interpolating::new(de, vars)).map_err(|e| {
                let key = e.path().to_string();
                let inner = e.into_inner();
                let pos = inner.location().map(|l| (l.line(), l.column()));
                located(key, pos, strip_location(&inner.to_string()))
            })
        }
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            let parsed: T = serde_path_to_error::deserialize(Interpolating::new(&mut de, vars))
                .map_err(|e| {
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

#[cfg(test)]
mod tests {
    use super::*;

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
