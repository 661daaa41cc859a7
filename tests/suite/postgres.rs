//! PostgreSQL attachments against a real server on 127.0.0.1.

use crate::common;
use common::pgwire_log::PgLog;
use common::{closed_port, Pg, Project};
use std::collections::HashSet;

fn config(pg: &Pg, port: &str, password: &str, schema: &str) -> String {
    format!(
        r#"
[duckdb]
database = "cat.duckdb"

[[attachments.postgres]]
alias = "pg"
host = "127.0.0.1"
port = "{port}"
database = "postgres"
user = "{user}"
password = "${{env:PG_TEST_PASSWORD:{password}}}"
connect_timeout = 5

[[views]]
name = "users"
source = "postgres"
database = "pg"
table = "{schema}.users"

[[views]]
name = "adults"
sql = "SELECT name FROM users WHERE age >= 18"
"#,
        user = pg.user
    )
}

fn with_users(pg: &Pg, p: &Project, schema: &str) {
    pg.execute(
        p,
        &format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
             CREATE TABLE {schema}.users (id int, name text, age int);
             INSERT INTO {schema}.users VALUES (1, 'ann', 34), (2, 'bob', 12), (3, 'cy', 51);"
        ),
    );
}

#[test]
fn views_over_postgres_tables_work_on_every_run() {
    let pg = Pg::get();
    let p = Project::new();
    with_users(&pg, &p, "restore_test");
    p.write("duckalog.toml", &config(&pg, &pg.port, &pg.password, "restore_test"));
    let out = p.run(&["run"]);
    out.ok();
    assert!(out.stdout.contains("2 created"), "{}", out.stdout);
    // A second process must attach PostgreSQL again for these to answer.
    let out = p.run(&[
        "run",
        "-q",
        "SELECT string_agg(name, '|' ORDER BY name) AS names FROM adults",
        "--format",
        "csv",
    ]);
    out.ok();
    assert_eq!(out.stdout, "names\nann|cy\n");
    assert!(!out.stderr.contains(&pg.password));
    let out = p.run(&["run", "-q", "SELECT count(*) AS n FROM users", "--format", "csv"]);
    assert_eq!(out.stdout, "n\n3\n");
}

#[test]
fn a_wrong_password_names_the_attachment_and_hides_the_password() {
    let pg = Pg::get();
    let p = Project::new();
    with_users(&pg, &p, "wrong_password");
    p.write("duckalog.toml", &config(&pg, &pg.port, &pg.password, "wrong_password"));
    p.run(&["run"]).ok();
    let (views, state) = (p.views("cat.duckdb"), p.state("cat.duckdb"));
    assert_eq!(views.len(), 2);
    // The password rotated on the server side only, and a view added.
    let extra = "\n[[views]]\nname = \"later\"\nsql = \"SELECT 1 AS x\"\n";
    let wrong = config(&pg, &pg.port, "WrongPassMarker123", "wrong_password");
    p.write("duckalog.toml", &format!("{wrong}{extra}"));
    let out = p.run_env(&["run", "-vvv"], &[("RUST_LOG", "trace")]);
    out.fails(3, &["attachment \"pg\" (postgres)", "password authentication failed"]);
    assert!(
        !out.stderr.contains("WrongPassMarker123") && !out.stdout.contains("WrongPassMarker123"),
        "{}",
        out.stderr
    );
    // Never a partial catalog: the views and duckalog's records are as they were.
    assert_eq!(p.views("cat.duckdb"), views);
    assert_eq!(p.state("cat.duckdb"), state);
}

#[test]
fn a_closed_port_fails_fast_naming_the_attachment() {
    let pg = Pg::get();
    let p = Project::new();
    let closed = closed_port();
    p.write("duckalog.toml", &config(&pg, &closed.port.to_string(), &pg.password, "nothing"));
    let start = std::time::Instant::now();
    let out = p.run(&["run"]);
    out.fails(3, &["attachment \"pg\" (postgres)", "Connection refused"]);
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
    assert!(!out.stderr.contains(&pg.password));
}

#[test]
fn a_postgres_attachment_can_take_its_connection_from_a_secret() {
    let pg = Pg::get();
    let p = Project::new();
    with_users(&pg, &p, "secret_test");
    p.write(
        "duckalog.toml",
        &format!(
            r#"
[duckdb]
database = "cat.duckdb"

[[duckdb.secrets]]
type = "postgres"
name = "warehouse"
host = "127.0.0.1"
port = {port}
database = "postgres"
user = "{user}"
password = "{password}"

[[attachments.postgres]]
alias = "pg"
secret = "warehouse"
schema = "secret_test"

[[views]]
name = "users"
source = "postgres"
database = "pg"
table = "secret_test.users"
"#,
            port = pg.port,
            user = pg.user,
            password = pg.password
        ),
    );
    p.run(&["run"]).ok();
    let out = p.run(&["run", "-q", "SELECT count(*) AS n FROM users", "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "n\n3\n");
}

/// Reading the catalog's own views, state and secrets must not make DuckDB
/// walk an attached PostgreSQL catalog: a no-op run asks the server only what
/// DuckDB's own client asks when it attaches the same way, and `plan` asks
/// nothing at all.
#[test]
fn a_no_op_run_asks_postgres_only_what_attaching_asks() {
    let pg = Pg::get();
    let p = Project::new();
    with_users(&pg, &p, "bookkeeping_test");
    let log = PgLog::start(pg.port.parse().unwrap());
    let port = log.port.to_string();
    p.write("duckalog.toml", &config(&pg, &port, &pg.password, "bookkeeping_test"));
    p.run(&["run"]).ok();
    let walks = |asked: &[String]| asked.iter().filter(|q| q.contains("pg_namespace")).count();
    // The log sees a walk when there is one: listing tables walks every database.
    log.take();
    p.run(&["query", "SELECT count(*) FROM duckdb_tables()"]).ok();
    assert!(walks(&log.take()) > 0, "listing tables did not reach PostgreSQL's catalog");

    let out = p.run(&["run"]);
    assert!(out.ok().stdout.contains("0 created, 0 replaced, 2 unchanged"), "{}", out.stdout);
    let run = log.take();
    assert_eq!(walks(&run), 0, "a no-op run walked PostgreSQL's catalog: {run:#?}");

    let c = p.duckdb(None);
    let dsn = format!(
        "host=127.0.0.1 port={port} user={} password={} dbname=postgres connect_timeout=5",
        pg.user, pg.password
    );
    let attach = format!("LOAD postgres_scanner; ATTACH '{dsn}' AS pg (TYPE postgres, READ_ONLY)");
    c.execute_batch(&attach).unwrap();
    drop(c);
    let client = log.take();
    let startups = |asked: &[String]| asked.iter().filter(|q| *q == "startup").count();
    assert_eq!(startups(&run), startups(&client), "run: {run:#?}\nclient: {client:#?}");
    let known: HashSet<&String> = client.iter().collect();
    let extra: Vec<&String> = run.iter().filter(|q| !known.contains(q)).collect();
    assert!(extra.is_empty(), "a no-op run asked more than attaching does: {extra:#?}");

    p.run(&["plan"]).ok();
    assert_eq!(log.take(), Vec::<String>::new(), "plan connected to PostgreSQL");
}
