//! `connectors`: the attachment kinds known.

use crate::cli::args::*;
use crate::cli::setup::*;
use crate::config;
use crate::connector::Registry;
use crate::error::{Error, Exit, Result};
use crate::output;

pub(crate) fn connectors(cmd: &ConnectorsCmd) -> Result<Exit> {
    let c = cmd.common();
    crate::logging::init(c.verbose, c.quiet);
    // Without a config, only the built-in connectors and --plugin-dir.
    let registry = match config_found(&c)? {
        Some(path) => {
            let opts = config::LoadOptions { plugin_dirs: Vec::new(), ..c.load_options()? };
            config::registry(&config::merged(&path, &opts)?, &path, c.plugin_dir)?
        }
        None => Registry::with_plugins(c.plugin_dir).map_err(Error::Usage)?,
    };
    let rows: Vec<Vec<Option<String>>> = registry
        .all()
        .map(|c| {
            let ext = c.extensions();
            vec![
                Some(c.kind().to_string()),
                Some(c.origin()),
                Some(if ext.is_empty() { "none".to_string() } else { ext.join(", ") }),
            ]
        })
        .collect();
    output::print_table(&["kind", "origin", "extensions"], rows)?;
    Ok(Exit::Ok)
}
