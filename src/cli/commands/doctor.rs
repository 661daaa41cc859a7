//! `doctor`: whether the config can run here.

use crate::cli::args::*;
use crate::cli::output::{Format, Grid};
use crate::cli::setup::*;
use crate::error::{Error, Exit, Result};
use crate::query::Cells;

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
    let grid = Grid {
        columns: vec!["check".into(), "result".into(), "detail".into()],
        numeric: vec![false; 3],
        rows,
        cells: Cells::Text,
    };
    grid.write(Format::Table, &mut std::io::stdout().lock())
        .map_err(|e| Error::Other(e.to_string()))?;
    Ok(if findings.iter().any(|f| f.fails()) { Exit::Database } else { Exit::Ok })
}
