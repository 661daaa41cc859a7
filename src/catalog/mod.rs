//! The catalog: configured views against what the database holds, the plan
//! that closes the gap, and applying it.

pub mod apply;
pub mod deps;
pub mod plan;
pub mod script;
pub mod state;

use crate::config::{Config, Database, ViewDef};
use crate::error::{Error, Result};
use crate::instance::Instance;
use crate::session::{self, OpenOptions};
use duckdb::Connection;
pub use plan::{Action, Counts, Options, Plan};
use std::collections::HashSet;

/// A catalog session: the database opens, and its session state is restored,
/// on first use.
pub struct Session<'c> {
    config: &'c Config,
    database: Database,
    opts: OpenOptions,
    conn: Option<Instance>,
    restored: session::Restored,
    /// This session created the database file: a failed run removes it
    /// again rather than leave an empty catalog behind.
    created: bool,
    /// The attached catalogs are already current (they were brought up to
    /// date, deepest first, by the outermost session).
    children_current: bool,
}

impl<'c> Session<'c> {
    pub fn new(config: &'c Config, database: Database, opts: OpenOptions) -> Self {
        Session {
            config,
            database,
            opts,
            conn: None,
            restored: session::Restored::default(),
            created: false,
            children_current: false,
        }
    }

    /// The restored connection, opening and restoring on the first call.
    /// A session that may write first brings the attached catalogs up to date.
    pub fn connection(&mut self) -> Result<&Connection> {
        if self.conn.is_none() {
            if !self.opts.read_only && !self.children_current {
                update_children(self.config, &self.opts)?;
            }
            let existed = matches!(&self.database, Database::File(p) if p.exists());
            let conn = session::open(&self.database, &self.opts)?;
            self.created =
                matches!(self.database, Database::File(_)) && !existed && holds_nothing(&conn)?;
            match session::restore(&conn, self.config, &self.opts) {
                Ok(restored) => self.restored = restored,
                Err(e) => {
                    self.discard(conn);
                    return Err(e);
                }
            }
            self.conn = Some(conn);
        }
        Ok(self.conn.as_deref().expect("opened above"))
    }

    /// Brings the views up to date and returns what changed. A read-only
    /// session changes nothing and fails if any view is missing or outdated.
    pub fn reconcile(&mut self, opts: Options) -> Result<Counts> {
        let result = self.try_reconcile(opts);
        if result.is_err() {
            if let Some(conn) = self.conn.take() {
                self.discard(conn);
            }
        }
        result
    }

    /// Closes `conn`, removing the database file first if this session
    /// created it: while the connection holds the file's lock, no other
    /// process can have opened it.
    fn discard(&self, conn: Instance) {
        let Database::File(path) = &self.database else { return };
        if !self.created {
            return;
        }
        let wal = path.with_file_name(format!(
            "{}.wal",
            path.file_name().unwrap_or_default().to_string_lossy()
        ));
        let _ = std::fs::remove_file(path);
        drop(conn);
        if !path.exists() {
            let _ = std::fs::remove_file(wal);
        }
    }

    fn try_reconcile(&mut self, opts: Options) -> Result<Counts> {
        // An in-memory catalog lives only in this process: building it writes no file.
        let read_only = self.opts.read_only && self.database != Database::Memory;
        let config = self.config;
        self.connection()?;
        let conn = self.conn.as_ref().expect("opened above");
        let actual = state::read(conn)?;
        let mut plan = plan::diff(&config.views, &config.secrets, &actual, opts);
        let unavailable: HashSet<String> =
            self.restored.skipped.iter().map(|(a, _)| a.to_lowercase()).collect();
        if !unavailable.is_empty() {
            let views: Vec<&ViewDef> = config.views.iter().collect();
            let nodes = deps::graph(conn, &views, &actual.catalog)?;
            let reading: HashSet<state::Key> = deps::reading(&nodes, &unavailable)
                .into_iter()
                .map(|i| state::key(&views[i].schema, &views[i].name))
                .collect();
            plan::skip(&mut plan, &reading);
        }
        let attachments_skipped = self.restored.skipped.len();
        if read_only && plan.pending() {
            let pending: Vec<String> = plan
                .changes
                .iter()
                .filter(|c| c.action.changes_catalog())
                .map(|c| crate::sql::qualified(&[&c.schema, &c.name]))
                .collect();
            return Err(Error::database(
                "read-only database",
                format!(
                    "{} view(s) need changes that a read-only session cannot make: {}; run without --read-only first",
                    pending.len(),
                    preview(&pending)
                ),
            ));
        }
        let mut counts = if read_only {
            // Persistent secrets were restored, but a read-only catalog cannot record them.
            plan.counts()
        } else {
            apply::apply(conn, &plan, &actual)?
        };
        counts.attachments_skipped = attachments_skipped;
        Ok(counts)
    }
}

/// Brings each attached catalog's database up to date (its own children
/// first), so that the parent attaches current views.
fn update_children(config: &Config, opts: &OpenOptions) -> Result<()> {
    // Deepest first, and each database once, however many parents reach it.
    fn order<'a>(
        config: &'a Config,
        seen: &mut HashSet<std::path::PathBuf>,
        out: &mut Vec<&'a crate::config::Child>,
    ) {
        for child in &config.children {
            order(&child.config, seen, out);
            if seen.insert(child.database.clone()) {
                out.push(child);
            }
        }
    }
    let mut children = Vec::new();
    order(config, &mut HashSet::new(), &mut children);
    for child in children {
        let path = child.config.path.display();
        log::info!("bringing attached catalog {} ({path}) up to date", child.alias);
        let child_opts = OpenOptions {
            read_only: false,
            secret_dir: child.config.secret_directory.clone(),
            ..opts.clone()
        };
        let mut session = Session {
            children_current: true,
            ..Session::new(&child.config, Database::File(child.database.clone()), child_opts)
        };
        let counts = session
            .reconcile(Options { force_rebuild: opts.force_rebuild, prune: false })
            .map_err(|e| match e {
                Error::Database { context, message } => Error::Database {
                    context: format!("attached catalog {} ({path}): {context}", child.alias),
                    message,
                },
                other => other,
            })?;
        log::info!("attached catalog {}: {}", child.alias, counts.summary());
    }
    Ok(())
}

/// The catalog's current state without opening it for writing or restoring
/// anything. A database that does not exist yet holds nothing, but the
/// persistent secrets of the secret directory are still read.
pub fn read_state(database: &Database, opts: &OpenOptions) -> Result<state::Actual> {
    let exists = matches!(database, Database::File(p) if p.exists());
    let conn = session::open(
        if exists { database } else { &Database::Memory },
        &OpenOptions { read_only: true, ..opts.clone() },
    )?;
    let mut actual = state::read(&conn)?;
    if !exists {
        actual.catalog.clear();
    }
    Ok(actual)
}

/// Whether the opened database holds no table or view of its own.
fn holds_nothing(conn: &Connection) -> Result<bool> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()) \
         + (SELECT count(*) FROM duckdb_views() WHERE NOT internal AND database_name = current_database()) = 0",
        [],
        |r| r.get(0),
    )
    .map_err(|e| Error::database("reading the catalog", e))
}

fn preview(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut s = names.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    s
}
