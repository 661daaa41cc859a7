//! `plan`: what `run` would change.

use crate::catalog;
use crate::cli::args::*;
use crate::cli::setup::*;
use crate::error::{Error, Exit, Result};
use crate::plan::{self, Action, Options};
use std::io::Write;

pub(crate) fn plan_cmd(c: &PlanCmd) -> Result<Exit> {
    let (config, database, common) = prepare(c)?;
    let opts = common.open_options(&config, true);
    let actual = catalog::read_state(&config, &database, &opts)?;
    let plan = plan::diff(
        &config.views,
        &config.secrets,
        &actual,
        Options { force_rebuild: c.force_rebuild, prune: c.prune },
    );
    let mut out = std::io::stdout().lock();
    let mut write = || -> std::io::Result<()> {
        for ch in &plan.changes {
            let name = crate::sql::qualified(&[&ch.schema, &ch.name]);
            let line = match ch.action {
                Action::Create => format!("+ create    {name}"),
                Action::Replace => format!("~ replace   {name} (definition changed)"),
                Action::Rebuild => format!("~ rebuild   {name} (--force-rebuild)"),
                Action::Unchanged if common.verbose > 0 => format!("= unchanged {name}"),
                Action::Unchanged => continue,
                Action::Foreign => format!(
                    "! foreign   {name}: exists but was not created by duckalog; left alone"
                ),
                Action::Conflict => {
                    format!("! conflict  {name}: a table of that name exists; run will fail")
                }
                Action::Drop => format!("- drop      {name}"),
                Action::Orphan => {
                    format!("? orphan    {name}: no longer configured (--prune drops it)")
                }
                Action::Skipped => continue,
            };
            writeln!(out, "{line}")?;
        }
        for s in &plan.secrets {
            let name = crate::sql::ident(&s.name);
            let line = match s.action {
                Action::Create => format!("+ secret    {name} (persistent)"),
                Action::Replace => format!("~ secret    {name} (persistent, definition changed)"),
                Action::Rebuild => format!("~ secret    {name} (persistent, --force-rebuild)"),
                Action::Unchanged if common.verbose > 0 => format!("= secret    {name} (persistent)"),
                Action::Drop => format!("- secret    {name} (persistent, deleted from the secret directory)"),
                Action::Orphan => format!("? secret    {name}: persistent, no longer configured as such (--prune deletes it)"),
                _ => continue,
            };
            writeln!(out, "{line}")?;
        }
        let n = plan.counts();
        writeln!(
            out,
            "plan: {} to create, {} to replace, {} unchanged, {} to drop",
            n.created, n.replaced, n.unchanged, n.dropped
        )
    };
    write().map_err(|e| Error::Other(format!("writing the plan: {e}")))?;
    let secrets_change = plan.secrets.iter().any(|s| s.action.changes_catalog());
    // --exit-code: 1 says that changes are pending, as `git diff --exit-code` does.
    Ok(if c.exit_code && (plan.pending() || secrets_change) { Exit::Other } else { Exit::Ok })
}
