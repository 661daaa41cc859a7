//! `doctor`: whether the config can run here.

use crate::cli::args::*;
use crate::cli::setup::*;
use crate::error::{Exit, Result};
use crate::output;

pub(crate) fn doctor(c: &DoctorCmd) -> Result<Exit> {
    let (config, database, common) = prepare(c)?;
    let opts = common.open_options(&config, c.read_only);
    let findings = crate::doctor::run(&config, &database, &opts);
    let rows = findings
        .iter()
        .map(|f| {
            let result = if f.ok {
                "ok"
            } else if f.warning {
                "warn"
            } else {
                "FAIL"
            };
            vec![Some(f.check.clone()), Some(result.to_string()), Some(f.detail.clone())]
        })
        .collect();
    output::print_table(&["check", "result", "detail"], rows)?;
    Ok(if findings.iter().any(|f| f.fails()) { Exit::Database } else { Exit::Ok })
}
