//! Logging to standard error. Every line passes through [`crate::secrets::scrub`],
//! whatever its level, so a secret value echoed by DuckDB never reaches a log.

use log::LevelFilter;
use std::io::Write;

/// `-v` raises the level step by step from WARN, `--quiet` lowers it to ERROR;
/// without either, `RUST_LOG` decides.
pub(crate) fn init(verbose: u8, quiet: bool) {
    let mut builder = env_logger::Builder::new();
    builder.filter_level(LevelFilter::Warn);
    if let Ok(spec) = std::env::var("RUST_LOG") {
        builder.parse_filters(&spec);
    }
    if quiet {
        builder.filter_level(LevelFilter::Error);
    } else if verbose > 0 {
        builder.filter_level(match verbose {
            1 => LevelFilter::Info,
            2 => LevelFilter::Debug,
            _ => LevelFilter::Trace,
        });
    }
    builder.format(|buf, record| {
        let text = crate::secrets::scrub(&record.args().to_string());
        writeln!(buf, "[{} {}] {}", record.level(), record.target(), text)
    });
    let _ = builder.try_init();
}
