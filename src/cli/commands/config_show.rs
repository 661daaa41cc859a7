//! `config show`: the config as duckalog reads it.

use crate::cli::args::*;
use crate::cli::setup::*;
use crate::config;
use crate::error::{print, Error, Exit, Result};

pub(crate) fn config_show(cmd: &ConfigShow) -> Result<Exit> {
    let c = cmd.common();
    crate::logging::init(c.verbose, c.quiet);
    let path = config_path(&c)?;
    let format = match cmd.format.to_ascii_lowercase().as_str() {
        "toml" => config::Format::Toml,
        "yaml" | "yml" => config::Format::Yaml,
        "json" => config::Format::Json,
        other => {
            return Err(Error::Usage(format!("unknown format {other:?}: use toml, yaml or json")))
        }
    };
    let opts = c.load_options()?;
    let file = config::merged(&path, &opts)?;
    let text = config::show::render(&file, format, cmd.sources)?;
    // Resolving checks the config and learns every credential, so that the
    // text printed can be cleaned of them.
    config::resolve_file(file, &path, &opts)?;
    print(&crate::secrets::scrub(&text))?;
    Ok(Exit::Ok)
}
