//! `query`: one statement on the catalog opened read-only, its session
//! restored, nothing changed.

use crate::common;
use common::Project;

const CONFIG: &str = r#"
version = 1

[duckdb]
database = "cat.duckdb"
settings = { threads = 3 }

[[duckdb.secrets]]
type = "s3"
key_id = "MKquerykey1"
secret = "MKquerysecret2"

[[attachments.duckdb]]
alias = "shop"
path = "data/shop.duckdb"

[[views]]
name = "items"
source = "duckdb"
database = "shop"
table = "items"
"#;

fn project() -> Project {
    let p = Project::new();
    std::fs::create_dir_all(p.path("data")).unwrap();
    p.duckdb(Some("data/shop.duckdb"))
        .execute_batch(
            "CREATE TABLE items AS SELECT * FROM (VALUES (10, 'pen'), (11, 'ink')) t(id, name)",
        )
        .unwrap();
    p.write("duckalog.toml", CONFIG);
    p
}

#[test]
fn a_missing_catalog_is_its_own_error_and_is_not_created() {
    let p = project();
    p.run(&["query", "SELECT 1"]).fails(6, &["cat.duckdb", "does not exist yet", "duckalog run"]);
    assert!(!p.path("cat.duckdb").exists());
}

#[test]
fn an_in_memory_catalog_is_built_for_the_statement_and_no_file_is_written() {
    let p = project();
    p.write("mem.toml", &CONFIG.replace("database = \"cat.duckdb\"\n", ""));
    let files = || std::fs::read_dir(p.dir.path()).unwrap().count();
    let before = files();
    let out = p.run(&[
        "query",
        "--config",
        "mem.toml",
        "SELECT string_agg(name, '|' ORDER BY name) AS n FROM items",
        "--format",
        "csv",
    ]);
    out.ok();
    assert_eq!(out.stdout, "n\nink|pen\n");
    assert_eq!(files(), before);
    let out = p.run(&[
        "run",
        "mem.toml",
        "--read-only",
        "-q",
        "SELECT count(*) AS c FROM items",
        "--format",
        "csv",
    ]);
    out.ok();
    assert_eq!(out.stdout, "c\n2\n");
    assert_eq!(files(), before);
}

#[test]
fn without_a_config_db_names_a_bare_database() {
    let p = project();
    p.write(
        "duckalog.toml",
        &format!("{CONFIG}\n[[views]]\nname = \"answer\"\nsql = \"SELECT 42 AS a\"\n"),
    );
    p.run(&["run"]).ok();
    std::fs::rename(p.path("duckalog.toml"), p.path("kept.toml")).unwrap();
    let before = std::fs::read(p.path("cat.duckdb")).unwrap();
    let out = p.run(&["query", "--db", "cat.duckdb", "SELECT a FROM answer", "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "a\n42\n");
    // No session is restored: a view over an attachment finds no attachment.
    p.run(&["query", "--db", "cat.duckdb", "SELECT * FROM items"]).fails(3, &["shop"]);
    // Read-only: the file is never written.
    p.run(&["query", "--db", "cat.duckdb", "CREATE TABLE t (x INT)"]).fails(3, &["read-only"]);
    assert_eq!(std::fs::read(p.path("cat.duckdb")).unwrap(), before);
    p.run(&["query", "--db", "none.duckdb", "SELECT 1"])
        .fails(6, &["none.duckdb", "does not exist yet"]);
    // Without --db, a config is still needed.
    p.run(&["query", "SELECT 1"]).fails(2, &["duckalog.toml"]);
    // A config found or named is read as ever, --db only replacing its database.
    let out = p.run(&[
        "query",
        "SELECT count(*) AS n FROM items",
        "kept.toml",
        "--db",
        "cat.duckdb",
        "--format",
        "csv",
    ]);
    out.ok();
    assert_eq!(out.stdout, "n\n2\n");
}

#[test]
fn a_reader_that_stops_reading_ends_the_output_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let p = project();
    for close_stderr in [false, true] {
        let mut child = p
            .command(&[
                "query",
                "--db",
                ":memory:",
                "SELECT * FROM range(200000)",
                "--format",
                "csv",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let stderr = if close_stderr {
            drop(stderr);
            None
        } else {
            Some(stderr)
        };
        // As `| head -1` does: one line, then the pipe is closed.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        assert_eq!(first, "range\n");
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "closed stderr: {close_stderr}");
        if let Some(mut e) = stderr {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut e, &mut text).unwrap();
            assert_eq!(text, "");
        }
    }
}

#[test]
fn a_query_is_one_statement() {
    let p = project();
    p.run(&["run"]).ok();
    for args in [&["query", "SELECT 1; SELECT 2"][..], &["run", "-q", "SELECT 1; SELECT 2"]] {
        p.run(args).fails(2, &["the query holds 2 statements", "run -i"]);
    }
    for empty in ["", "  ", "/* nothing */ ;"] {
        p.run(&["query", empty]).fails(2, &["the query is empty"]);
        p.run(&["run", "-q", empty]).fails(2, &["the query is empty"]);
    }
    // A `;` inside a string, and a last `;`, are not a second statement.
    let out = p.run(&["query", "SELECT 'a;b' AS s;", "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "s\na;b\n");
}

#[test]
fn the_session_is_restored_and_nothing_changes() {
    let p = project();
    p.run(&["run"]).ok();
    let before = std::fs::read(p.path("cat.duckdb")).unwrap();
    // A view added to the config is not created: query does not reconcile.
    p.write(
        "duckalog.toml",
        &format!("{CONFIG}\n[[views]]\nname = \"later\"\nsql = \"SELECT 1 AS x\"\n"),
    );
    let out = p.run(&[
        "query",
        "SELECT (SELECT string_agg(name, '|' ORDER BY name) FROM items) AS items, current_setting('threads') AS threads, \
         (SELECT count(*) FROM duckdb_secrets()) AS secrets",
        "--format",
        "json",
    ]);
    out.ok();
    let rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(rows, serde_json::json!([{"items": "ink|pen", "threads": 3, "secrets": 1}]));
    p.run(&["query", "SELECT * FROM later"]).fails(3, &["later"]);
    p.run(&["query", "CREATE TABLE t (a INT)", "-c", "duckalog.toml"]).fails(3, &["read-only"]);
    assert!(std::fs::read(p.path("cat.duckdb")).unwrap() == before, "the database file changed");
}

#[test]
fn formats_and_the_config_argument() {
    let p = project();
    p.run(&["run"]).ok();
    std::fs::rename(p.path("duckalog.toml"), p.path("other.toml")).unwrap();
    let sql = "SELECT id, name FROM items ORDER BY id";
    let out = p.run(&["query", sql, "other.toml", "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "id,name\n10,pen\n11,ink\n");
    let out = p.run(&["query", "--config", "other.toml", sql]);
    out.ok();
    assert!(
        out.stdout.contains("| 10 | pen  |") && out.stdout.ends_with("(2 rows)\n"),
        "{}",
        out.stdout
    );
    p.run(&["query", sql]).fails(2, &["duckalog.toml"]);
    // Secret values never print.
    let out = p.run(&["query", "SELECT secret_string FROM duckdb_secrets()", "other.toml"]);
    out.ok();
    assert!(!out.stdout.contains("MKquerykey1") && out.stdout.contains("***"), "{}", out.stdout);
}
