//! The catalog: configured views against what the database holds, the plan
//! that closes the gap, and applying it.

pub(crate) mod apply;
pub(crate) mod deps;
pub(crate) mod script;
pub(crate) mod secrets;
pub(crate) mod session;
pub(crate) mod state;

use crate::config::{Config, Database, ViewDef};
use crate::engine::restore::{self, Restored};
use crate::engine::{self, Instance, OpenOptions};
use crate::error::{Error, Result};
use crate::plan::{self, Actual, Counts, Options, Plan};
use duckdb::Connection;
use std::collections::HashSet;

/// A catalog session: the database opens, and its session state is restored,
/// on first use. Its plan is computed once, when it opens: the persistent
/// secrets it finds current are kept while restoring, and the views are
/// reconciled against the same reading of the catalog.
pub(crate) struct Session<'c> {
    config: &'c Config,
    database: Database,
    opts: OpenOptions,
    purpose: Purpose,
    opened: Option<Opened<'c>>,
    /// The attached catalogs are already current (they were brought up to
    /// date, deepest first, by the outermost session).
    children_current: bool,
}

/// What a session is opened for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Purpose {
    /// Bringing the views up to date, with these plan options.
    Reconcile(Options),
    /// Serving queries: only the persistent secrets are compared, and the
    /// catalog's views are not read.
    Query,
}

/// An opened and restored catalog, with what it held when it opened.
struct Opened<'c> {
    conn: Instance,
    actual: Actual,
    plan: Plan<'c>,
    restored: Restored,
    /// This session created the database file: a failed run removes it
    /// again rather than leave an empty catalog behind.
    created: bool,
}

impl<'c> Session<'c> {
    pub(crate) fn new(
        config: &'c Config,
        database: Database,
        opts: OpenOptions,
        purpose: Purpose,
    ) -> Self {
        Session { config, database, opts, purpose, opened: None, children_current: false }
    }

    /// The restored connection, opening and restoring on the first call.
    /// A session that may write first brings the attached catalogs up to date.
    pub(crate) fn connection(&mut self) -> Result<&Instance> {
        if self.opened.is_none() {
            if let (Purpose::Reconcile(plan_opts), false, false) =
                (self.purpose, self.opts.read_only, self.children_current)
            {
                update_children(self.config, &self.opts, plan_opts)?;
            }
            self.opened = Some(self.open()?);
        }
        Ok(&self.opened.as_ref().expect("opened above").conn)
    }

    /// The restored instance, for the caller to keep; opened and restored
    /// first if it is not yet.
    pub(crate) fn into_instance(mut self) -> Result<Instance> {
        self.connection()?;
        Ok(self.opened.take().expect("opened above").conn)
    }

    /// Optional attachments this session could not attach: (alias, reason).
    pub(crate) fn skipped(&self) -> &[(String, String)] {
        self.opened.as_ref().map_or(&[], |o| &o.restored.skipped)
    }

    fn open(&self) -> Result<Opened<'c>> {
        let existed = matches!(&self.database, Database::File(p) if p.exists());
        let conn = engine::open(&self.database, &self.opts)?;
        let created =
            matches!(self.database, Database::File(_)) && !existed && holds_nothing(&conn)?;
        let steps = restore::steps(self.config);
        let restored = (|| {
            restore::environment(&conn, &steps, &self.opts)?;
            // Read before anything is attached: DuckDB's catalog functions
            // then have only the catalog's own database to walk.
            let (actual, plan) = self.plan(&conn)?;
            let restored = restore::sources(&conn, &steps, &self.opts, &plan.current_secrets())?;
            Ok((actual, plan, restored))
        })();
        match restored {
            Ok((actual, plan, restored)) => Ok(Opened { conn, actual, plan, restored, created }),
            Err(e) => {
                self.discard(conn, created);
                Err(e)
            }
        }
    }

    /// What the catalog holds and the plan against it, as far as the
    /// session's purpose needs.
    fn plan(&self, conn: &Connection) -> Result<(Actual, Plan<'c>)> {
        let config = self.config;
        let (mut actual, views, opts) = match self.purpose {
            Purpose::Reconcile(opts) => (state::read(conn)?, &config.views[..], opts),
            Purpose::Query => (state::read_secrets(conn, config)?, &[][..], Options::default()),
        };
        // Only a session that records what it writes needs a key made; any
        // other one compares with the key it finds, or rewrites the secrets.
        let records = matches!(self.purpose, Purpose::Reconcile(_)) && !self.read_only();
        actual.secret_key = state::secret_key(conn, config, records)?;
        let plan = plan::diff(views, &config.secrets, &actual, opts);
        Ok((actual, plan))
    }

    /// Brings the views up to date and returns what changed. A read-only
    /// session changes nothing and fails if any view is missing or outdated.
    pub(crate) fn reconcile(&mut self) -> Result<Counts> {
        let result = self.try_reconcile();
        if result.is_err() {
            if let Some(o) = self.opened.take() {
                self.discard(o.conn, o.created);
            }
        }
        result
    }

    /// Closes `conn`, removing the database file first if this session
    /// created it: while the connection holds the file's lock, no other
    /// process can have opened it.
    fn discard(&self, conn: Instance, created: bool) {
        let Database::File(path) = &self.database else { return };
        if !created {
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

    /// Whether the session changes nothing. An in-memory catalog lives only
    /// in this process: building it writes no file, even when read-only.
    fn read_only(&self) -> bool {
        self.opts.read_only && self.database != Database::Memory
    }

    fn try_reconcile(&mut self) -> Result<Counts> {
        if let Purpose::Query = self.purpose {
            return Err(Error::Other("a query session does not reconcile the catalog".into()));
        }
        let read_only = self.read_only();
        let config = self.config;
        self.connection()?;
        let o = self.opened.as_mut().expect("opened above");
        let unavailable: HashSet<String> =
            o.restored.skipped.iter().map(|(a, _)| a.to_lowercase()).collect();
        if !unavailable.is_empty() {
            let views: Vec<&ViewDef> = config.views.iter().collect();
            let nodes = deps::graph(&o.conn, &views, &o.actual.catalog)?;
            let reading: HashSet<plan::Key> = deps::reading(&nodes, &unavailable)
                .into_iter()
                .map(|i| plan::key(&views[i].schema, &views[i].name))
                .collect();
            plan::skip(&mut o.plan, &reading);
        }
        if read_only && o.plan.pending() {
            return Err(read_only_error(&o.plan));
        }
        let mut counts = if read_only {
            // Persistent secrets were restored, but a read-only catalog cannot record them.
            o.plan.counts()
        } else {
            apply::apply(&o.conn, &o.plan, &o.actual)?
        };
        counts.attachments_skipped = o.restored.skipped.len();
        Ok(counts)
    }
}

fn read_only_error(plan: &Plan) -> Error {
    let pending: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.action.changes_catalog())
        .map(|c| crate::sql::qualified(&[&c.schema, &c.name]))
        .collect();
    Error::database(
        "read-only database",
        format!(
            "{} view(s) need changes that a read-only session cannot make: {}; run without --read-only first",
            pending.len(),
            preview(&pending)
        ),
    )
}

/// Brings each attached catalog's database up to date (its own children
/// first), so that the parent attaches current views.
fn update_children(config: &Config, opts: &OpenOptions, plan_opts: Options) -> Result<()> {
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
        let child_plan = Purpose::Reconcile(Options { prune: false, ..plan_opts });
        let database = Database::File(child.database.clone());
        let mut session = Session {
            children_current: true,
            ..Session::new(&child.config, database, child_opts, child_plan)
        };
        let counts = session.reconcile().map_err(|e| match e {
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

/// The catalog's current state, read without writing anything: the database
/// opens read-only, and only the settings, pragmas and extensions are
/// restored. A database that does not exist yet holds nothing, but the
/// persistent secrets of the secret directory are still read.
pub(crate) fn read_state(
    config: &Config,
    database: &Database,
    opts: &OpenOptions,
) -> Result<Actual> {
    let exists = matches!(database, Database::File(p) if p.exists());
    let conn = engine::open(
        if exists { database } else { &Database::Memory },
        &OpenOptions { read_only: true, ..opts.clone() },
    )?;
    // Settings such as secret_directory decide which secrets are compared.
    restore::environment(&conn, &restore::steps(config), opts)?;
    let mut actual = state::read(&conn)?;
    actual.secret_key = state::secret_key(&conn, config, false)?;
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
