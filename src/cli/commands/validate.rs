//! `validate`: the config and its SQL, without a database.

use crate::catalog::script;
use crate::cli::args::*;
use crate::cli::setup::*;
use crate::error::{print, Exit, Result};

pub(crate) fn validate(c: &ValidateCmd) -> Result<Exit> {
    let (config, _, common) = prepare(c)?;
    let opts = common.open_options(&config, false);
    // The script renders every statement and orders the views, which parses their SQL.
    script::script(&config, &opts, false)?;
    if !common.quiet {
        print(&format!(
            "{}: valid ({} view(s), {} attachment(s), {} secret(s))\n",
            config.path.display(),
            config.views.len(),
            config.attachments.len(),
            config.secrets.len()
        ))?;
    }
    Ok(Exit::Ok)
}
