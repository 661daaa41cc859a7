//! Opening the database and restoring the session state that DuckDB keeps
//! only for the life of an instance: extensions, settings, secrets and
//! attachments.

use crate::attach;
use crate::config::{Attachment, Config, Database, SecretDef, Setting};
use crate::connector::LocalFile;
use crate::error::{Error, Result};
use crate::extension;
use crate::instance::{self, Instance};
use crate::sql::{self, Stmt};
use crate::stored_secrets;
use duckdb::Connection;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How to open the database.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    pub read_only: bool,
    /// Where extension files live; DuckDB's default when `None`.
    pub extension_dir: Option<PathBuf>,
    pub secret_dir: Option<PathBuf>,
    /// Recreate persistent secrets even when they look current (for rotated credentials).
    pub force_rebuild: bool,
    /// How many attachments to restore at once.
    pub jobs: usize,
    /// How long to wait for another process's lock on the database file.
    pub lock_timeout: Duration,
}

/// Attachments restored at once unless told otherwise.
pub const DEFAULT_JOBS: usize = 8;

/// How long a run waits for another process's lock on the database unless
/// told otherwise: long enough for another run of a usual catalog to finish.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

impl OpenOptions {
    /// The options a config asks for, with the command line's overrides:
    /// `--extension-dir`, then `DUCKALOG_EXTENSION_DIR`, then the config.
    pub fn for_config(config: &Config, read_only: bool, extension_dir: Option<PathBuf>) -> Self {
        OpenOptions {
            read_only,
            extension_dir: extension::choose_dir(extension_dir, config.extension_directory.clone()),
            secret_dir: config.secret_directory.clone(),
            force_rebuild: false,
            jobs: DEFAULT_JOBS,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        }
    }

    /// The options of a command run without a config: the command line's
    /// extension directory (or `DUCKALOG_EXTENSION_DIR`), defaults otherwise.
    pub fn without_config(extension_dir: Option<PathBuf>) -> Self {
        OpenOptions {
            extension_dir: extension::choose_dir(extension_dir, None),
            ..Default::default()
        }
    }

    /// The folder extensions load from: the configured one or DuckDB's default.
    pub fn effective_extension_dir(&self) -> Option<PathBuf> {
        self.extension_dir.clone().or_else(extension::default_dir)
    }
}

/// Opens `database` with the open-time options duckalog always uses:
/// autoinstall and autoload off, so DuckDB never reaches the network.
pub fn open(database: &Database, opts: &OpenOptions) -> Result<Instance> {
    let what = match database {
        Database::Memory => "opening an in-memory database".to_string(),
        Database::File(p) => format!("opening database {}", p.display()),
    };
    let fail = |e: &dyn std::fmt::Display| Error::database(&what, e);
    let options = startup_options(database, opts);
    match database {
        Database::Memory => instance::open(None, &options).map_err(|e| fail(&e)),
        Database::File(path) => {
            if let Some(why) = not_a_database_file(path) {
                return Err(fail(&why));
            }
            if !is_duckdb_file(path) {
                return Err(fail(&"is not a DuckDB database file (DuckDB would open a SQLite file in its place); give the path of a DuckDB file, or attach the other database under attachments"));
            }
            if !path.exists() {
                if opts.read_only {
                    return Err(Error::NoCatalog(path.clone()));
                }
                if let Some(parent) =
                    path.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists())
                {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| fail(&format!("cannot create {}: {e}", parent.display())))?;
                }
            }
            let open = || {
                if !path.exists() {
                    create_whole(path, &options);
                }
                instance::open(Some(path), &options)
            };
            open_waiting(path, opts.lock_timeout, open).map_err(|e| match e {
                Waited::Locked(message) => Error::Locked {
                    database: path.display().to_string(),
                    waited: opts.lock_timeout,
                    message,
                },
                Waited::Failed(e) => fail(&e),
            })
        }
    }
}

/// DuckDB's startup options for `database`.
fn startup_options(database: &Database, opts: &OpenOptions) -> Vec<(&'static str, String)> {
    let mut options = vec![
        ("autoinstall_known_extensions", "false".to_string()),
        ("autoload_known_extensions", "false".to_string()),
    ];
    if let Some(dir) = &opts.extension_dir {
        options.push(("extension_directory", dir.display().to_string()));
    }
    if let Some(dir) = &opts.secret_dir {
        options.push(("secret_directory", dir.display().to_string()));
    }
    // Read-only means that no file is written: an in-memory database
    // writes none, and DuckDB cannot open one read-only.
    if opts.read_only && matches!(database, Database::File(_)) {
        options.push(("access_mode", "READ_ONLY".to_string()));
    }
    options
}

/// Why what is at `path` cannot be a database file; `None` for a regular
/// file or nothing. Reading a named pipe or a device for its header would
/// wait for ever.
pub fn not_a_database_file(path: &Path) -> Option<&'static str> {
    let meta = path.metadata().ok()?;
    if meta.is_dir() {
        Some("is a directory, not a database file")
    } else if !meta.is_file() {
        Some("is not a regular file (a named pipe or a device); give the path of a DuckDB database file")
    } else {
        None
    }
}

/// Creates an empty database at `path` as a whole file. DuckDB creates a
/// file before it locks it and writes its header: another process opening
/// it in between finds a file too short to be a database, and fails. So the
/// file is made under a temporary name beside `path` and linked into place,
/// which fails when another process got there first, whose file is whole
/// too. Where no link can be made, DuckDB creates the file itself.
fn create_whole(path: &Path, options: &[(&str, String)]) {
    let Some(dir) = path.parent() else { return };
    let Ok(scratch) = tempfile::Builder::new()
        .prefix(".duckalog-new-")
        .tempdir_in(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })
    else {
        return;
    };
    let fresh = scratch.path().join("new.duckdb");
    if instance::open(Some(&fresh), options).is_ok() {
        if let Err(e) = std::fs::hard_link(&fresh, path) {
            log::debug!(
                "database {} not linked into place ({e}); DuckDB creates it",
                path.display()
            );
        }
    }
}

/// Whether `path` is missing, too short to tell, or starts with DuckDB's
/// header: an 8-byte checksum, then the magic `DUCK`.
fn is_duckdb_file(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 12];
    match std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)) {
        Ok(()) => &head[8..] == b"DUCK",
        Err(_) => true,
    }
}

enum Waited {
    /// Another process still held the lock when the wait ended.
    Locked(String),
    Failed(duckdb::Error),
}

/// DuckDB lets one process write a database file, or many read it, and
/// refuses an open that conflicts with another process's lock instead of
/// waiting: the open is retried, with a growing pause, until `wait` passes.
fn open_waiting(
    path: &Path,
    wait: Duration,
    open: impl Fn() -> duckdb::Result<Instance>,
) -> std::result::Result<Instance, Waited> {
    const FIRST_PAUSE: Duration = Duration::from_millis(25);
    let deadline = Instant::now() + wait;
    let mut pause = FIRST_PAUSE;
    loop {
        let message = match open() {
            Err(e) if is_lock_conflict(&e.to_string()) => crate::error::one_line(&e.to_string()),
            other => return other.map_err(Waited::Failed),
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Waited::Locked(message));
        }
        if pause == FIRST_PAUSE {
            log::warn!(
                "database {} is locked by another process; waiting up to {}s (--lock-timeout)",
                path.display(),
                wait.as_secs_f64()
            );
        }
        std::thread::sleep(pause.min(left));
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}

fn is_lock_conflict(message: &str) -> bool {
    message.contains("Could not set lock on file")
}

/// One step of restoring a session.
#[derive(Debug)]
pub struct Step<'c> {
    /// What is restored, for logs and errors: `attachment "lite"`.
    pub what: String,
    pub check: Check,
    pub stmt: Option<Stmt>,
    /// For a persistent secret: created only when missing or changed.
    pub persistent: Option<&'c SecretDef>,
    /// For an attachment: attached with its policy, in parallel with the others.
    pub attachment: Option<&'c Attachment>,
}

impl<'c> Step<'c> {
    fn new(what: String, check: Check, stmt: Option<Stmt>) -> Self {
        Step { what, check, stmt, persistent: None, attachment: None }
    }
}

/// What must hold before a step's statement runs.
#[derive(Debug)]
pub enum Check {
    None,
    /// An extension file that must be present (or a built-in extension).
    Extension(String),
    LocalFile(LocalFile),
}

/// The restore steps for `config`, in order: extensions, settings, pragmas,
/// secrets (attachments may need them), attachments.
pub fn steps(config: &Config) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for name in &config.install_extensions {
        out.push(Step::new(format!("extension {name}"), Check::Extension(name.clone()), None));
    }
    for name in config.needed_extensions() {
        out.push(Step::new(
            format!("extension {name}"),
            Check::Extension(name.clone()),
            Some(sql::load_extension(&name)),
        ));
    }
    for s in &config.settings {
        let (what, stmt) = match s {
            Setting::Statement(text) => ("setting".to_string(), Stmt::plain(text.clone())),
            Setting::Pair(name, value) => (format!("setting {name}"), sql::set(name, value)),
        };
        out.push(Step::new(what, Check::None, Some(stmt)));
    }
    for (i, p) in config.pragmas.iter().enumerate() {
        out.push(Step::new(format!("pragma {}", i + 1), Check::None, Some(Stmt::plain(p.clone()))));
    }
    for s in &config.secrets {
        let stmt = s.statement(s.persistent);
        let what = format!(
            "{} secret {}",
            if s.persistent { "persistent" } else { "temporary" },
            sql::ident(&s.name)
        );
        out.push(Step {
            persistent: s.persistent.then_some(s),
            ..Step::new(what, Check::None, Some(stmt))
        });
    }
    for a in &config.attachments {
        let check = match &a.spec.local_file {
            Some(f) => Check::LocalFile(f.clone()),
            None => Check::None,
        };
        let stmt = sql::attach(&a.spec.target, &a.alias, &a.spec.options);
        let what = format!("attachment {} ({})", sql::ident(&a.alias), a.kind);
        out.push(Step { attachment: Some(a), ..Step::new(what, check, Some(stmt)) });
    }
    out
}

/// What a restore left out.
#[derive(Debug, Default)]
pub struct Restored {
    /// Optional attachments that could not be attached: (alias, reason).
    pub skipped: Vec<(String, String)>,
}

/// Restores the session state of `config` on `conn`: everything but the
/// attachments in order, then the attachments in parallel on cloned
/// connections of the same instance (attachments are instance-wide).
pub fn restore(conn: &Connection, config: &Config, opts: &OpenOptions) -> Result<Restored> {
    let start = Instant::now();
    let ext_dir = opts.effective_extension_dir();
    let steps = steps(config);
    let mut stored = None;
    let mut attachments = Vec::new();
    let mut restored = Restored::default();
    for step in &steps {
        let t = Instant::now();
        if let Some(stmt) =
            step.stmt.as_ref().and_then(|_| embedded_load(&step.check, ext_dir.as_deref()))
        {
            exec(conn, &stmt.map_err(|m| Error::database(&step.what, m))?, &step.what)?;
            log::info!("restored {} (embedded) in {:.1?}", step.what, t.elapsed());
            continue;
        }
        let ready = check(&step.check, ext_dir.as_deref());
        if let Some(a) = step.attachment {
            match (ready, &step.check) {
                (Ok(()), _) => attachments.push((step, a)),
                // A catalog of catalogs not built yet, in a session that does not build it.
                (Err(_), Check::LocalFile(f)) if a.kind == "duckalog" && !f.path.exists() => {
                    return Err(Error::NoCatalog(f.path.clone()))
                }
                (Err(reason), _) => unavailable(step, a, reason, &mut restored)?,
            }
            continue;
        }
        ready.map_err(|m| Error::database(&step.what, m))?;
        if let (Some(def), false) = (step.persistent, opts.force_rebuild) {
            let stored = match &stored {
                Some(s) => s,
                None => stored.insert(stored_secrets::stored(conn)?),
            };
            if stored.get(&def.name.to_lowercase()).is_some_and(|s| stored_secrets::matches(def, s))
            {
                log::info!("{} is current: kept", step.what);
                continue;
            }
        }
        if let Some(stmt) = &step.stmt {
            exec(conn, stmt, &step.what)?;
            log::info!("restored {} in {:.1?}", step.what, t.elapsed());
        }
    }
    attach_all(conn, &attachments, opts, &mut restored)?;
    log::info!("session restored ({} steps) in {:.1?}", steps.len(), start.elapsed());
    Ok(restored)
}

/// An attachment that cannot be attached: the end of the run when it is
/// required; otherwise left out, with the views that read it.
fn unavailable(step: &Step, a: &Attachment, reason: String, restored: &mut Restored) -> Result<()> {
    if a.policy.required {
        return Err(Error::database(&step.what, reason));
    }
    log::warn!(
        "{} is optional and unavailable: {}; views that read it are skipped",
        step.what,
        reason
    );
    restored.skipped.push((a.alias.clone(), reason));
    Ok(())
}

/// Attaches what is not attached yet, `opts.jobs` at a time.
fn attach_all(
    conn: &Connection,
    steps: &[(&Step, &Attachment)],
    opts: &OpenOptions,
    restored: &mut Restored,
) -> Result<()> {
    let present: std::collections::HashSet<String> = {
        let mut stmt = conn
            .prepare("SELECT lower(database_name) FROM duckdb_databases()")
            .map_err(|e| Error::database("listing attached databases", e))?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| Error::database("listing attached databases", e))?;
        names.filter_map(|n| n.ok()).collect()
    };
    let own: String = conn
        .query_row("SELECT current_database()", [], |r| r.get(0))
        .map_err(|e| Error::database("reading the catalog's name", e))?;
    if let Some((_, a)) = steps.iter().find(|(_, a)| a.alias.eq_ignore_ascii_case(&own)) {
        // DuckDB names a database file's catalog after the file: an attachment
        // of that name would seem attached already, and its views read the catalog.
        return Err(a.origin.error("alias", format!("{:?} is the name DuckDB gives the catalog's own database file; choose another alias", a.alias)));
    }
    let todo: Vec<_> =
        steps.iter().filter(|(_, a)| !present.contains(&a.alias.to_lowercase())).collect();
    let mut results: Vec<std::result::Result<(), attach::Failure>> = Vec::new();
    for chunk in todo.chunks(opts.jobs.max(1)) {
        let clones = chunk
            .iter()
            .map(|_| conn.try_clone().map_err(|e| Error::database("opening a connection", e)))
            .collect::<Result<Vec<_>>>()?;
        std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .iter()
                .zip(clones)
                .map(|((step, a), c)| {
                    s.spawn(move || {
                        let t = Instant::now();
                        let stmt = step.stmt.as_ref().expect("attachments have a statement");
                        let r = attach::attach(&c, a, stmt, &a.policy, &step.what);
                        if r.is_ok() {
                            log::info!("restored {} in {:.1?}", step.what, t.elapsed());
                        }
                        r
                    })
                })
                .collect();
            for h in handles {
                let r = h.join().unwrap_or_else(|_| {
                    Err(attach::Failure {
                        transient: false,
                        reason: "the attaching thread failed".into(),
                    })
                });
                results.push(r);
            }
        });
    }
    for ((step, a), r) in todo.iter().zip(results) {
        if let Err(f) = r {
            unavailable(step, a, f.reason, restored)?;
        }
    }
    Ok(())
}

/// For an extension that is not in the extension directory but is embedded
/// in this binary: the statement that loads its unpacked file.
pub fn embedded_load(
    c: &Check,
    ext_dir: Option<&Path>,
) -> Option<std::result::Result<Stmt, String>> {
    let Check::Extension(name) = c else { return None };
    if extension::is_path(name)
        || extension::is_built_in(name)
        || ext_dir.is_some_and(|d| extension::file_in(d, name).is_file())
    {
        return None;
    }
    Some(crate::embedded::unpacked(name)?.map(|p| sql::load_extension(&p.display().to_string())))
}

/// Whether what a step needs is there.
pub fn check(c: &Check, ext_dir: Option<&Path>) -> std::result::Result<(), String> {
    match c {
        Check::None => Ok(()),
        Check::Extension(name) if extension::is_path(name) => {
            if Path::new(name).is_file() {
                Ok(())
            } else {
                Err(format!("extension file {name} does not exist"))
            }
        }
        Check::Extension(name) if extension::is_built_in(name) => Ok(()),
        Check::Extension(name) => {
            let Some(dir) = ext_dir else {
                return Err(
                    "no extension directory: set --extension-dir or DUCKALOG_EXTENSION_DIR".into(),
                );
            };
            let file = extension::file_in(dir, name);
            if file.is_file() || crate::embedded::has(name) {
                Ok(())
            } else {
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
        }
        Check::LocalFile(f) => {
            if f.path.is_dir() {
                Err(format!("{} is a directory, not a database file", f.path.display()))
            } else if !f.path.exists() && !f.create {
                Err(format!("{} does not exist (set create = true to create it)", f.path.display()))
            } else {
                Ok(())
            }
        }
    }
}

/// Executes one statement, logging the form that hides secrets, and names
/// `what` on failure.
pub fn exec(conn: &Connection, stmt: &Stmt, what: &str) -> Result<()> {
    log::debug!("{what}: {stmt}");
    conn.execute_batch(stmt.sql()).map_err(|e| Error::database(what, e))
}
