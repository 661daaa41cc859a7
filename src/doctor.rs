//! `duckalog doctor`: checks that a config can run here, changing nothing.
//! The restore steps run in probe mode on a scratch in-memory instance, never
//! on the catalog (secrets are created there as temporary); each step's
//! result becomes a finding.

use crate::config::{Config, Database};
use crate::engine::{self, restore, OpenOptions};
use crate::secrets::scrub;

pub(crate) struct Finding {
    pub(crate) check: String,
    pub(crate) ok: bool,
    /// A failed check that does not fail the run (an optional attachment).
    pub(crate) warning: bool,
    pub(crate) detail: String,
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
    pub(crate) fn fails(&self) -> bool {
        !self.ok && !self.warning
    }
}

pub(crate) fn run(config: &Config, database: &Database, opts: &OpenOptions) -> Vec<Finding> {
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
    match engine::open(&Database::Memory, &OpenOptions { read_only: false, ..opts.clone() }) {
        Ok(scratch) => out.extend(
            restore::probe(&scratch, config, opts)
                .into_iter()
                .map(|p| Finding::new(p.what, p.result, p.required)),
        ),
        Err(e) => {
            out.push(Finding::new("DuckDB".into(), Err(e.to_string()), true));
            return out;
        }
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
    let result = if let Some(why) = engine::open::not_a_database_file(path) {
        Err(why.to_string())
    } else if path.exists() {
        let access = if read_only {
            std::fs::File::open(path).map(|_| "readable")
        } else {
            std::fs::OpenOptions::new().read(true).write(true).open(path).map(|_| "writable")
        };
        access.map_err(|e| e.to_string()).and_then(|how| {
            // Opening read-only proves it is a DuckDB file and that no other process holds its write lock.
            engine::open(database, &OpenOptions { read_only: true, ..Default::default() })
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
