//! Attaching one database on a bad day: the server is probed first, the
//! ATTACH runs under a watchdog that interrupts DuckDB when the timeout
//! passes, and transient failures are retried with exponential backoff and
//! jitter. Configuration, authentication and missing-object errors are never
//! retried.

use crate::config::{AttachPolicy, Attachment};
use crate::error::one_line;
use crate::sql::Stmt;
use duckdb::Connection;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Why an attempt failed, and whether another attempt may succeed.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) transient: bool,
    pub(crate) reason: String,
}

/// Messages of failures that can pass: the network, a server starting up,
/// a lock another process holds.
const TRANSIENT: &[&str] = &[
    "connection refused",
    "connection reset",
    "timed out",
    "timeout expired",
    "temporary failure in name resolution",
    "try again",
    "server closed the connection",
    "the database system is starting up",
    "could not set lock",
    "conflicting lock",
    "network is unreachable",
    "no route to host",
    // HTTP services (an Iceberg REST catalog): unreachable, or a proxy in
    // front of one that is starting.
    "could not connect to server",
    "badgateway_502",
    "serviceunavailable_503",
    "gatewaytimeout_504",
];

pub(crate) fn classify(message: &str) -> Failure {
    let lower = message.to_lowercase();
    Failure { transient: TRANSIENT.iter().any(|t| lower.contains(t)), reason: one_line(message) }
}

/// Connects to `host:port` within `timeout`, to learn whether the server
/// answers before DuckDB tries.
pub(crate) fn probe(host: &str, port: u16, timeout: Duration) -> Result<(), Failure> {
    let addrs: Vec<_> = (host, port)
        .to_socket_addrs()
        .map_err(|e| classify(&format!("cannot resolve {host}: {e}")))?
        .collect();
    let deadline = Instant::now() + timeout;
    let mut last = None;
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(_) => return Ok(()),
            Err(e) => last = Some(e),
        }
    }
    let reason = match last {
        Some(e)
            if e.kind() == std::io::ErrorKind::TimedOut
                || e.kind() == std::io::ErrorKind::WouldBlock =>
        {
            format!("{host}:{port} did not answer within {timeout:?} (timed out)")
        }
        Some(e) => format!("{host}:{port}: {e}"),
        None => format!("{host}:{port} did not answer within {timeout:?} (timed out)"),
    };
    Err(classify(&reason))
}

/// Runs `work` (a statement) and calls `interrupt` when `timeout` passes;
/// says whether it had to.
pub(crate) fn within<T>(
    interrupt: &(dyn Fn() + Sync),
    timeout: Duration,
    work: impl FnOnce() -> T,
) -> (T, bool) {
    let done = AtomicBool::new(false);
    let fired = AtomicBool::new(false);
    let result = std::thread::scope(|s| {
        s.spawn(|| {
            let deadline = Instant::now() + timeout;
            while !done.load(Ordering::Acquire) {
                if Instant::now() >= deadline {
                    fired.store(true, Ordering::Release);
                    // An interrupt that lands before execution starts is lost: repeat it.
                    interrupt();
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        let r = work();
        done.store(true, Ordering::Release);
        r
    });
    (result, fired.load(Ordering::Acquire))
}

/// Runs `sql` on a new connection of `conn`'s instance and gives up when
/// `timeout` passes. DuckDB is interrupted then, but a client library blocked
/// in a connect (libpq tries SSL, then plain, each with its own timeout) does
/// not notice: that thread is left to finish on its own, and the caller goes
/// on.
pub(crate) fn execute_within(
    conn: &Connection,
    sql: &str,
    timeout: Duration,
) -> Result<(), Failure> {
    let worker = conn.try_clone().map_err(|e| classify(&e.to_string()))?;
    let handle = worker.interrupt_handle();
    let (tx, rx) = std::sync::mpsc::channel();
    let sql = sql.to_string();
    std::thread::spawn(move || {
        let _ = tx.send(worker.execute_batch(&sql));
    });
    let result = rx.recv_timeout(timeout).or_else(|_| {
        handle.interrupt();
        rx.recv_timeout(Duration::from_millis(200))
    });
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) if !e.to_string().contains("INTERRUPT") => Err(classify(&e.to_string())),
        _ => Err(Failure {
            transient: true,
            reason: format!("did not finish within {timeout:?} (timed out)"),
        }),
    }
}

/// The delay before retry `n` (1-based): exponential from `base`, with
/// ±25% jitter so that many clients do not retry in step.
fn backoff(base: Duration, n: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << (n - 1).min(16));
    let clock =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let nanos = clock.subsec_nanos() ^ std::process::id().rotate_left(n);
    let jitter = 0.75 + (nanos % 1000) as f64 / 2000.0;
    exp.mul_f64(jitter).min(Duration::from_secs(60))
}

/// Attaches `a` with its policy; returns the last failure when every attempt failed.
pub(crate) fn attach(
    conn: &Connection,
    a: &Attachment,
    stmt: &Stmt,
    policy: &AttachPolicy,
    what: &str,
) -> Result<(), Failure> {
    let attempts = policy.retries + 1;
    for n in 1..=attempts {
        log::debug!("{what}: {stmt}");
        let result = match &a.spec.probe {
            Some((host, port)) => probe(host, *port, policy.timeout),
            None => Ok(()),
        }
        .and_then(|()| execute_within(conn, stmt.sql(), policy.timeout));
        match result {
            Ok(()) => return Ok(()),
            Err(f) if f.transient && n < attempts => {
                let wait = backoff(policy.backoff, n);
                log::warn!(
                    "{what}: attempt {n} of {attempts} failed ({}); retrying in {wait:.1?}",
                    f.reason
                );
                std::thread::sleep(wait);
            }
            Err(f) => return Err(f),
        }
    }
    unreachable!("the last attempt returns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_and_permanent_failures() {
        assert!(classify("IO Error: connection to server at \"127.0.0.1\", port 1 failed: Connection refused").transient);
        assert!(!classify("FATAL: password authentication failed for user \"x\"").transient);
        assert!(!classify("Catalog Error: Table with name t does not exist!").transient);
        assert!(
            classify("IO Error: Could not set lock on file \"x.duckdb\": Conflicting lock is held")
                .transient
        );
        assert!(classify("IO Error: Could not connect to server error for HTTP GET to 'http://127.0.0.1:9/v1/config'").transient);
        assert!(classify("Request to 'http://h/v1/config' returned a non-200 status code (ServiceUnavailable_503)").transient);
        assert!(
            !classify(
                "Request to 'http://h/v1/config' returned a non-200 status code (Unauthorized_401)"
            )
            .transient
        );
    }

    #[test]
    fn backoff_grows_with_jitter() {
        let base = Duration::from_millis(100);
        for n in 1..5 {
            let d = backoff(base, n);
            let nominal = base * (1 << (n - 1));
            assert!(d >= nominal.mul_f64(0.74) && d <= nominal.mul_f64(1.26), "{n}: {d:?}");
        }
    }

    /// A host that hears nothing costs the whole timeout; tests/suite/reconnection.rs
    /// shows it with one. Here: an answer either way comes at once.
    #[test]
    fn a_listener_passes_the_probe_and_a_closed_port_fails_it_at_once() {
        let timeout = Duration::from_secs(5);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        // Accepted connections that never answer: the probe itself succeeds.
        let start = Instant::now();
        assert!(probe("127.0.0.1", port, timeout).is_ok());
        drop(listener);
        let refused = probe("127.0.0.1", port, timeout).unwrap_err();
        assert!(start.elapsed() < timeout / 5, "{:?}", start.elapsed());
        assert!(refused.transient, "{}", refused.reason);
        assert!(refused.reason.contains("refused"), "{}", refused.reason);
    }

    #[test]
    fn the_watchdog_interrupts_a_long_statement() {
        let conn = Connection::open_in_memory().unwrap();
        let start = Instant::now();
        let f = execute_within(
            &conn,
            "SELECT count(*) FROM range(10000000000) a",
            Duration::from_millis(300),
        )
        .unwrap_err();
        assert!(f.reason.contains("timed out"), "{}", f.reason);
        assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
        execute_within(&conn, "SELECT 1", Duration::from_secs(5)).unwrap();
    }
}
