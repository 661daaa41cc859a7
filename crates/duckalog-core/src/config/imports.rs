//! `imports`: other config files merged into one, recursively.
//!
//! A file's imports are merged first, in order, then the file itself.
//! Views, attachments, secrets and iceberg catalogs are keyed by name: a
//! definition made again in another file replaces the earlier one only when
//! it comes from an import marked `override = true` (or from inside one),
//! and is an error otherwise. Lists of extensions, pragmas and settings are
//! concatenated; a single value (the database path, ...) is taken from the
//! importing file over its imports, and from a later import over an earlier one.

use super::model::{File, Import, Origin, Sourced};
use super::{Source, Vars};
use crate::error::{Error, Result};
use crate::paths::{dir_of, is_remote, resolve_path};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// `source` and everything it imports, as one file.
pub fn merged(source: Source, vars: &Vars) -> Result<File> {
    let mut loader = Loader { vars, stack: Vec::new(), seen: HashSet::new() };
    loader.load(source, false)
}

struct Loader<'a> {
    vars: &'a Vars,
    /// The files being loaded, outermost first, for cycle messages.
    stack: Vec<PathBuf>,
    /// Files already merged: a file imported twice (a diamond) counts once.
    seen: HashSet<PathBuf>,
}

impl Loader<'_> {
    fn load(&mut self, source: Source, replaces: bool) -> Result<File> {
        let mut own = source.file(self.vars)?;
        let path = source.path.as_path();
        let id = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.seen.insert(id.clone());
        self.stack.push(id);
        let imports = std::mem::take(&mut own.imports);
        if self.stack.len() > 1 {
            anchor(&mut own, &dir_of(path));
        }
        let mut acc = File { version: own.version, ..Default::default() };
        let dir = dir_of(path);
        for file in expand(&imports, &dir, path)? {
            let key = file.key.clone();
            let fid = std::fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone());
            if let Some(start) = self.stack.iter().position(|p| *p == fid) {
                let chain: Vec<String> = self.stack[start..]
                    .iter()
                    .chain(std::iter::once(&fid))
                    .map(|p| p.display().to_string())
                    .collect();
                return Err(Error::config(
                    path,
                    &key,
                    format!("import cycle: {} (remove one of these imports)", chain.join(" -> ")),
                ));
            }
            if !self.seen.insert(fid) {
                log::debug!(
                    "{} is imported more than once; it is merged once",
                    file.path.display()
                );
                continue;
            }
            let child = self.load(Source::read(&file.path)?, replaces || file.replaces)?;
            merge(&mut acc, child)?;
        }
        for_each_origin(&mut own, |o| o.replaces = replaces);
        merge(&mut acc, own)?;
        self.stack.pop();
        Ok(acc)
    }
}

struct Target {
    path: PathBuf,
    replaces: bool,
    key: String,
}

/// The files an `imports` list names, globs expanded (matches sorted) and
/// `!pattern` entries removed: a folder a `!pattern` names (`!parts/**`,
/// `!parts`) removes everything in it.
fn expand(imports: &[Import], dir: &Path, file: &Path) -> Result<Vec<Target>> {
    let err = |i: usize, m: String| Error::config(file, &format!("imports[{i}]"), m);
    let matches = |i: usize, pattern: &str, files_only: bool| -> Result<Vec<PathBuf>> {
        if is_remote(pattern) {
            return Err(err(
                i,
                "imports must be local files; copy the remote file next to the config".into(),
            ));
        }
        let full = resolve_path(dir, pattern);
        let text = full.to_str().ok_or_else(|| err(i, "the path is not valid UTF-8".into()))?;
        if !pattern.contains(['*', '?', '[']) {
            return Ok(vec![full]);
        }
        let mut found: Vec<PathBuf> = glob::glob(text)
            .map_err(|e| err(i, format!("bad pattern: {e}")))?
            .filter_map(|m| m.ok())
            .filter(|p| !files_only || p.is_file())
            .collect();
        found.sort();
        Ok(found)
    };
    let mut excluded = Vec::new();
    for (i, imp) in imports.iter().enumerate() {
        if let Some(pattern) = imp.path().strip_prefix('!') {
            // `dir/**` is the folder and all in it; the glob crate yields only its subfolders.
            let pattern = pattern.trim();
            excluded.extend(matches(i, pattern.strip_suffix("/**").unwrap_or(pattern), false)?);
        }
    }
    let mut out = Vec::new();
    for (i, imp) in imports.iter().enumerate() {
        let pattern = imp.path().trim();
        if pattern.starts_with('!') {
            continue;
        }
        if pattern.is_empty() {
            return Err(err(i, "the path must not be empty".into()));
        }
        let found = matches(i, pattern, true)?;
        if found.is_empty() {
            return Err(err(
                i,
                format!("no file matches {pattern:?} (patterns are relative to {})", dir.display()),
            ));
        }
        for path in found {
            if excluded.iter().any(|e| path.starts_with(e)) {
                continue;
            }
            if !path.exists() {
                return Err(err(i, format!("imported file {} not found", path.display())));
            }
            out.push(Target { path, replaces: imp.replaces(), key: format!("imports[{i}]") });
        }
    }
    Ok(out)
}

/// Makes the paths an imported file gives outside its definitions absolute,
/// so they keep meaning the same thing once merged into another file.
fn anchor(file: &mut File, dir: &Path) {
    let fix = |p: &mut String| {
        if p != ":memory:" && !p.trim().is_empty() && !is_remote(p) {
            *p = resolve_path(dir, p).display().to_string();
        }
    };
    let d = &mut file.duckdb;
    d.database
        .iter_mut()
        .chain(d.extension_directory.iter_mut())
        .chain(d.secret_directory.iter_mut())
        .for_each(fix);
    d.load_extensions.iter_mut().filter(|n| crate::extension::is_path(n)).for_each(fix);
    file.plugin_dirs.iter_mut().for_each(fix);
}

fn for_each_origin(file: &mut File, mut f: impl FnMut(&mut Origin)) {
    file.views.iter_mut().for_each(|v| f(&mut v.origin));
    file.attachments.values_mut().flatten().for_each(|t| f(&mut t.origin));
    file.iceberg_catalogs.iter_mut().for_each(|c| f(&mut c.origin));
    file.duckdb.secrets.iter_mut().for_each(|s| f(&mut s.origin));
    file.duckdb.settings.iter_mut().for_each(|s| f(&mut s.origin));
}

/// Merges `next` into `acc`; `next` is the later file.
fn merge(acc: &mut File, next: File) -> Result<()> {
    acc.version = acc.version.max(next.version);
    let (a, n) = (&mut acc.duckdb, next.duckdb);
    for (slot, value) in [
        (&mut a.database, n.database),
        (&mut a.extension_directory, n.extension_directory),
        (&mut a.secret_directory, n.secret_directory),
    ] {
        if value.is_some() {
            *slot = value;
        }
    }
    for (list, more) in [
        (&mut a.install_extensions, n.install_extensions),
        (&mut a.load_extensions, n.load_extensions),
        (&mut acc.plugin_dirs, next.plugin_dirs),
    ] {
        for item in more {
            if !list.contains(&item) {
                list.push(item);
            }
        }
    }
    a.pragmas.extend(n.pragmas);
    a.settings.extend(n.settings);
    acc.semantic_models.extend(next.semantic_models);

    let view_key = |v: &super::model::View| {
        let schema = v.db_schema.as_deref().map(str::trim).unwrap_or("main");
        format!("view {}.{}", schema.to_lowercase(), v.name.trim().to_lowercase())
    };
    merge_named(&mut acc.views, next.views, view_key)?;
    let secret_key = |s: &super::model::SecretEntry| {
        let kind = crate::secrets::kind::find(&s.kind)
            .map_or(s.kind.to_lowercase(), |k| k.name.to_string());
        format!("secret {}", s.name.as_deref().unwrap_or(&kind).trim().to_lowercase())
    };
    merge_named(&mut a.secrets, n.secrets, secret_key)?;
    merge_named(&mut acc.iceberg_catalogs, next.iceberg_catalogs, |t| {
        format!("iceberg catalog {}", table_name(t, "name"))
    })?;

    // Aliases are unique across attachment kinds.
    let mut all: Vec<Sourced<(String, super::model::Table)>> = Vec::new();
    let flatten =
        |by_kind: std::collections::BTreeMap<String, Vec<Sourced<super::model::Table>>>,
         out: &mut Vec<_>| {
            for (kind, tables) in by_kind {
                out.extend(
                    tables
                        .into_iter()
                        .map(|t| Sourced { item: (kind.clone(), t.item), origin: t.origin }),
                );
            }
        };
    let mut later = Vec::new();
    flatten(std::mem::take(&mut acc.attachments), &mut all);
    flatten(next.attachments, &mut later);
    merge_named(&mut all, later, |(_, t)| format!("attachment {}", table_name(t, "alias")))?;
    for Sourced { item: (kind, table), origin } in all {
        acc.attachments.entry(kind).or_default().push(Sourced { item: table, origin });
    }
    Ok(())
}

fn table_name(t: &super::model::Table, key: &str) -> String {
    t.0.get(key).and_then(|v| v.as_str()).unwrap_or("").trim().to_lowercase()
}

/// Adds `more` to `list`. A name defined again in another file replaces the
/// earlier definition when the later one may replace, and is an error
/// otherwise; twice in one file is left for the file's own checks.
fn merge_named<T>(
    list: &mut Vec<Sourced<T>>,
    more: Vec<Sourced<T>>,
    name: impl Fn(&T) -> String,
) -> Result<()> {
    let mut index: std::collections::HashMap<String, usize> =
        list.iter().enumerate().map(|(i, e)| (name(&e.item), i)).collect();
    for item in more {
        let n = name(&item.item);
        match index.get(&n).copied() {
            Some(i) if list[i].origin.file != item.origin.file => {
                if !item.origin.replaces {
                    let first = &list[i].origin;
                    return Err(item.origin.error(
                        "",
                        format!(
                            "{n} is already defined in {} {}; remove one, or make the later one in a file imported with override = true",
                            first.file.display(),
                            first.key
                        ),
                    ));
                }
                log::debug!(
                    "{n} from {} replaces the one from {}",
                    item.origin.file.display(),
                    list[i].origin.file.display()
                );
                list[i] = item;
            }
            Some(_) => list.push(item),
            None => {
                index.insert(n, list.len());
                list.push(item);
            }
        }
    }
    Ok(())
}
