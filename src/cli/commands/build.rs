//! `build`: the same as `run --force-rebuild`.

use crate::catalog::{Purpose, Session};
use crate::cli::args::*;
use crate::cli::setup::*;
use crate::error::{print, Exit, Result};
use crate::plan::Options;

pub(crate) fn build(c: &BuildCmd) -> Result<Exit> {
    let (config, database, common) = prepare(c)?;
    let opts = common.open_options(&config, false);
    let plan_opts = Options { force_rebuild: true, prune: c.prune };
    let counts =
        Session::new(&config, database, opts, Purpose::Reconcile(plan_opts)).reconcile()?;
    if !common.quiet {
        print(&format!("{}\n", counts.summary()))?;
    }
    Ok(exit_code(&counts))
}
