//! `run`: open, restore, reconcile, then a query or a shell.

use crate::catalog::{self, script, Purpose, Session};
use crate::cli::args::*;
use crate::cli::setup::*;
use crate::error::{print, Error, Exit, Result};
use crate::plan::{self, Options};

pub(crate) fn run(c: &RunCmd) -> Result<Exit> {
    let (config, database, common) = prepare(c)?;
    let mut opts = common.open_options(&config, c.read_only);
    opts.jobs = c.jobs.unwrap_or(crate::engine::DEFAULT_JOBS).max(1);
    let plan_opts = Options { force_rebuild: c.force_rebuild, prune: c.prune };
    if c.interactive && (c.query.is_some() || c.dry_run) {
        return Err(Error::Usage("--interactive goes with neither --query nor --dry-run".into()));
    }
    if let Some(sql) = &c.query {
        one_statement(sql)?;
    }
    if c.dry_run {
        let actual = catalog::read_state(&config, &database, &opts)?;
        let plan = plan::diff(&config.views, &config.secrets, &actual, plan_opts);
        print(&script::dry_run(&config, &opts, &plan, &actual)?)?;
        return Ok(Exit::Ok);
    }
    let mut session = Session::new(&config, database, opts, Purpose::Reconcile(plan_opts));
    let counts = session.reconcile()?;
    match &c.query {
        Some(sql) => {
            log::info!("{}", counts.summary());
            print_query(session.connection()?, sql, c.query_timeout, c.format)?;
        }
        // The summary goes to standard error, where it does not mix with
        // the shell's results.
        None if c.interactive => {
            if !common.quiet {
                crate::error::note(&counts.summary());
            }
            if crate::shell::run(session.connection()?, c.format)? > 0 {
                return Ok(Exit::Database);
            }
        }
        None if !common.quiet => print(&format!("{}\n", counts.summary()))?,
        None => {}
    }
    Ok(exit_code(&counts))
}
