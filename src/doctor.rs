//! `duckalog doctor`: checks that a config can run here, changing nothing.
//! Extensions are loaded and attachments attached in a scratch in-memory
//! instance, never in the catalog; secrets are created there as temporary.

use crate::attach;
use crate::config::{Config, Database};
use crate::extension;
use crate::secret::scrub;
use crate::session::{self, Check, OpenOptions};
use crate::sql;
use std::time::Instant;

pub struct Finding {
    pub check: String,
    pub ok: bool,
    /// A failed check that does not fail the run (an optional attachment).
    pub warning: bool,
    pub detail: String,
}

impl Finding {
    /// DuckDB's messages may quote a configured secret value (a password in a
    /// connection string, a parameter it rejects), and a path may hold one
    /// from the environment: both columns are scrubbed.
    fn new(check: String, result: Result<String, String>, required: bool) -> Self {
        let check = scrub(&check);
        match result {
            Ok(detail) => Finding { check, ok: true, warning: false, detail: scrub(&detail) },
            Err(detail) => Finding { check, ok: false, warning: !required, detail: scrub(&detail) },
        }
    }

    /// Whether a required check failed.
    pub fn fails(&self) -> bool {
        !self.ok && !self.warning
    }
}

pub fn run(config: &Config, database: &Database, opts: &OpenOptions) -> Vec<Finding> {
    let mut out = vec![Finding::new(
        "config".into(),
        Ok(format!(
            "{} view(s), {} attachment(s), {} secret(s)",
            config.views.len(),
            config.attachments.len(),
            config.secrets.len()
        )),
        true,
    )];
    let scratch =
        match session::open(&Database::Memory, &OpenOptions { read_only: false, ..opts.clone() }) {
            Ok(c) => c,
            Err(e) => {
                out.push(Finding::new("DuckDB".into(), Err(e.to_string()), true));
                return out;
            }
        };
    let ext_dir = opts.effective_extension_dir();
    let mut loaded = true;
    for name in config.install_extensions.iter().cloned().chain(config.needed_extensions()) {
        let result =
            session::check(&Check::Extension(name.clone()), ext_dir.as_deref()).and_then(|()| {
                let where_ = if extension::is_built_in(&name) {
                    "compiled in".to_string()
                } else if extension::is_path(&name) {
                    name.clone()
                } else {
                    ext_dir
                        .as_deref()
                        .map(|d| extension::file_in(d, &name).display().to_string())
                        .unwrap_or_default()
                };
                let load = match session::embedded_load(
                    &Check::Extension(name.clone()),
                    ext_dir.as_deref(),
                ) {
                    Some(embedded) => embedded?,
                    None => sql::load_extension(&name),
                };
                scratch
                    .execute_batch(load.sql())
                    .map_err(|e| crate::error::one_line(&e.to_string()))?;
                Ok(format!(
                    "loads for DuckDB {} on {}: {where_}",
                    extension::DUCKDB_VERSION,
                    extension::platform()
                ))
            });
        loaded &= result.is_ok();
        out.push(Finding::new(format!("extension {}", extension::canonical(&name)), result, true));
    }
    for s in &config.secrets {
        let stmt = s.statement(false);
        let result = scratch
            .execute_batch(stmt.sql())
            .map(|()| "accepted by DuckDB".to_string())
            .map_err(|e| crate::error::one_line(&e.to_string()));
        out.push(Finding::new(format!("secret {}", sql::ident(&s.name)), result, true));
    }
    for a in &config.attachments {
        let what = format!("attachment {} ({})", sql::ident(&a.alias), a.kind);
        let start = Instant::now();
        let result = match &a.spec.local_file {
            Some(f) if !f.path.exists() && f.create => {
                Ok(format!("{} will be created", f.path.display()))
            }
            Some(f) => session::check(&Check::LocalFile(f.clone()), None).map(|()| String::new()),
            None => Ok(String::new()),
        }
        .and_then(|note| {
            if !note.is_empty() || !loaded {
                return if loaded {
                    Ok(note)
                } else {
                    Err("not tried: an extension is missing".into())
                };
            }
            let stmt = sql::attach(&a.spec.target, &a.alias, &a.spec.options);
            let policy = crate::config::AttachPolicy { retries: 0, ..a.policy.clone() };
            attach::attach(&scratch, a, &stmt, &policy, &what)
                .map(|()| {
                    format!("attached in {:.1?} (timeout {:?})", start.elapsed(), a.policy.timeout)
                })
                .map_err(|f| f.reason)
        });
        out.push(Finding::new(what, result, a.policy.required));
    }
    out.push(database_check(database, opts.read_only));
    out
}

fn database_check(database: &Database, read_only: bool) -> Finding {
    let path = match database {
        Database::Memory => return Finding::new("database".into(), Ok("in memory".into()), true),
        Database::File(p) => p,
    };
    let check = format!("database {}", path.display());
    let result = if let Some(why) = session::not_a_database_file(path) {
        Err(why.to_string())
    } else if path.exists() {
        let access = if read_only {
            std::fs::File::open(path).map(|_| "readable")
        } else {
            std::fs::OpenOptions::new().read(true).write(true).open(path).map(|_| "writable")
        };
        access.map_err(|e| e.to_string()).and_then(|how| {
            // Opening read-only proves it is a DuckDB file and that no other process holds its write lock.
            session::open(database, &OpenOptions { read_only: true, ..Default::default() })
                .map(|_| format!("{how}, not locked by another process"))
                .map_err(|e| e.to_string())
        })
    } else if read_only {
        Err("does not exist; build the catalog first with `duckalog run`".into())
    } else {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map(|d| d.to_path_buf())
            .unwrap_or_else(|| ".".into());
        let existing = dir.ancestors().find(|d| d.exists()).map(|d| d.to_path_buf()).unwrap_or(dir);
        tempfile::tempfile_in(&existing)
            .map(|_| format!("will be created (in {})", existing.display()))
            .map_err(|e| format!("cannot create files in {}: {e}", existing.display()))
    };
    Finding::new(check, result, true)
}
