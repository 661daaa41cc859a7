//! Built-in connectors against real servers: a remote DuckDB file on a local
//! S3-compatible server, and a DuckLake catalog kept in PostgreSQL.

use crate::common;
use common::{Pg, Project, S3Server};

#[test]
fn a_remote_duckdb_file_on_s3() {
    let s3 = S3Server::start();
    s3.create_bucket("files");
    let p = Project::new();
    p.fixtures();
    s3.put("files", "shop.duckdb", &std::fs::read(p.path("data/shop.duckdb")).unwrap());
    p.write(
        "duckalog.toml",
        &format!(
            "[duckdb]\ndatabase = \"cat.duckdb\"\n{}\n\
             [[attachments.duckdb]]\nalias = \"remote\"\npath = \"s3://files/shop.duckdb\"\n\
             [[views]]\nname = \"items\"\nsource = \"duckdb\"\ndatabase = \"remote\"\ntable = \"items\"\n",
            s3.secret_toml()
        ),
    );
    p.run(&["run"]).ok();
    let out = p.run(&[
        "run",
        "-q",
        "SELECT string_agg(name, '|' ORDER BY name) AS n FROM items",
        "--format",
        "csv",
    ]);
    out.ok();
    assert_eq!(out.stdout, "n\nink|pen\n");

    p.write("bad.toml", "[[attachments.duckdb]]\nalias = \"r\"\npath = \"s3://files/shop.duckdb\"\nread_only = false\n");
    p.run(&["validate", "bad.toml"]).fails(2, &["attachments.duckdb[0].read_only", "read-only"]);
}

fn lake_config(pg: &Pg, database: &str, extra: &str) -> String {
    format!(
        r#"
[duckdb]
database = "{database}"

[[attachments.ducklake]]
alias = "lake"
metadata_schema = "lake_meta"
data_path = "lake_files"
postgres = {{ host = "127.0.0.1", port = {port}, database = "postgres", user = "{user}", password = "{password}" }}
{extra}
"#,
        port = pg.port,
        user = pg.user,
        password = pg.password
    )
}

#[test]
fn two_processes_with_their_own_files_share_one_ducklake_catalog() {
    let pg = Pg::get();
    let p = Project::new();
    pg.execute(&p, "DROP SCHEMA IF EXISTS lake_meta CASCADE; CREATE SCHEMA lake_meta;");
    let view = "[[views]]\nname = \"events\"\nsource = \"ducklake\"\ndatabase = \"lake\"\ntable = \"events\"\n";
    p.write("writer.toml", &lake_config(&pg, "writer.duckdb", ""));
    p.write("reader.toml", &lake_config(&pg, "reader.duckdb", view));

    p.run(&[
        "run",
        "writer.toml",
        "-q",
        "CREATE TABLE lake.events AS SELECT range AS id FROM range(5)",
    ])
    .ok();
    let out =
        p.run(&["run", "reader.toml", "-q", "SELECT count(*) AS n FROM events", "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "n\n5\n");
    assert!(!out.stderr.contains(&pg.password));

    p.run(&["run", "writer.toml", "-q", "INSERT INTO lake.events SELECT range FROM range(5, 8)"])
        .ok();
    let out = p.run(&[
        "run",
        "reader.toml",
        "-q",
        "SELECT count(*) AS n, max(id) AS m FROM events",
        "--format",
        "csv",
    ]);
    assert_eq!(out.stdout, "n,m\n8,7\n");
    // The data is Parquet under data_path; each process has its own catalog file.
    assert!(std::fs::read_dir(p.path("lake_files")).unwrap().count() > 0);
    assert!(p.path("writer.duckdb").exists() && p.path("reader.duckdb").exists());
}

#[test]
fn delta_and_iceberg_views_over_tables_a_fixture_writes() {
    let p = Project::new();
    let python = std::env::var("DUCKALOG_TEST_PYTHON")
        .expect("DUCKALOG_TEST_PYTHON is not set: run the tests through scripts/test");
    let out = std::process::Command::new(python)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lake_tables.py"))
        .arg(p.path("tables"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let metadata = String::from_utf8(out.stdout).unwrap().trim().to_string();
    p.write(
        "duckalog.toml",
        &format!(
            "[duckdb]\ndatabase = \"cat.duckdb\"\n\
             [[views]]\nname = \"delta_people\"\nsource = \"delta\"\nuri = \"tables/delta_people\"\n\
             [[views]]\nname = \"iceberg_people\"\nsource = \"iceberg\"\nuri = \"{metadata}\"\n"
        ),
    );
    let out = p.run(&["run"]);
    out.ok();
    assert!(out.stdout.contains("2 created"), "{}", out.stdout);
    let out = p.run(&[
        "run",
        "-q",
        "SELECT (SELECT string_agg(name, '|' ORDER BY id) FROM delta_people) AS d, (SELECT string_agg(name, '|' ORDER BY id) FROM iceberg_people) AS i",
        "--format",
        "csv",
    ]);
    out.ok();
    assert_eq!(out.stdout, "d,i\nann|bob|cy,ann|bob|cy\n");
}
