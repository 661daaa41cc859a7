//! `build`: the same as `run --force-rebuild`.

use crate::catalog::{Options, Session};
use crate::cli::args::*;
use crate::cli::setup::*;
use crate::error::{print, Exit, Result};

pub(crate) fn build(c: &BuildCmd) -> Result<Exit> {
    let (config, database, common) = prepare(c)?;
    let mut opts = common.open_options(&config, false);
    opts.force_rebuild = true;
    let counts = Session::new(&config, database, opts)
        .reconcile(Options { force_rebuild: true, prune: c.prune })?;
    if !common.quiet {
        print(&format!("{}\n", counts.summary()))?;
    }
    Ok(exit_code(&counts))
}
