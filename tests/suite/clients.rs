//! Other DuckDB clients on a catalog duckalog keeps: the session script of
//! `generate-sql --session` replayed in DuckDB's own shell and Python
//! client, 1.5.5, over SQLite, PostgreSQL, DuckLake, S3 and a nested catalog.

use crate::common;
use common::{Pg, Project, S3Server};
use std::process::Command;

/// One value from each kind of attachment; `t` is the type the SQLite
/// scanner gives `id` under `sqlite_all_varchar`, a setting DuckDB keeps per
/// connection.
const QUERY: &str = "SELECT (SELECT any_value(typeof(id)) FROM accounts) AS t, \
    (SELECT count(*) FROM users) AS u, (SELECT count(*) FROM events) AS e, \
    (SELECT count(*) FROM child.owners) AS o, (SELECT sum(amount) FROM orders) AS s";
const ROW: &str = "VARCHAR,4,5,3,8.0";

fn lake(pg: &Pg, tag: &str) -> String {
    format!(
        "[[attachments.ducklake]]\nalias = \"lake\"\nmetadata_schema = \"{tag}_lake\"\n\
         data_path = \"lake_files\"\npostgres = {{ host = \"127.0.0.1\", port = {}, \
         database = \"postgres\", user = \"{}\", password = \"{}\" }}\n",
        pg.port, pg.user, pg.password
    )
}

fn view(name: &str, body: &str) -> String {
    format!("[[views]]\nname = \"{name}\"\n{body}\n")
}

/// A catalog over every kind of attachment a client must restore, built;
/// its PostgreSQL schemas are named after `tag`.
fn catalog(p: &Project, pg: &Pg, s3: &S3Server, tag: &str) {
    p.fixtures();
    pg.execute(
        p,
        &format!(
            "DROP SCHEMA IF EXISTS {tag} CASCADE; DROP SCHEMA IF EXISTS {tag}_lake CASCADE; \
             CREATE SCHEMA {tag}; CREATE SCHEMA {tag}_lake; \
             CREATE TABLE {tag}.users AS SELECT g AS id FROM generate_series(1, 4) g;"
        ),
    );
    s3.create_bucket("clients");
    s3.put("clients", "orders.parquet", &std::fs::read(p.path("data/orders.parquet")).unwrap());
    p.write("writer.toml", &lake(pg, tag));
    let make = "CREATE TABLE lake.events AS SELECT range AS id FROM range(5)";
    p.run(&["run", "writer.toml", "-q", make]).ok();
    p.write(
        "child/child.toml",
        "[duckdb]\ndatabase = \"child.duckdb\"\n[[attachments.sqlite]]\nalias = \"old\"\n\
         path = \"../data/legacy.sqlite\"\n[[views]]\nname = \"owners\"\n\
         sql = \"SELECT owner FROM old.accounts\"\n",
    );
    let config = [
        "[duckdb]\ndatabase = \"catalog.duckdb\"\nsettings = { sqlite_all_varchar = true, TimeZone = \"UTC\" }\n"
            .into(),
        s3.secret_toml(),
        "[[attachments.sqlite]]\nalias = \"legacy\"\npath = \"data/legacy.sqlite\"\n".into(),
        format!(
            "[[attachments.postgres]]\nalias = \"pg\"\nhost = \"127.0.0.1\"\nport = \"{}\"\n\
             database = \"postgres\"\nuser = \"{}\"\npassword = \"{}\"\n",
            pg.port, pg.user, pg.password
        ),
        lake(pg, tag),
        "[[attachments.duckalog]]\nalias = \"child\"\nconfig_path = \"child/child.toml\"\n".into(),
        view("accounts", "source = \"sqlite\"\ndatabase = \"legacy\"\ntable = \"accounts\""),
        view(
            "users",
            &format!("source = \"postgres\"\ndatabase = \"pg\"\ntable = \"{tag}.users\""),
        ),
        view("events", "sql = \"SELECT * FROM lake.events\""),
        view("orders", "source = \"parquet\"\nuri = \"s3://clients/orders.parquet\""),
    ];
    p.write("duckalog.toml", &config.concat());
    p.run(&["run"]).ok();
}

/// DuckDB's shell on catalog.duckdb, with `flags` before the database.
fn shell(p: &Project, flags: &[&str], sql: &str) -> common::Out {
    let cli = std::env::var("DUCKALOG_TEST_DUCKDB_CLI").expect(
        "DUCKALOG_TEST_DUCKDB_CLI names DuckDB's shell: run the tests through scripts/test",
    );
    let mut cmd = Command::new(cli);
    cmd.current_dir(p.dir.path()).args(flags);
    common::Out::of(cmd.args(["catalog.duckdb", "-csv", "-noheader", "-c", sql]).output().unwrap())
}

/// DuckDB's Python client as DuckDB's JDBC driver runs an init file: the
/// part before the marker once, on the connection that opened the database,
/// the part after it on each new connection; the query runs on a new one.
const PYTHON: &str = r#"
import duckdb, sys
database, script, query = sys.argv[1:]
once, each = open(script).read().split("/* DUCKDB_CONNECTION_INIT_BELOW_MARKER */")
first = duckdb.connect(database)
first.execute(once)
second = first.cursor()
second.execute(each)
for row in second.execute(query).fetchall():
    print(",".join(str(v) for v in row))
"#;

fn python(p: &Project, script: &str) -> common::Out {
    let python = std::env::var("DUCKALOG_TEST_PYTHON")
        .expect("DUCKALOG_TEST_PYTHON is not set: run the tests through scripts/test");
    let out = Command::new(python)
        .current_dir(p.dir.path())
        .args(["-c", PYTHON, "catalog.duckdb", script, QUERY])
        .output()
        .unwrap();
    common::Out::of(out)
}

#[test]
fn duckdbs_shell_and_python_client_replay_the_session_script() {
    let (pg, s3, p) = (Pg::get(), S3Server::start(), Project::new());
    catalog(&p, &pg, &s3, "clients_replay");
    let own = p.run(&["run", "-q", QUERY, "--format", "csv"]);
    assert_eq!(own.ok().stdout, format!("t,u,e,o,s\n{ROW}\n"));

    // Without the session, the client sees views whose attachments are missing.
    shell(&p, &[], QUERY).fails(1, &["does not exist"]);

    p.run(&["generate-sql", "--session", "--show-secrets", "-o", "session.sql"]).ok();
    let mode = std::fs::metadata(p.path("session.sql")).unwrap().permissions();
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o077, 0, "not owner-only");
    // The shell prints what the init file's CREATE SECRET returns first.
    // A reporting tool opens the catalog read-only: the session restores too.
    for flags in [&["-init", "session.sql"][..], &["-readonly", "-init", "session.sql"]] {
        let out = shell(&p, flags, QUERY);
        assert!(out.ok().stdout.ends_with(&format!("{ROW}\n")), "{}", out.stdout);
    }
    let out = python(&p, "session.sql");
    assert_eq!(out.ok().stdout, format!("{ROW}\n"));
}

#[test]
fn the_session_script_masks_secrets_and_holds_no_view() {
    let (pg, s3, p) = (Pg::get(), S3Server::start(), Project::new());
    catalog(&p, &pg, &s3, "clients_masked");
    let out = p.run(&["generate-sql", "--session"]);
    let script = &out.ok().stdout;
    for value in [pg.password.as_str(), "test-secret"] {
        assert!(!script.contains(value), "a secret value in:\n{script}");
    }
    assert!(script.contains("SECRET '***'"), "{script}");
    assert!(!script.contains("CREATE OR REPLACE VIEW") && !script.contains("PERSISTENT"));
    let marker = script.find("DUCKDB_CONNECTION_INIT_BELOW_MARKER").expect(script);
    let attach = script.find("ATTACH IF NOT EXISTS").expect(script);
    assert!(attach < marker && script[marker..].contains("SET sqlite_all_varchar = true"));
    // A setting of the whole instance is not repeated, however it is spelt.
    assert!(script[..marker].contains("SET TimeZone") && !script[marker..].contains("TimeZone"));
    // The child's own attachment comes too: its views read it.
    assert!(script.contains("AS \"old\""), "{script}");

    let json = p.run(&["generate-sql", "--session", "--format", "json"]).ok().stdout.clone();
    assert!(json.contains("\"mask\": []") && !json.contains(&pg.password), "{json}");
    p.run(&["generate-sql", "--format", "json"]).fails(2, &["--session"]);

    p.write("mem.toml", "[duckdb]\ndatabase = \":memory:\"\n");
    p.run(&["generate-sql", "--session", "mem.toml"]).fails(2, &["in memory", "--db"]);
}

/// The blocks of docs/clients.md fenced as `lang`.
fn snippets(lang: &str) -> Vec<String> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/clients.md"));
    let doc = doc.unwrap();
    let fence = format!("```{lang}\n");
    doc.split(&fence).skip(1).map(|b| b.split("```").next().unwrap().to_string()).collect()
}

#[test]
fn the_shell_and_python_snippets_of_the_clients_page_run() {
    let (pg, s3, p) = (Pg::get(), S3Server::start(), Project::new());
    catalog(&p, &pg, &s3, "clients_docs");
    let duckdb = std::env::var("DUCKALOG_TEST_DUCKDB_CLI").expect("DUCKALOG_TEST_DUCKDB_CLI");
    let bins = [env!("CARGO_BIN_EXE_duckalog"), &duckdb]
        .map(|b| std::path::Path::new(b).parent().unwrap().display().to_string());
    let path = format!("{}:{}", bins.join(":"), std::env::var("PATH").unwrap());
    let mut printed = String::new();
    for block in snippets("sh") {
        let run = Command::new("sh")
            .args(["-e", "-c", &block])
            .current_dir(p.dir.path())
            .env("PATH", &path)
            .env("DUCKALOG_EXTENSION_DIR", common::ext_dir())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        printed += &common::Out::of(run).ok().stdout;
    }
    assert!(printed.contains("owner") && printed.contains('z'), "{printed}");
    // The package's venv has DuckDB's Python client 1.5.5 and the package.
    let venv = std::env::var("DUCKALOG_TEST_PACKAGE_VENV").expect("DUCKALOG_TEST_PACKAGE_VENV");
    let python = std::path::Path::new(&venv).join("bin/python");
    let blocks = snippets("python");
    assert_eq!(blocks.len(), 2);
    for code in blocks {
        let mut run = Command::new(&python);
        run.args(["-c", &code]).current_dir(p.dir.path());
        let out = run.env("DUCKALOG_EXTENSION_DIR", common::ext_dir()).output().unwrap();
        assert_eq!(common::Out::of(out).ok().stdout, "[(3,)]\n");
    }
}
