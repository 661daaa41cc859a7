//! `extensions`: what the config needs, and moving it across an air gap.

use crate::cli::args::*;
use crate::cli::setup::*;
use crate::config;
use crate::engine::OpenOptions;
use crate::error::{print, Error, Exit, Result};
use crate::output;

pub(crate) fn extensions(c: &ExtensionsCmd) -> Result<Exit> {
    crate::logging::init(0, false);
    let found = c.config.clone().or_else(default_config);
    let config = found
        .as_ref()
        .map(|path| config::load(path, &config::LoadOptions::default()))
        .transpose()?;
    let opts = match &config {
        Some(cfg) => OpenOptions::for_config(cfg, false, c.extension_dir.clone()),
        None => OpenOptions::without_config(c.extension_dir.clone()),
    };
    let dir = opts
        .effective_extension_dir()
        .ok_or_else(|| Error::Usage("no extension directory: give --extension-dir".into()))?;
    let needed = || {
        config.as_ref().map(|c| c.all_extensions()).ok_or_else(|| Error::Usage("no config found (duckalog.toml, .yaml, .yml or .json here): give the config with --config".into()))
    };
    match &c.action {
        Some(ExtensionsAction::Install(i)) => {
            let installed = crate::extensions::bundle::install(&i.from, &dir)
                .map_err(|m| Error::Database { context: "install".into(), message: m })?;
            for p in installed {
                print(&format!("installed {}\n", p.display()))?;
            }
            Ok(Exit::Ok)
        }
        Some(ExtensionsAction::Bundle(b)) => {
            let n = crate::extensions::bundle::bundle(&needed()?, &dir, &b.out)
                .map_err(|m| Error::Database { context: "bundle".into(), message: m })?;
            print(&format!(
                "{}: {n} extension(s) for DuckDB {} on {}\n",
                b.out.display(),
                crate::extensions::DUCKDB_VERSION,
                crate::extensions::platform()
            ))?;
            Ok(Exit::Ok)
        }
        None => {
            use crate::extensions::bundle::Status;
            let survey = crate::extensions::bundle::survey(&needed()?, &dir);
            let rows = survey
                .iter()
                .map(|n| {
                    let (status, detail) = match &n.status {
                        Status::CompiledIn => ("compiled in".to_string(), String::new()),
                        Status::Embedded => (
                            "embedded".to_string(),
                            "unpacked to the user's cache on first use".to_string(),
                        ),
                        Status::Found(m) => (
                            format!(
                                "found ({} {}, {})",
                                m.duckdb_version, m.platform, m.extension_version
                            ),
                            String::new(),
                        ),
                        Status::WrongBuild(why) => ("WRONG BUILD".to_string(), why.clone()),
                        Status::Missing => ("MISSING".to_string(), "put the file here".to_string()),
                    };
                    let path = n.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
                    vec![
                        Some(n.name.clone()),
                        Some(status),
                        Some(format!("{path} {detail}").trim().to_string()),
                    ]
                })
                .collect();
            output::print_table(&["extension", "status", "path"], rows)?;
            let bad =
                survey.iter().any(|n| matches!(n.status, Status::Missing | Status::WrongBuild(_)));
            Ok(if bad { Exit::Database } else { Exit::Ok })
        }
    }
}
