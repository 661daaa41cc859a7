//! Opening a database the way duckalog always does: autoinstall and
//! autoload off, the extension and secret directories set at startup, a
//! new file created whole, and another process's lock waited for.

use super::instance::{self, Instance};
use crate::config::{Config, Database};
use crate::error::{Error, Result};
use crate::extensions as extension;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How to open the database.
#[derive(Debug, Clone, Default)]
pub(crate) struct OpenOptions {
    pub(crate) read_only: bool,
    /// Where extension files live; DuckDB's default when `None`.
    pub(crate) extension_dir: Option<PathBuf>,
    pub(crate) secret_dir: Option<PathBuf>,
    /// How many attachments to restore at once.
    pub(crate) jobs: usize,
    /// How long to wait for another process's lock on the database file.
    pub(crate) lock_timeout: Duration,
}

/// Attachments restored at once unless told otherwise: restoring is waiting
/// on the network, and bench/run shows 64 PostgreSQL attachments behind 100 ms
/// of latency fastest at 32 (1.0 s, against 1.7 s at 8).
pub(crate) const DEFAULT_JOBS: usize = 32;

/// How long a run waits for another process's lock on the database unless
/// told otherwise: long enough for another run of a usual catalog to finish.
pub(crate) const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

impl OpenOptions {
    /// The options a config asks for, with the command line's overrides:
    /// `--extension-dir`, then `DUCKALOG_EXTENSION_DIR`, then the config.
    pub(crate) fn for_config(
        config: &Config,
        read_only: bool,
        extension_dir: Option<PathBuf>,
    ) -> Self {
        OpenOptions {
            read_only,
            extension_dir: extension::choose_dir(extension_dir, config.extension_directory.clone()),
            secret_dir: config.secret_directory.clone(),
            jobs: DEFAULT_JOBS,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        }
    }

    /// The options of a command run without a config: the command line's
    /// extension directory (or `DUCKALOG_EXTENSION_DIR`), defaults otherwise.
    pub(crate) fn without_config(extension_dir: Option<PathBuf>) -> Self {
        OpenOptions {
            extension_dir: extension::choose_dir(extension_dir, None),
            ..Default::default()
        }
    }

    /// The folder extensions load from: the configured one or DuckDB's default.
    pub(crate) fn effective_extension_dir(&self) -> Option<PathBuf> {
        self.extension_dir.clone().or_else(extension::default_dir)
    }
}

/// Opens `database` with the open-time options duckalog always uses:
/// autoinstall and autoload off, so DuckDB never reaches the network.
pub(crate) fn open(database: &Database, opts: &OpenOptions) -> Result<Instance> {
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
pub(crate) fn not_a_database_file(path: &Path) -> Option<&'static str> {
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
