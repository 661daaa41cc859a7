//! A program that embeds duckalog: it brings the catalog of a config up to
//! date, then answers a query on a connection with the session restored.
//!
//! ```sh
//! cargo run --example embed -- examples/quickstart/duckalog.toml \
//!     "SELECT name, revenue FROM reports.revenue_by_customer"
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [config, sql] = &args[..] else {
        eprintln!("usage: embed CONFIG SQL");
        return ExitCode::from(2);
    };
    match answer(config, sql) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn answer(config: &str, sql: &str) -> Result<(), Box<dyn std::error::Error>> {
    let catalog = duckalog::Catalog::load(config)?;
    for change in catalog.plan()? {
        eprintln!("{:?}: {}.{}", change.action, change.schema, change.name);
    }
    let conn = catalog.connect()?;
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let columns = row.as_ref().column_count();
        let values: Vec<String> = (0..columns)
            .map(|i| row.get::<_, duckdb::types::Value>(i).map(|v| format!("{v:?}")))
            .collect::<Result<_, _>>()?;
        println!("{}", values.join(" | "));
    }
    Ok(())
}
