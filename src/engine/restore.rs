//! Running the restore steps of a config on a DuckDB instance: the
//! environment first (extensions, settings, pragmas), then the sources
//! (secrets, then attachments, in parallel on cloned connections of the same
//! instance, since attachments are instance-wide). [`probe`] runs the same
//! steps on a scratch instance and reports each one, for `doctor`.

use super::attach;
use super::open::OpenOptions;
use crate::config::{AttachPolicy, Attachment, Config};
use crate::connector::LocalFile;
use crate::error::{one_line, Error, Result};
use crate::extensions::{self as extension, embedded};
use crate::sql::{self, Stmt};
pub(crate) use duckalog_core::restore::{steps, Step};
use duckdb::Connection;
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// What a restore left out.
#[derive(Debug, Default)]
pub(crate) struct Restored {
    /// Optional attachments that could not be attached: (alias, reason).
    pub(crate) skipped: Vec<(String, String)>,
}

/// Loads the extensions and applies the settings and pragmas among `steps`.
pub(crate) fn environment(conn: &Connection, steps: &[Step], opts: &OpenOptions) -> Result<()> {
    let dir = opts.effective_extension_dir();
    for step in steps.iter().filter(|s| s.is_environment()) {
        let t = Instant::now();
        let what = step.what();
        let stmt = statement(step, dir.as_deref()).map_err(|m| Error::database(&what, m))?;
        if let Some((stmt, how)) = stmt {
            exec(conn, &stmt, &what)?;
            log::info!("restored {what}{how} in {:.1?}", t.elapsed());
        }
    }
    Ok(())
}

/// Creates the secrets among `steps` and attaches the attachments.
/// Persistent secrets named in `current` (lower-cased) are stored as
/// configured already, and are kept.
pub(crate) fn sources(
    conn: &Connection,
    steps: &[Step],
    opts: &OpenOptions,
    current: &HashSet<String>,
) -> Result<Restored> {
    let start = Instant::now();
    let mut restored = Restored::default();
    let mut attachments = Vec::new();
    for step in steps {
        let what = step.what();
        match *step {
            Step::Secret(def) if def.persistent && current.contains(&def.name.to_lowercase()) => {
                log::info!("{what} is current: kept");
            }
            Step::Secret(def) => {
                let t = Instant::now();
                exec(conn, &def.statement(def.persistent), &what)?;
                log::info!("restored {what} in {:.1?}", t.elapsed());
            }
            Step::Attach(a) => match (local_file_ready(a), &a.spec.local_file) {
                (Ok(()), _) => attachments.push((what, a)),
                // A catalog of catalogs not built yet, in a session that does not build it.
                (Err(_), Some(f)) if a.kind == "duckalog" && !f.path.exists() => {
                    return Err(Error::NoCatalog(f.path.clone()))
                }
                (Err(reason), _) => unavailable(&what, a, reason, &mut restored)?,
            },
            _ => {}
        }
    }
    attach_all(conn, &attachments, opts, &mut restored)?;
    log::info!("session restored in {:.1?}", start.elapsed());
    Ok(restored)
}

/// The settings and pragmas among `steps` that hold only for the connection
/// that runs them: DuckDB applies a setting of scope LOCAL (every extension's
/// setting is one) to that connection alone, and does not say which
/// connection a statement or a pragma sets. A client's every other
/// connection repeats them.
pub(crate) fn per_connection<'s, 'c>(
    conn: &Connection,
    steps: &'s [Step<'c>],
) -> Result<Vec<&'s Step<'c>>> {
    let settings: Vec<_> = steps.iter().filter(|s| matches!(s, Step::Setting { .. })).collect();
    if settings.is_empty() {
        return Ok(Vec::new());
    }
    let global = global_settings(conn)?;
    let local = |step: &&Step| match step {
        Step::Setting { name: Some(n), .. } => !global.contains(&n.to_lowercase()),
        _ => true,
    };
    Ok(settings.into_iter().filter(local).collect())
}

/// The statement of an environment step, once what it needs is there, and
/// how it loads (` (embedded)` for an extension unpacked from this binary).
fn statement(
    step: &Step,
    dir: Option<&Path>,
) -> std::result::Result<Option<(Stmt, &'static str)>, String> {
    match step {
        Step::Present(name) => extension_ready(name, dir).map(|()| None),
        Step::Load(name) => load_statement(name, dir).map(Some),
        other => Ok(other.stmt().map(|s| (s, ""))),
    }
}

/// The statement that loads extension `name`: from a path, compiled in, from
/// the extension directory, or unpacked from this binary when the directory
/// lacks it.
pub(crate) fn load_statement(
    name: &str,
    dir: Option<&Path>,
) -> std::result::Result<(Stmt, &'static str), String> {
    let listed = extension::is_path(name)
        || extension::is_built_in(name)
        || dir.is_some_and(|d| extension::file_in(d, name).is_file());
    if !listed {
        if let Some(file) = embedded::unpacked(name) {
            return Ok((sql::load_extension(&file?.display().to_string()), " (embedded)"));
        }
    }
    extension_ready(name, dir)?;
    Ok((sql::load_extension(name), ""))
}

/// Whether extension `name` can be loaded here.
fn extension_ready(name: &str, dir: Option<&Path>) -> std::result::Result<(), String> {
    if extension::is_path(name) {
        return if Path::new(name).is_file() {
            Ok(())
        } else {
            Err(format!("extension file {name} does not exist"))
        };
    }
    if extension::is_built_in(name) {
        return Ok(());
    }
    let Some(dir) = dir else {
        return Err("no extension directory: set --extension-dir or DUCKALOG_EXTENSION_DIR".into());
    };
    let file = extension::file_in(dir, name);
    if file.is_file() || embedded::has(name) {
        return Ok(());
    }
    Err(format!(
        "extension {} is not installed: {} does not exist (make a bundle on a connected machine with \
         `duckalog extensions bundle` and install it here with `duckalog extensions install`, \
         or point --extension-dir / {} at a folder that has the {} build)",
        extension::canonical(name),
        file.display(),
        extension::DIR_VAR,
        extension::DUCKDB_VERSION
    ))
}

/// Whether the local database file an attachment names can be attached.
fn local_file_ready(a: &Attachment) -> std::result::Result<(), String> {
    let Some(LocalFile { path, create }) = &a.spec.local_file else { return Ok(()) };
    if path.is_dir() {
        Err(format!("{} is a directory, not a database file", path.display()))
    } else if !path.exists() && !create {
        Err(format!("{} does not exist (set create = true to create it)", path.display()))
    } else {
        Ok(())
    }
}

/// An attachment that cannot be attached: the end of the run when it is
/// required; otherwise left out, with the views that read it.
fn unavailable(what: &str, a: &Attachment, reason: String, restored: &mut Restored) -> Result<()> {
    if a.policy.required {
        return Err(Error::database(what, reason));
    }
    log::warn!("{what} is optional and unavailable: {reason}; views that read it are skipped");
    restored.skipped.push((a.alias.clone(), reason));
    Ok(())
}

/// Attaches what is not attached yet, `opts.jobs` at a time.
fn attach_all(
    conn: &Connection,
    steps: &[(String, &Attachment)],
    opts: &OpenOptions,
    restored: &mut Restored,
) -> Result<()> {
    let present = attached(conn)?;
    let own: String = conn
        .query_row("SELECT current_database()", [], |r| r.get(0))
        .map_err(|e| Error::database("reading the catalog's name", e))?;
    if let Some((_, a)) = steps.iter().find(|(_, a)| a.alias.eq_ignore_ascii_case(&own)) {
        // DuckDB names a database file's catalog after the file: an attachment
        // of that name would seem attached already, and its views read the catalog.
        let why = format!(
            "{:?} is the name DuckDB gives the catalog's own database file; choose another alias",
            a.alias
        );
        return Err(a.origin.error("alias", why));
    }
    let todo: Vec<_> =
        steps.iter().filter(|(_, a)| !present.contains(&a.alias.to_lowercase())).collect();
    let results = attach_parallel(conn, &todo, opts.jobs.max(1))?;
    for ((what, a), r) in todo.iter().zip(results) {
        if let Err(f) = r {
            unavailable(what, a, f.reason, restored)?;
        }
    }
    Ok(())
}

/// The lower-cased names of the databases attached to `conn`'s instance.
fn attached(conn: &Connection) -> Result<HashSet<String>> {
    let sql = "SELECT lower(database_name) FROM duckdb_databases()";
    names(conn, sql, "listing attached databases")
}

/// The names of the settings of scope GLOBAL, lower-cased: a config may
/// spell one as DuckDB lists it (`TimeZone`) or not.
fn global_settings(conn: &Connection) -> Result<HashSet<String>> {
    let sql = "SELECT lower(name) FROM duckdb_settings() WHERE scope = 'GLOBAL'";
    names(conn, sql, "listing DuckDB's settings")
}

/// The first column of `sql`'s rows.
fn names(conn: &Connection, sql: &str, what: &str) -> Result<HashSet<String>> {
    let fail = |e| Error::database(what, e);
    let mut stmt = conn.prepare(sql).map_err(fail)?;
    let names = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(fail)?;
    Ok(names.filter_map(|n| n.ok()).collect())
}

/// Attaches `todo` on `jobs` connections of the instance, each taking the
/// next attachment as soon as it is done with one: a slow attachment delays
/// only the worker it is on, not a whole group.
fn attach_parallel(
    conn: &Connection,
    todo: &[&(String, &Attachment)],
    jobs: usize,
) -> Result<Vec<std::result::Result<(), attach::Failure>>> {
    let workers = (0..jobs.min(todo.len()))
        .map(|_| conn.try_clone().map_err(|e| Error::database("opening a connection", e)))
        .collect::<Result<Vec<_>>>()?;
    let next = AtomicUsize::new(0);
    let work = |c: Connection| {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((what, a)) = todo.get(i) else { return done };
            let t = Instant::now();
            let r = attach::attach(&c, a, &a.statement(), &a.policy, what);
            if r.is_ok() {
                log::info!("restored {what} in {:.1?}", t.elapsed());
            }
            done.push((i, r));
        }
    };
    let mut results: Vec<_> = (0..todo.len())
        .map(|_| {
            Err(attach::Failure { transient: false, reason: "the attaching thread failed".into() })
        })
        .collect();
    std::thread::scope(|s| {
        let work = &work;
        let handles: Vec<_> = workers.into_iter().map(|c| s.spawn(move || work(c))).collect();
        for (i, r) in handles.into_iter().filter_map(|h| h.join().ok()).flatten() {
            results[i] = r;
        }
    });
    Ok(results)
}

/// One restore step tried on a scratch instance: what it is, whether it
/// worked (with a detail either way), and whether a failure fails a run.
pub(crate) struct Probe {
    pub(crate) what: String,
    pub(crate) result: std::result::Result<String, String>,
    pub(crate) required: bool,
}

/// Runs every restore step of `config` on `scratch`, an in-memory instance,
/// and reports each: extensions are loaded, settings applied, secrets
/// created as temporary, attachments attached once, without retries.
pub(crate) fn probe(scratch: &Connection, config: &Config, opts: &OpenOptions) -> Vec<Probe> {
    let dir = opts.effective_extension_dir();
    let mut loaded = true;
    let mut out = Vec::new();
    for step in steps(config) {
        let (what, required, result) = match &step {
            Step::Present(name) | Step::Load(name) => {
                let result = probe_extension(scratch, name, dir.as_deref());
                loaded &= result.is_ok();
                (format!("extension {}", extension::canonical(name)), true, result)
            }
            Step::Setting { what, stmt, .. } => {
                (what.clone(), true, run(scratch, stmt).map(|()| "accepted by DuckDB".into()))
            }
            Step::Secret(s) => {
                let result =
                    run(scratch, &s.statement(false)).map(|()| "accepted by DuckDB".into());
                (format!("secret {}", sql::ident(&s.name)), true, result)
            }
            Step::Attach(a) => {
                let what = step.what();
                let result = probe_attachment(scratch, a, &what, loaded);
                (what, a.policy.required, result)
            }
        };
        out.push(Probe { what, result, required });
    }
    out
}

/// Loads extension `name`, an extension step of any kind, on `scratch`.
fn probe_extension(
    scratch: &Connection,
    name: &str,
    dir: Option<&Path>,
) -> std::result::Result<String, String> {
    let (stmt, _) = load_statement(name, dir)?;
    run(scratch, &stmt)?;
    let place = if extension::is_built_in(name) {
        "compiled in".to_string()
    } else if extension::is_path(name) {
        name.to_string()
    } else {
        dir.map(|d| extension::file_in(d, name).display().to_string()).unwrap_or_default()
    };
    Ok(format!(
        "loads for DuckDB {} on {}: {place}",
        extension::DUCKDB_VERSION,
        extension::platform()
    ))
}

/// Attaches `a` once on `scratch`, unless its file is still to be created
/// or an extension it may need did not load.
fn probe_attachment(
    scratch: &Connection,
    a: &Attachment,
    what: &str,
    loaded: bool,
) -> std::result::Result<String, String> {
    if let Some(f) = a.spec.local_file.as_ref().filter(|f| !f.path.exists() && f.create) {
        return Ok(format!("{} will be created", f.path.display()));
    }
    local_file_ready(a)?;
    if !loaded {
        return Err("not tried: an extension is missing".into());
    }
    let start = Instant::now();
    let policy = AttachPolicy { retries: 0, ..a.policy.clone() };
    attach::attach(scratch, a, &a.statement(), &policy, what)
        .map(|()| format!("attached in {:.1?} (timeout {:?})", start.elapsed(), a.policy.timeout))
        .map_err(|f| f.reason)
}

fn run(conn: &Connection, stmt: &Stmt) -> std::result::Result<(), String> {
    conn.execute_batch(stmt.sql()).map_err(|e| one_line(&e.to_string()))
}

/// Executes one statement, logging the form that hides secrets, and names
/// `what` on failure.
pub(crate) fn exec(conn: &Connection, stmt: &Stmt, what: &str) -> Result<()> {
    log::debug!("{what}: {stmt}");
    conn.execute_batch(stmt.sql()).map_err(|e| Error::database(what, e))
}
