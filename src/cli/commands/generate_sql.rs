//! `generate-sql`: the catalog as one SQL script, or its session alone.

use crate::catalog::{script, session::Session};
use crate::cli::args::*;
use crate::cli::setup::*;
use crate::error::{print, Error, Exit, Result};

pub(crate) fn generate_sql(c: &GenerateSqlCmd) -> Result<Exit> {
    let (config, database, common) = prepare(c)?;
    let opts = common.open_options(&config, false);
    let text = match (c.session, c.format.as_str()) {
        (false, "sql") => script::script(&config, &opts, c.show_secrets)?,
        (true, "sql") => Session::new(&config, &database, &opts)?.text(c.show_secrets),
        (true, "json") => Session::new(&config, &database, &opts)?.json(c.show_secrets),
        (false, "json") => return Err(Error::Usage("--format json needs --session".into())),
        (_, other) => {
            return Err(Error::Usage(format!("--format {other}: give sql or json")));
        }
    };
    match &c.output {
        Some(path) => crate::atomic_write::write(path, &text, true)
            .map_err(|e| Error::Other(format!("cannot write {}: {e}", path.display())))?,
        None => print(&text)?,
    }
    Ok(Exit::Ok)
}
