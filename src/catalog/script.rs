//! SQL scripts: `generate-sql`, the whole catalog as one script that
//! recreates it when fed to DuckDB (extensions, settings, secrets,
//! attachments, schemas, then views in dependency order); `generate-sql
//! --session`, what another DuckDB client runs on the catalog to have its
//! session; and `run --dry-run`, the statements a run would execute.

use super::{apply, deps};
use crate::config::{Config, Database, SecretDef, ViewDef};
use crate::engine::{self, restore, OpenOptions};
use crate::error::{Error, Result};
use crate::plan::{Action, Actual, Plan};
use crate::sql::{self, Stmt};
use duckalog_core::restore::{steps, Step};
use std::fmt::Write;

/// Statements collected as text; secret values are `'***'` unless `reveal`.
struct Script {
    out: String,
    reveal: bool,
}

impl Script {
    fn new(title: &str, config: &Config, reveal: bool) -> Self {
        // The title names the config's path, which may hold a line break: one
        // would end the comment and turn the rest of the path into SQL.
        let title = crate::error::printable(title);
        let mut out = format!("-- {title}\n-- for DuckDB {}.", crate::extensions::DUCKDB_VERSION);
        if !config.secrets.is_empty() {
            out.push_str(if reveal {
                " It holds secret values."
            } else {
                " Secret values are shown as '***'."
            });
        }
        out.push('\n');
        Script { out, reveal }
    }

    fn emit(&mut self, s: &Stmt) {
        let text = s.script_text(self.reveal);
        // A trailing line comment would swallow the terminator.
        let sep = if text.lines().last().is_some_and(|l| l.contains("--")) { "\n" } else { "" };
        let _ = writeln!(self.out, "{text}{sep};");
    }

    /// The restore statements; persistent secrets for which `keep` holds are
    /// left out.
    fn restore(&mut self, config: &Config, opts: &OpenOptions, keep: impl Fn(&SecretDef) -> bool) {
        if let Some(dir) = &opts.extension_dir {
            self.emit(&Stmt::plain(format!(
                "SET extension_directory = {}",
                sql::literal(&dir.display().to_string())
            )));
        }
        for step in steps(config) {
            if matches!(step, Step::Secret(def) if def.persistent && keep(def)) {
                continue;
            }
            if let Some(s) = step.stmt() {
                self.emit(&s);
            }
        }
    }

    /// The options duckalog opens a database with, as statements.
    fn open_time(&mut self, opts: &OpenOptions) {
        let mut set = |name: &str, value: String| {
            self.emit(&Stmt::plain(format!("SET {name} = {value}")));
        };
        set("autoinstall_known_extensions", "false".into());
        set("autoload_known_extensions", "false".into());
        if let Some(dir) = &opts.extension_dir {
            set("extension_directory", sql::literal(&dir.display().to_string()));
        }
        if let Some(dir) = &opts.secret_dir {
            set("secret_directory", sql::literal(&dir.display().to_string()));
        }
    }

    /// The restore steps as a client runs them: an extension loads from where
    /// duckalog loads it; optional attachments come last, since a client stops
    /// at a statement that fails and duckalog goes on without them.
    fn session_steps(&mut self, config: &Config, steps: &[Step], opts: &OpenOptions) {
        let dir = opts.effective_extension_dir();
        for step in steps {
            match step {
                Step::Load(name) => {
                    let load = restore::load_statement(name, dir.as_deref());
                    self.emit(&load.map_or_else(|_| sql::load_extension(name), |(s, _)| s));
                }
                Step::Secret(def) if def.persistent => {
                    let name = sql::ident(&def.name);
                    let _ =
                        writeln!(self.out, "-- {name}: persistent, read from the secret directory");
                }
                Step::Attach(a) if !a.policy.required => {}
                other => other.stmt().iter().for_each(|s| self.emit(s)),
            }
        }
        let optional: Vec<_> = config.attachments.iter().filter(|a| !a.policy.required).collect();
        if !optional.is_empty() {
            self.out.push_str("-- Optional: duckalog goes on without one that is unavailable.\n");
        }
        optional.into_iter().for_each(|a| self.emit(&a.statement()));
    }

    /// Schemas, then `views` in dependency order with their comments.
    fn views(&mut self, views: &[&ViewDef], catalog: &str) -> Result<()> {
        let parser = engine::open(&Database::Memory, &OpenOptions::default())?;
        let order = deps::order(&parser, views, catalog)?;
        for schema in apply::schemas(views.iter().copied()) {
            self.emit(&sql::create_schema(schema));
        }
        for i in order {
            for s in apply::view_statements(views[i]) {
                self.emit(&s);
            }
        }
        Ok(())
    }
}

/// The whole catalog as a replayable script.
pub(crate) fn script(config: &Config, opts: &OpenOptions, reveal: bool) -> Result<String> {
    let title = format!(
        "Catalog script generated by duckalog {} from {}",
        env!("CARGO_PKG_VERSION"),
        config.path.display()
    );
    let mut s = Script::new(&title, config, reveal);
    s.restore(config, opts, |_| false);
    let views: Vec<&ViewDef> = config.views.iter().collect();
    s.views(&views, "")?;
    Ok(s.out)
}

/// DuckDB's JDBC driver runs the part of an init file before this marker once,
/// when it opens the database, and the part after it on every connection.
const CONNECTION_MARKER: &str = "/* DUCKDB_CONNECTION_INIT_BELOW_MARKER */";

/// What a DuckDB client runs after opening the catalog's database to have
/// duckalog's session: the open-time options duckalog sets, extensions,
/// settings and pragmas, temporary secrets and attachments. Views are in the
/// file already, and persistent secrets in the secret directory. Settings
/// that hold for one connection only come again after [`CONNECTION_MARKER`].
pub(crate) fn session(
    config: &Config,
    database: &Database,
    opts: &OpenOptions,
    reveal: bool,
) -> Result<String> {
    let Database::File(file) = database else {
        return Err(Error::Usage(
            "the catalog is in memory, so no other client can open it: set duckdb.database \
             or --db to a file for --session"
                .into(),
        ));
    };
    let title = format!(
        "Session script generated by duckalog {} from {}",
        env!("CARGO_PKG_VERSION"),
        config.path.display()
    );
    let mut s = Script::new(&title, config, reveal);
    let opened = crate::error::printable(&file.display().to_string());
    let _ = writeln!(
        s.out,
        "-- Run it in a DuckDB client that opened {opened}: duckdb -init FILE, \
         JDBC session_init_sql_file, or a tool's init SQL."
    );
    s.open_time(opts);
    let steps = steps(config);
    s.session_steps(config, &steps, opts);
    let scratch = engine::open(&Database::Memory, &OpenOptions::default())?;
    let again = restore::per_connection(&scratch, &steps)?;
    if !again.is_empty() {
        s.out.push_str("-- Settings that hold for one connection, for every other one:\n");
        let _ = writeln!(s.out, "{CONNECTION_MARKER}");
        again.into_iter().for_each(|stmt| s.emit(stmt));
    }
    Ok(s.out)
}

/// What `run` would execute for `plan`, computed against `actual`; nothing is
/// executed. duckalog's own bookkeeping statements are left out.
pub(crate) fn dry_run(
    config: &Config,
    opts: &OpenOptions,
    plan: &Plan,
    actual: &Actual,
) -> Result<String> {
    let mut s = Script::new(
        "Statements `duckalog run` would execute (dry run: nothing was executed)",
        config,
        false,
    );
    let current = plan.current_secrets();
    s.restore(config, opts, |def| current.contains(&def.name.to_lowercase()));
    let drops: Vec<_> = plan.secrets.iter().filter(|c| c.action == Action::Drop).collect();
    for c in &drops {
        s.emit(&crate::catalog::secrets::drop_persistent(&c.name));
    }
    if plan.pending() {
        s.emit(&Stmt::plain("BEGIN TRANSACTION".into()));
        for c in plan.changes.iter().filter(|c| c.action == Action::Drop) {
            s.emit(&sql::drop_view(&c.schema, &c.name));
        }
        let build: Vec<&ViewDef> = plan
            .changes
            .iter()
            .filter(|c| matches!(c.action, Action::Create | Action::Replace | Action::Rebuild))
            .filter_map(|c| c.view)
            .collect();
        s.views(&build, &actual.catalog)?;
        s.emit(&Stmt::plain("COMMIT".into()));
    } else {
        s.out.push_str("-- no view changes\n");
    }
    Ok(s.out)
}
