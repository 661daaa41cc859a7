//! Under a tight memory limit, a statement run through `duckalog query`
//! succeeds or fails as it does in DuckDB's Python client replaying the same
//! session (the statements `generate-sql --show-secrets` prints), and gives
//! the same result.

use crate::common;
use common::Project;

const CONFIG: &str = r#"
[duckdb]
database = "cat.duckdb"
settings = { memory_limit = "256MB", threads = 1 }

[[attachments.duckdb]]
alias = "shop"
path = "data/shop.duckdb"
read_only = true

[[attachments.sqlite]]
alias = "legacy"
path = "data/legacy.sqlite"

[[views]]
name = "people"
db_schema = "raw"
sql = "SELECT * FROM read_csv('data/people.csv', header = true)"

[[views]]
name = "orders"
db_schema = "raw"
source = "parquet"
uri = "data/orders.parquet"

[[views]]
name = "accounts"
db_schema = "raw"
source = "sqlite"
database = "legacy"
table = "accounts"

[[views]]
name = "named"
db_schema = "mart"
sql = "SELECT p.id, p.name, o.amount FROM raw.people p JOIN raw.orders o ON o.id = p.id"

[[views]]
name = "summary"
sql = """SELECT (SELECT count(*) FROM raw.people) AS people,
  (SELECT count(*) FROM mart.named) AS named,
  (SELECT count(*) FROM raw.accounts) AS accounts"""
"#;

/// Each view counted in one statement: every CSV scan in it holds a
/// buffer of 32 MB, three of them here.
fn counts() -> String {
    let views = ["main.summary", "raw.people", "raw.orders", "raw.accounts"];
    let parts: Vec<String> = views
        .iter()
        .map(|v| format!("SELECT '{v}' AS k, (SELECT count(*) FROM {v}) AS n"))
        .collect();
    parts.join(" UNION ALL ")
}

/// Replays the session's SET, LOAD, secret and ATTACH statements on the
/// catalog, runs one statement, and prints its rows as CSV or its error.
const REPLAY: &str = r#"
import duckdb, sys
script, database, statement = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect(database, config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"})
kept = ("SET ", "LOAD ", "ATTACH ", "CREATE OR REPLACE TEMPORARY SECRET", "CREATE OR REPLACE PERSISTENT SECRET")
for s in open(script).read().split(";\n"):
    s = "\n".join(l for l in s.splitlines() if not l.startswith("--")).strip()
    if s.startswith(kept):
        con.execute(s)
try:
    for row in con.execute(statement).fetchall():
        print(",".join("" if v is None else str(v) for v in row))
except duckdb.Error as e:
    print("error: " + str(e).splitlines()[0])
"#;

fn python(p: &Project, statement: &str) -> String {
    python_on(p, "cat.duckdb", statement)
}

fn python_on(p: &Project, database: &str, statement: &str) -> String {
    let python = std::env::var("DUCKALOG_TEST_PYTHON")
        .expect("DUCKALOG_TEST_PYTHON is not set: run the tests through scripts/test");
    let out = std::process::Command::new(python)
        .args(["-c", REPLAY, "session.sql", database, statement])
        .current_dir(p.dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn duckalog(p: &Project, statement: &str) -> String {
    let out = p.run(&["query", statement, "--format", "csv"]);
    if out.code != 0 {
        let message = out.stderr.trim_start_matches("error: query: ");
        return format!("error: {}\n", message.lines().next().unwrap_or_default());
    }
    // The header is DuckDB's column names, which the Python rows lack.
    out.stdout.lines().skip(1).map(|l| format!("{l}\n")).collect()
}

#[test]
fn queries_get_the_memory_duckdbs_python_client_gives_them() {
    let p = Project::new();
    p.fixtures();
    p.write("duckalog.toml", CONFIG);
    p.run(&["run"]).ok();
    let script = p.run(&["generate-sql", "--show-secrets"]);
    script.ok();
    p.write("session.sql", &script.stdout);

    let statements = [
        counts(),
        "SELECT id, name, amount FROM mart.named ORDER BY id".to_string(),
        format!("COPY ({}) TO 'OUT.json' (FORMAT json, ARRAY true)", counts()),
        format!("COPY ({}) TO 'OUT.csv'", counts()),
        format!("COPY ({}) TO 'OUT.parquet'", counts()),
    ];
    for statement in &statements {
        let ours = duckalog(&p, &statement.replace("OUT", "ours"));
        let theirs = python(&p, &statement.replace("OUT", "theirs"));
        assert!(!theirs.starts_with("error"), "DuckDB's client failed: {theirs}");
        assert_eq!(ours, theirs, "{statement}");
        if let Some(ext) = ["json", "csv"].iter().find(|e| statement.contains(&format!("OUT.{e}")))
        {
            let read =
                |who: &str| std::fs::read_to_string(p.path(&format!("{who}.{ext}"))).unwrap();
            assert_eq!(read("ours"), read("theirs"), "{statement}");
        }
    }
}

/// A Python-tool config over Parquet, CSV, DuckDB and SQLite files whose
/// eight-view JSON export ran out of memory in duckalog and not in DuckDB.
#[test]
fn an_export_over_csv_views_fits_the_memory_limit() {
    let p = Project::new();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/query-memory");
    for rel in ["catalog.yaml", "query.sql", "data/events.parquet", "data/users.parquet"]
        .into_iter()
        .chain(["data/orders.csv", "data/ref.duckdb", "data/legacy.sqlite"])
    {
        std::fs::create_dir_all(p.path(rel).parent().unwrap()).unwrap();
        std::fs::copy(fixture.join(rel), p.path(rel)).unwrap();
    }
    p.run(&["run", "catalog.yaml"]).ok();
    let script = p.run(&["generate-sql", "catalog.yaml", "--show-secrets"]);
    script.ok();
    p.write("session.sql", &script.stdout);
    let query = std::fs::read_to_string(p.path("query.sql")).unwrap();
    let theirs = python_on(&p, "catalog.duckdb", &query.replace("counts.json", "theirs.json"));
    assert_eq!(theirs, "8\n", "DuckDB's client: {theirs}");
    for how in [&["query"][..], &["run", "--query"][..]] {
        let mut args = how.to_vec();
        args.extend([query.as_str(), "catalog.yaml", "--format", "csv"]);
        let out = p.run(&args);
        out.ok();
        assert_eq!(out.stdout, "Count\n8\n", "{how:?}");
        let read = |f: &str| std::fs::read_to_string(p.path(f)).unwrap();
        assert_eq!(read("counts.json"), read("theirs.json"), "{how:?}");
        std::fs::remove_file(p.path("counts.json")).unwrap();
    }
    let shell =
        p.run_stdin(&["run", "-i", "catalog.yaml", "--format", "csv"], &format!("{query};\n"));
    shell.ok();
    assert_eq!(shell.stdout, "Count\n8\n", "{}", shell.stderr);
    assert!(p.path("counts.json").is_file());
}
