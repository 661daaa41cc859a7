//! Restoring on a bad day: silent servers, closed ports, servers that come
//! back, wrong passwords, optional attachments and slow networks, against a
//! real PostgreSQL on 127.0.0.1.

use crate::common;
use common::{free_port, proxy, Pg, Project};
use std::time::{Duration, Instant};

fn attachment(pg: &Pg, alias: &str, port: u16, password: &str, extra: &str) -> String {
    format!(
        "[[attachments.postgres]]\nalias = \"{alias}\"\nhost = \"127.0.0.1\"\nport = {port}\ndatabase = \"postgres\"\n\
         user = \"{}\"\npassword = \"{password}\"\nschema = \"reconnect\"\n{extra}\n",
        pg.user
    )
}

fn setup(pg: &Pg, p: &Project) {
    pg.execute(
        p,
        "CREATE SCHEMA IF NOT EXISTS reconnect; CREATE TABLE IF NOT EXISTS reconnect.t AS SELECT 1 AS id UNION ALL SELECT 2;",
    );
}

#[test]
fn a_listener_that_never_answers_is_cut_off_at_the_timeout() {
    let pg = Pg::get();
    let p = Project::new();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    p.write(
        "duckalog.toml",
        &attachment(&pg, "pg", port, &pg.password, "timeout = 2\nretries = 0"),
    );
    let start = Instant::now();
    let out = p.run(&["run"]);
    out.fails(3, &["attachment \"pg\" (postgres)"]);
    // libpq's own connect_timeout or duckalog's watchdog, whichever comes first.
    assert!(
        out.stderr.contains("timed out") || out.stderr.contains("timeout expired"),
        "{}",
        out.stderr
    );
    assert!(start.elapsed() < Duration::from_secs(4), "took {:?}", start.elapsed());
    drop(silent);
}

#[test]
fn a_closed_port_is_retried_then_fails_clearly() {
    let pg = Pg::get();
    let p = Project::new();
    p.write(
        "duckalog.toml",
        &attachment(&pg, "pg", free_port(), &pg.password, "retries = 2\nretry_backoff = 0.1"),
    );
    let out = p.run(&["run"]);
    out.fails(3, &["attachment \"pg\" (postgres)", "Connection refused"]);
    assert!(
        out.stderr.contains("attempt 1 of 3 failed")
            && out.stderr.contains("attempt 2 of 3 failed"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("attempt 3 of 3"), "{}", out.stderr);
}

#[test]
fn a_server_that_starts_during_the_backoff_is_attached() {
    let pg = Pg::get();
    let p = Project::new();
    setup(&pg, &p);
    let port = free_port();
    proxy(port, pg.port.parse().unwrap(), Duration::ZERO, Duration::from_millis(2000));
    p.write(
        "duckalog.toml",
        &format!(
            "{}[[views]]\nname = \"t\"\nsource = \"postgres\"\ndatabase = \"pg\"\ntable = \"reconnect.t\"\n",
            attachment(&pg, "pg", port, &pg.password, "retries = 5\nretry_backoff = 0.3")
        ),
    );
    let out = p.run(&["run", "-q", "SELECT count(*) AS n FROM t", "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "n\n2\n");
    assert!(out.stderr.contains("attempt 1 of 6 failed"), "{}", out.stderr);
}

#[test]
fn an_authentication_failure_is_not_retried() {
    let pg = Pg::get();
    let p = Project::new();
    p.write(
        "duckalog.toml",
        &attachment(
            &pg,
            "pg",
            pg.port.parse().unwrap(),
            "not-the-password",
            "retries = 3\nretry_backoff = 1",
        ),
    );
    let start = Instant::now();
    let out = p.run(&["run"]);
    out.fails(3, &["password authentication failed"]);
    assert!(!out.stderr.contains("retrying"), "{}", out.stderr);
    assert!(start.elapsed() < Duration::from_secs(3), "took {:?}", start.elapsed());
}

#[test]
fn an_unreachable_optional_attachment_skips_only_its_views() {
    let pg = Pg::get();
    let p = Project::new();
    setup(&pg, &p);
    let views = "[[views]]\nname = \"t\"\nsource = \"postgres\"\ndatabase = \"pg\"\ntable = \"reconnect.t\"\n\
                 [[views]]\nname = \"doubled\"\nsql = \"SELECT id * 2 AS id FROM t\"\n\
                 [[views]]\nname = \"local\"\nsql = \"SELECT 42 AS answer\"\n";
    let config = |port: u16| {
        format!(
            "[duckdb]\ndatabase = \"cat.duckdb\"\n{}{views}",
            attachment(&pg, "pg", port, &pg.password, "required = false\nretries = 0")
        )
    };
    p.write("duckalog.toml", &config(free_port()));
    let out = p.run(&["run"]);
    assert_eq!(out.code, 4, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("1 created")
            && out
                .stdout
                .contains("1 optional attachment(s) unavailable, 2 view(s) reading them skipped"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("attachment \"pg\" (postgres) is optional and unavailable"),
        "{}",
        out.stderr
    );
    let names: Vec<String> = p.views("cat.duckdb").into_iter().map(|v| v.1).collect();
    assert_eq!(names, ["local"]);

    // Back again: the skipped views are created.
    p.write("duckalog.toml", &config(pg.port.parse().unwrap()));
    let out = p.run(&["run"]);
    out.ok();
    assert!(out.stdout.contains("2 created, 0 replaced, 1 unchanged"), "{}", out.stdout);
}

#[test]
fn delayed_attachments_restore_in_parallel() {
    let pg = Pg::get();
    let p = Project::new();
    setup(&pg, &p);
    let delay = Duration::from_millis(1000);
    let mut config = String::from("[duckdb]\ndatabase = \"cat.duckdb\"\n");
    for i in 0..8 {
        let port = free_port();
        proxy(port, pg.port.parse().unwrap(), delay, Duration::ZERO);
        config.push_str(&attachment(&pg, &format!("pg{i}"), port, &pg.password, ""));
    }
    p.write("duckalog.toml", &config);
    let start = Instant::now();
    p.run(&["run"]).ok();
    let parallel = start.elapsed();
    let start = Instant::now();
    p.run(&["run", "--jobs", "1"]).ok();
    let sequential = start.elapsed();
    assert!(sequential >= delay * 8, "sequential restore took {sequential:?}");
    // Compared with the sequential run of the same machine, so that a loaded machine does not fail it.
    assert!(parallel * 2 < sequential, "8 attachments with {delay:?} latency took {parallel:?} in parallel (sequential: {sequential:?})");
}

#[test]
fn query_timeout_interrupts_a_long_query() {
    let p = Project::new();
    p.write("duckalog.toml", "");
    let start = Instant::now();
    let out =
        p.run(&["run", "-q", "SELECT count(*) FROM range(100000000000)", "--query-timeout", "0.5"]);
    out.fails(3, &["query", "interrupted after 500ms (--query-timeout)"]);
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
}
