//! `duckalog doctor`: one row per check, non-zero when a required check fails,
//! and nothing changed.

use crate::common;
use common::{closed_port, Pg, Project};

fn row<'a>(out: &'a str, check: &str) -> &'a str {
    out.lines().find(|l| l.contains(check)).unwrap_or_else(|| panic!("no row for {check}:\n{out}"))
}

#[test]
fn a_healthy_config() {
    let pg = Pg::get();
    let p = Project::new();
    p.fixtures();
    p.write(
        "duckalog.toml",
        &format!(
            "[duckdb]\ndatabase = \"cat.duckdb\"\n\
             [[duckdb.secrets]]\ntype = \"http\"\nbearer_token = \"doctor-token\"\n\
             [[attachments.sqlite]]\nalias = \"legacy\"\npath = \"data/legacy.sqlite\"\n\
             [[attachments.postgres]]\nalias = \"pg\"\nhost = \"127.0.0.1\"\nport = {}\ndatabase = \"postgres\"\nuser = \"{}\"\npassword = \"{}\"\n",
            pg.port, pg.user, pg.password
        ),
    );
    let out = p.run(&["doctor"]);
    out.ok();
    assert!(row(&out.stdout, "extension sqlite_scanner").contains("| ok "), "{}", out.stdout);
    assert!(
        row(&out.stdout, "extension postgres_scanner").contains("loads for DuckDB v1.5.5"),
        "{}",
        out.stdout
    );
    assert!(row(&out.stdout, "secret \"http\"").contains("| ok "), "{}", out.stdout);
    assert!(
        row(&out.stdout, "attachment \"pg\" (postgres)").contains("attached in"),
        "{}",
        out.stdout
    );
    assert!(row(&out.stdout, "database").contains("will be created"), "{}", out.stdout);
    assert!(!p.path("cat.duckdb").exists(), "doctor created the database");
    // Not on either stream, at any log level.
    let loud = p.run(&["doctor", "-vvv"]);
    for text in [&out.stdout, &out.stderr, &loud.stdout, &loud.stderr] {
        assert!(!text.contains("doctor-token") && !text.contains(&pg.password), "{text}");
    }
    assert!(
        loud.stderr.contains("attachment") || loud.stderr.contains("ATTACH"),
        "{}",
        loud.stderr
    );
}

#[test]
fn failing_checks_show_no_secret_value() {
    let pg = Pg::get();
    let p = Project::new();
    // A wrong password, which the server refuses; and a value DuckDB rejects
    // and quotes in its message.
    p.write(
        "duckalog.toml",
        &format!(
            "[duckdb]\ndatabase = \"MKdoctorpass2.duckdb\"\n\
             [[duckdb.secrets]]\ntype = \"http\"\nextra_http_headers = \"MKdoctorheader1\"\n\
             [[attachments.postgres]]\nalias = \"pg\"\nhost = \"127.0.0.1\"\nport = {}\ndatabase = \"postgres\"\nuser = \"{}\"\npassword = \"MKdoctorpass2\"\nretries = 0\n",
            pg.port, pg.user
        ),
    );
    for args in [&["doctor"][..], &["doctor", "-vvv"]] {
        let out = p.run(args);
        assert_eq!(out.code, 3, "{}{}", out.stdout, out.stderr);
        assert!(
            row(&out.stdout, "attachment \"pg\" (postgres)").contains("FAIL"),
            "{}",
            out.stdout
        );
        assert!(row(&out.stdout, "secret \"http\"").contains("FAIL"), "{}", out.stdout);
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(!all.contains("MKdoctor"), "{all}");
    }
}

#[test]
fn each_failing_check_has_its_row_and_a_non_zero_exit() {
    let p = Project::new();
    p.fixtures();
    // A missing extension.
    p.write(
        "duckalog.toml",
        "[[attachments.sqlite]]\nalias = \"legacy\"\npath = \"data/legacy.sqlite\"\n",
    );
    let empty = tempfile::tempdir().unwrap();
    let out = p.run_env(&["doctor"], &[("DUCKALOG_EXTENSION_DIR", empty.path().to_str().unwrap())]);
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert!(row(&out.stdout, "extension sqlite_scanner").contains("FAIL"), "{}", out.stdout);
    assert!(row(&out.stdout, "attachment \"legacy\"").contains("not tried"), "{}", out.stdout);

    // A secret DuckDB refuses, and an unreachable attachment.
    let closed = closed_port();
    p.write(
        "duckalog.toml",
        &format!(
            "[[duckdb.secrets]]\ntype = \"s3\"\nprovider = \"credential_chain\"\nchain = \"config\"\n\
             [[attachments.postgres]]\nalias = \"pg\"\nhost = \"127.0.0.1\"\nport = {}\ntimeout = 2\n",
            closed.port
        ),
    );
    let out = p.run(&["doctor"]);
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert!(row(&out.stdout, "secret \"s3\"").contains("FAIL"), "{}", out.stdout);
    assert!(row(&out.stdout, "attachment \"pg\"").contains("FAIL"), "{}", out.stdout);
    assert!(row(&out.stdout, "attachment \"pg\"").contains("Connection refused"), "{}", out.stdout);

    // The same attachment, optional: a warning, and success.
    p.write("duckalog.toml", &format!("[[attachments.postgres]]\nalias = \"pg\"\nhost = \"127.0.0.1\"\nport = {}\nrequired = false\n", closed.port));
    let out = p.run(&["doctor"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(row(&out.stdout, "attachment \"pg\"").contains("| warn "), "{}", out.stdout);

    // A database another process holds the write lock of.
    p.write("duckalog.toml", "[duckdb]\ndatabase = \"data/shop.duckdb\"\n");
    let holder = std::process::Command::new(env!("CARGO_BIN_EXE_duckalog"))
        .args([
            "run",
            "-q",
            "SELECT count(*) FROM range(3000000000)",
            "--extension-dir",
            "/nonexistent",
        ])
        .current_dir(p.dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for_lock(holder.id(), &p.path("data/shop.duckdb"));
    let out = p.run(&["doctor"]);
    let mut holder = holder;
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert!(row(&out.stdout, "database").contains("lock"), "{}", out.stdout);

    // Read-only, and no database yet.
    p.write("duckalog.toml", "[duckdb]\ndatabase = \"nope.duckdb\"\n");
    let out = p.run(&["doctor", "--read-only"]);
    assert_eq!(out.code, 3);
    assert!(row(&out.stdout, "database").contains("does not exist"), "{}", out.stdout);

    // An invalid config is a config error.
    p.write("duckalog.toml", "[duckdb]\ndatabse = 1\n");
    p.run(&["doctor"]).fails(2, &["duckdb.databse"]);
}

/// Waits until process `pid` holds a POSIX lock on `file`, as /proc/locks
/// shows it ("1: POSIX ADVISORY WRITE <pid> <major>:<minor>:<inode> 0 EOF").
fn wait_for_lock(pid: u32, file: &std::path::Path) {
    use std::os::unix::fs::MetadataExt;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let (pid, inode) = (
        pid.to_string(),
        loop {
            if let Ok(m) = std::fs::metadata(file) {
                break m.ino().to_string();
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        },
    );
    loop {
        let locks = std::fs::read_to_string("/proc/locks").unwrap();
        let held = locks.lines().any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.get(4) == Some(&pid.as_str())
                && f.get(5).is_some_and(|d| d.ends_with(&format!(":{inode}")))
        });
        if held {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "process {pid} took no lock on {}",
            file.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
