//! `attachments.duckalog`: catalogs of catalogs. Each entry names another
//! duckalog config; its database is brought up to date before the parent's
//! session opens, then attached under the entry's alias. A child's views may
//! read the child's own attachments (its children among them), so the parent
//! restores those too, under the same aliases.

use super::model::{Origin, Sourced, Table};
use super::resolve::{Attachment, Config, Database, SecretDef};
use super::LoadOptions;
use crate::error::Result;
use crate::lax;
use crate::paths::resolve_path;
use std::path::{Path, PathBuf};

/// How deep catalogs may nest: far more than any sane layout needs, and a
/// stop for a chain that grows by mistake.
pub const MAX_DEPTH: usize = 8;

/// Another duckalog catalog this config attaches (`attachments.duckalog`),
/// loaded and checked like the parent.
#[derive(Debug)]
pub struct Child {
    /// The alias its database is attached under.
    pub alias: String,
    /// The database the child's config builds, which the parent attaches.
    pub database: PathBuf,
    /// Whether its database is attached read-only (the default).
    pub read_only: bool,
    /// The child's own config, resolved.
    pub config: Box<Config>,
    /// Where it is defined.
    pub origin: Origin,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    alias: String,
    config_path: String,
    #[serde(default)]
    database: Option<String>,
    #[serde(default = "yes", deserialize_with = "lax::bool")]
    read_only: bool,
}

fn yes() -> bool {
    true
}

/// Loads every child config named by `tables`; `chain` holds the configs
/// being loaded, outermost first, to find cycles.
pub(super) fn load(
    tables: Vec<Sourced<Table>>,
    opts: &LoadOptions,
    chain: &[PathBuf],
) -> Result<Vec<Child>> {
    let mut out = Vec::new();
    for Sourced { item: Table(table), origin } in tables {
        let e: Entry =
            crate::connector::parse(&table).map_err(|e| origin.error(&e.key, e.message))?;
        if e.config_path.trim().is_empty() {
            return Err(origin.error("config_path", "must not be empty"));
        }
        let path = resolve_path(&origin.dir, e.config_path.trim());
        let id = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        let shown = |extra: &Path| {
            chain
                .iter()
                .map(|p| p.display().to_string())
                .chain([extra.display().to_string()])
                .collect::<Vec<_>>()
                .join(" -> ")
        };
        if chain.contains(&id) {
            return Err(origin.error(
                "config_path",
                format!("catalogs attach each other in a cycle: {}", shown(&id)),
            ));
        }
        if chain.len() >= MAX_DEPTH {
            return Err(origin.error(
                "config_path",
                format!("catalogs nest more than {MAX_DEPTH} deep: {}", shown(&id)),
            ));
        }
        if !path.is_file() {
            return Err(
                origin.error("config_path", format!("config file {} not found", path.display()))
            );
        }
        let mut inner = chain.to_vec();
        inner.push(id);
        let config = super::load_nested(&path, opts, &inner)?;
        let database = match (e.database.as_deref().map(str::trim), &config.database) {
            (Some(""), _) => return Err(origin.error("database", "must not be empty")),
            (Some(db), _) => resolve_path(&origin.dir, db),
            (None, Database::File(p)) => p.clone(),
            (None, Database::Memory) => {
                return Err(origin.error(
                    "",
                    format!("{} keeps its catalog in memory; give it a duckdb.database, or give database here", path.display()),
                ))
            }
        };
        out.push(Child {
            alias: e.alias.trim().to_string(),
            database,
            read_only: e.read_only,
            config: Box::new(config),
            origin,
        });
    }
    Ok(out)
}

/// Adds what the children's views need to the parent's session: their own
/// attachments and their secrets (as temporary ones), refusing an alias or
/// secret name that means something else in the parent.
pub(super) fn lend(
    children: &[Child],
    attachments: &mut Vec<Attachment>,
    secrets: &mut Vec<SecretDef>,
) -> Result<()> {
    for child in children {
        let from = child.config.path.display();
        for a in &child.config.attachments {
            match attachments.iter().find(|p| p.alias.eq_ignore_ascii_case(&a.alias)) {
                Some(p) if p.spec == a.spec => {}
                Some(p) => {
                    return Err(p.origin.error("", format!("alias {:?} is also used by {from} for another attachment, which its views need; rename one", a.alias)))
                }
                None => attachments.push(a.clone()),
            }
        }
        for s in &child.config.secrets {
            let lent = SecretDef { persistent: false, ..s.clone() };
            match secrets.iter().find(|p| p.name.eq_ignore_ascii_case(&s.name)) {
                Some(p) if p.statement(false) == lent.statement(false) => {}
                Some(p) => {
                    return Err(p.origin.error(
                        "name",
                        format!(
                            "secret {:?} is also defined, differently, by {from}; rename one",
                            s.name
                        ),
                    ))
                }
                None => secrets.push(lent),
            }
        }
    }
    Ok(())
}
