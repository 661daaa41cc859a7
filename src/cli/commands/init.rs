//! `init`: a starter project.

use crate::cli::args::*;
use crate::error::{print, Exit, Result};

pub(crate) fn init(c: &InitCmd) -> Result<Exit> {
    let format = crate::init::Format::choose(c.format, c.output.as_deref())?;
    let files = crate::init::files(c.output.as_deref(), format);
    crate::init::write(&files, c.force)?;
    for (path, _) in &files {
        print(&format!("wrote {}\n", path.display()))?;
    }
    let config = &files[0].0;
    let arg =
        if c.output.is_some() { format!(" --config {}", config.display()) } else { String::new() };
    print(&format!("next: duckalog run{arg} && duckalog query{arg} \"SELECT * FROM reports.revenue_by_customer\"\n"))?;
    Ok(Exit::Ok)
}
