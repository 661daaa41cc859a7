//! Restoring on a bad day: silent servers, closed ports, servers that come
//! back, wrong passwords, optional attachments and slow networks, against a
//! real PostgreSQL on 127.0.0.1.

use crate::common;
use common::netns::{Netns, SILENT};
use common::{closed_port, proxy, Pg, Project};
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

/// Two attempts of 2 s each with a 0.5 s backoff (±25%) between, while libpq
/// would wait 30 s: only duckalog's own timeout can end the run in time.
const SLOW_LIBPQ: &str = "timeout = 2\nretries = 1\nretry_backoff = 0.5\nconnect_timeout = 30";

fn within_two_attempts(took: Duration, stderr: &str) {
    let least = Duration::from_millis(2 * 2000 + 375);
    assert!(took >= least && took < least + Duration::from_secs(3), "took {took:?}\n{stderr}");
    assert!(stderr.contains("attempt 1 of 2 failed"), "{stderr}");
    assert!(!stderr.contains("timeout expired"), "libpq gave up, not duckalog:\n{stderr}");
}

#[test]
fn a_host_that_drops_syn_costs_each_attempt_its_timeout() {
    let pg = Pg::get();
    let p = Project::new();
    let ns = Netns::new().with_silent_host();
    let config = attachment(&pg, "pg", 5432, &pg.password, SLOW_LIBPQ);
    p.write("duckalog.toml", &config.replace("127.0.0.1", SILENT));
    let (out, took) = ns.run(&p, &["run"], &[]);
    out.fails(3, &["attachment \"pg\" (postgres)", "10.254.0.2:5432 did not answer within 2s"]);
    within_two_attempts(took, &out.stderr);
}

/// A server that accepts, answers libpq's encryption requests (SSL, GSS)
/// with "no", reads the startup packet and then says nothing. Sends one
/// message per startup packet read; keeps every connection open.
fn stalling_server() -> (u16, std::sync::mpsc::Receiver<()>) {
    let listener = closed_port().listen();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut conn in listener.incoming().flatten() {
            // The probe connects and closes at once: no startup packet.
            if read_until_startup(&mut conn).is_some() {
                let _ = tx.send(());
                held.push(conn);
            }
        }
    });
    (port, rx)
}

fn read_until_startup(conn: &mut std::net::TcpStream) -> Option<()> {
    use std::io::{Read, Write};
    const STARTUP: u32 = 196608;
    const ENCRYPTION_REQUESTS: [u32; 2] = [80877103, 80877104];
    loop {
        let mut head = [0u8; 8];
        conn.read_exact(&mut head).ok()?;
        let len = u32::from_be_bytes(head[..4].try_into().unwrap()) as usize;
        let code = u32::from_be_bytes(head[4..].try_into().unwrap());
        if ENCRYPTION_REQUESTS.contains(&code) {
            conn.write_all(b"N").ok()?;
            continue;
        }
        conn.read_exact(&mut vec![0u8; len.checked_sub(8)?]).ok()?;
        return (code == STARTUP).then_some(());
    }
}

#[test]
fn a_server_that_stalls_after_the_startup_packet_is_cut_off_by_the_watchdog() {
    let pg = Pg::get();
    let p = Project::new();
    let (port, startups) = stalling_server();
    p.write("duckalog.toml", &attachment(&pg, "pg", port, &pg.password, SLOW_LIBPQ));
    let start = Instant::now();
    let out = p.run(&["run"]);
    let took = start.elapsed();
    out.fails(3, &["attachment \"pg\" (postgres)", "did not finish within 2s (timed out)"]);
    within_two_attempts(took, &out.stderr);
    assert_eq!(startups.try_iter().count(), 2, "one startup packet per attempt");
}

#[test]
fn a_closed_port_is_retried_then_fails_clearly() {
    let pg = Pg::get();
    let p = Project::new();
    let closed = closed_port();
    p.write(
        "duckalog.toml",
        &attachment(&pg, "pg", closed.port, &pg.password, "retries = 2\nretry_backoff = 0.1"),
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
    let reserved = closed_port();
    let port = reserved.port;
    proxy(reserved, pg.port.parse().unwrap(), Duration::ZERO, Duration::from_millis(2000));
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
    let closed = closed_port();
    p.write("duckalog.toml", &config(closed.port));
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
        let reserved = closed_port();
        let port = reserved.port;
        proxy(reserved, pg.port.parse().unwrap(), delay, Duration::ZERO);
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
