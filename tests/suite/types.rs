//! Every DuckDB type prints as DuckDB's own shell prints it: `FROM
//! test_all_types()` (DuckDB's own list of its types, with their smallest,
//! largest and NULL values) and a few more, in several time zones, through
//! `query` in CSV, JSON and table form, against the shell on the same
//! statements.

use crate::common;
use common::Project;
use std::process::Command;

const ZONES: [&str; 4] = ["UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"];

const QUERIES: [&str; 2] = [
    "FROM test_all_types()",
    "SELECT TIMESTAMPTZ '2024-03-10 06:30:00+00' AS dst, TIMETZ '12:00:00+02' AS ttz, \
     INTERVAL '1 month 2 days 3 hours' AS iv, 1e300::DOUBLE AS big, -0.0::DOUBLE AS nz, \
     'nan'::DOUBLE AS nan, 123.450::DECIMAL(10,3) AS dec, 'é, \"q\" it''s' AS text, \
     '{\"a\": [1, 2]}'::JSON AS js, union_value(k := 1) AS un, MAP {'k': [1]} AS m",
];

/// DuckDB's shell, 1.5.5, from PyPI's duckdb-cli (scripts/test installs it).
fn shell(zone: &str, format: &str, sql: &str) -> String {
    let cli = std::env::var("DUCKALOG_TEST_DUCKDB_CLI")
        .expect("DUCKALOG_TEST_DUCKDB_CLI names DuckDB's shell");
    let out = Command::new(cli)
        .args([format, "-c", &format!("SET TimeZone = '{zone}'; {sql}")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn catalog(p: &Project, zone: &str) -> String {
    let file = format!("{}.toml", zone.replace('/', "_"));
    p.write(
        &file,
        &format!("[duckdb]\ndatabase = \"types.duckdb\"\nsettings = {{ TimeZone = \"{zone}\" }}\n"),
    );
    file
}

#[test]
fn csv_and_json_are_the_shells_byte_for_byte() {
    let p = Project::new();
    p.run(&["run", &catalog(&p, "UTC")]).ok();
    for zone in ZONES {
        let config = catalog(&p, zone);
        for sql in QUERIES {
            for format in ["csv", "json"] {
                let ours = p.run(&["query", sql, &config, "--format", format]);
                ours.ok();
                assert_eq!(
                    ours.stdout,
                    shell(zone, &format!("-{format}"), sql),
                    "{format} in {zone}: {sql}"
                );
            }
        }
    }
}

#[test]
fn table_cells_are_the_shells_values() {
    let p = Project::new();
    p.run(&["run", &catalog(&p, "UTC")]).ok();
    for zone in ["UTC", "Asia/Kolkata"] {
        let config = catalog(&p, zone);
        for sql in QUERIES {
            let ours = p.run(&["query", sql, &config]);
            ours.ok();
            // The shell's list mode prints each value as it is, one row a line.
            let theirs = shell(zone, "-list", &format!("SELECT * FROM ({sql}) WHERE true"));
            for line in theirs.lines().skip(1) {
                for value in line.split('|') {
                    let cell = format!("| {value} ");
                    let right = format!(" {value} |");
                    assert!(
                        ours.stdout.contains(&cell) || ours.stdout.contains(&right),
                        "{value:?} missing from the table in {zone}:\n{}",
                        ours.stdout
                    );
                }
            }
        }
    }
}
