//! `convert`: a Python-tool config as TOML.

use crate::cli::args::*;
use crate::error::{print, Error, Exit, Result};

pub(crate) fn convert(c: &ConvertCmd) -> Result<Exit> {
    crate::logging::init(0, false);
    let (text, notes) = crate::config::convert::convert(&c.input)?;
    let output =
        c.output.clone().unwrap_or_else(|| crate::paths::dir_of(&c.input).join("duckalog.toml"));
    if output.as_os_str() == "-" {
        print(&text)?;
        return Ok(Exit::Ok);
    }
    if output.exists() && !c.force {
        return Err(Error::Usage(format!(
            "{} exists; give --force to replace it, or --output another path",
            output.display()
        )));
    }
    if crate::paths::dir_of(&output) != crate::paths::dir_of(&c.input) {
        log::warn!(
            "{} is in another folder than {}: relative paths in it now start from there",
            output.display(),
            c.input.display()
        );
    }
    if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Other(format!("cannot create folder {}: {e}", dir.display())))?;
    }
    crate::atomic_write::write(&output, &text, true)
        .map_err(|e| Error::Other(format!("cannot write {}: {e}", output.display())))?;
    crate::error::note(&format!(
        "wrote {} ({} note(s) on changed meaning, as comments at its top)",
        output.display(),
        notes.len()
    ));
    Ok(Exit::Ok)
}
