//! `generate-sql`: the catalog as one SQL script, or its session alone.

use crate::catalog::script;
use crate::cli::args::*;
use crate::cli::setup::*;
use crate::error::{print, Error, Exit, Result};

pub(crate) fn generate_sql(c: &GenerateSqlCmd) -> Result<Exit> {
    let (config, database, common) = prepare(c)?;
    let opts = common.open_options(&config, false);
    let text = if c.session {
        script::session(&config, &database, &opts, c.show_secrets)?
    } else {
        script::script(&config, &opts, c.show_secrets)?
    };
    match &c.output {
        Some(path) => crate::atomic_write::write(path, &text, true)
            .map_err(|e| Error::Other(format!("cannot write {}: {e}", path.display())))?,
        None => print(&text)?,
    }
    Ok(Exit::Ok)
}
