//! Several processes on one database: DuckDB lets one process write a file
//! or many read it, and refuses a conflicting open at once. duckalog waits
//! for the lock (`--lock-timeout`), then proceeds, or fails with exit code 5
//! naming the database and the option; the file is never damaged.

use crate::common;
use common::Project;
use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn views(prefix: &str, n: usize) -> String {
    (0..n)
        .map(|i| format!("[[views]]\nname = \"{prefix}{i}\"\nsql = \"SELECT {i} AS x\"\n"))
        .collect()
}

fn spawn(p: &Project, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_duckalog"))
        .args(args)
        .current_dir(p.dir.path())
        .env_remove("RUST_LOG")
        .env("DUCKALOG_EXTENSION_DIR", common::ext_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child) -> common::Out {
    let out = child.wait_with_output().unwrap();
    common::Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Holds the database's write lock from this process for `hold`, the way
/// another duckalog run or a DuckDB shell would.
fn hold_lock(p: &Project, hold: Duration) -> std::thread::JoinHandle<()> {
    let conn = p.duckdb(Some("cat.duckdb"));
    std::thread::spawn(move || {
        std::thread::sleep(hold);
        drop(conn);
    })
}

fn names(p: &Project) -> Vec<String> {
    p.views("cat.duckdb").into_iter().map(|(_, name, _)| name).collect()
}

#[test]
fn a_run_waits_for_the_lock_then_proceeds() {
    let p = Project::new();
    p.write("duckalog.toml", &views("v", 3));
    p.run(&["run", "--db", "cat.duckdb"]).ok();
    p.write("duckalog.toml", &views("v", 4));
    let start = Instant::now();
    let holder = hold_lock(&p, Duration::from_secs(2));
    let out = p.run(&["run", "--db", "cat.duckdb", "--lock-timeout", "60"]);
    out.ok();
    assert!(start.elapsed() >= Duration::from_millis(1800), "{:?}", start.elapsed());
    assert!(
        out.stderr.contains("is locked by another process; waiting up to 60s"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("1 created, 0 replaced, 3 unchanged"), "{}", out.stdout);
    holder.join().unwrap();
    // A read-only run and a plan wait the same way.
    let holder = hold_lock(&p, Duration::from_secs(1));
    p.run(&["run", "--db", "cat.duckdb", "--read-only", "-q", "SELECT x FROM v3"]).ok();
    p.run(&["plan", "--db", "cat.duckdb", "--exit-code"]).ok();
    holder.join().unwrap();
}

#[test]
fn a_run_gives_up_when_the_lock_stays_held() {
    let p = Project::new();
    p.write("duckalog.toml", &views("v", 3));
    p.run(&["run", "--db", "cat.duckdb"]).ok();
    let before = p.views("cat.duckdb");
    p.write("duckalog.toml", &views("w", 3));
    let holder = hold_lock(&p, Duration::from_secs(6));
    let start = Instant::now();
    let out = p.run(&["run", "--db", "cat.duckdb", "--lock-timeout", "1.5", "--prune"]);
    let waited = start.elapsed();
    out.fails(
        5,
        &[
            "cat.duckdb",
            "is locked by another process",
            "stayed locked for 1.5s",
            "--lock-timeout SECONDS",
            "PID",
        ],
    );
    assert_eq!(
        out.stderr.lines().filter(|l| l.starts_with("error: ")).count(),
        1,
        "{}",
        out.stderr
    );
    assert!(waited >= Duration::from_millis(1400) && waited < Duration::from_secs(5), "{waited:?}");
    // --lock-timeout 0 does not wait at all.
    let start = Instant::now();
    p.run(&["run", "--db", "cat.duckdb", "--lock-timeout", "0"])
        .fails(5, &["stayed locked for 0s"]);
    assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
    holder.join().unwrap();
    // The catalog is as it was, and the next run does what the refused one would have.
    assert_eq!(p.views("cat.duckdb"), before);
    p.run(&["run", "--db", "cat.duckdb", "--prune"]).ok();
    assert_eq!(names(&p), ["w0", "w1", "w2"]);
}

#[test]
fn two_runs_at_once_take_turns() {
    let p = Project::new();
    p.write("a.toml", &views("a", 300));
    p.write("b.toml", &views("b", 300));
    for round in 0..3 {
        let (first, second) =
            if round % 2 == 0 { ("a.toml", "b.toml") } else { ("b.toml", "a.toml") };
        let one = spawn(&p, &["run", first, "--db", "cat.duckdb", "--prune"]);
        let two = spawn(&p, &["run", second, "--db", "cat.duckdb", "--prune"]);
        let (one, two) = (finish(one), finish(two));
        one.ok();
        two.ok();
        // Whichever ran second left its whole catalog, and only it.
        let got: BTreeSet<String> = names(&p).into_iter().collect();
        let whole =
            |prefix: &str| (0..300).map(|i| format!("{prefix}{i}")).collect::<BTreeSet<_>>();
        assert!(
            got == whole("a") || got == whole("b"),
            "round {round}: a mix of both catalogs: {} views",
            got.len()
        );
        assert_eq!(p.state("cat.duckdb").len(), 300);
    }
}

#[test]
fn runs_that_create_the_database_at_once_all_succeed() {
    let p = Project::new();
    p.write("duckalog.toml", &views("v", 5));
    // The race this guards against was lost by about one process in sixty.
    for round in 0..8 {
        let _ = std::fs::remove_file(p.path("new.duckdb"));
        let children: Vec<Child> =
            (0..6).map(|_| spawn(&p, &["run", "--db", "new.duckdb"])).collect();
        for child in children {
            let out = finish(child);
            assert_eq!(out.code, 0, "round {round}: {}", out.stderr);
        }
        assert_eq!(p.views("new.duckdb").len(), 5);
    }
}

#[test]
fn many_read_only_runs_at_once() {
    let p = Project::new();
    p.write("duckalog.toml", &views("v", 20));
    p.run(&["run", "--db", "cat.duckdb"]).ok();
    let children: Vec<Child> = (0..8)
        .map(|i| {
            spawn(
                &p,
                &[
                    "run",
                    "--db",
                    "cat.duckdb",
                    "--read-only",
                    "--format",
                    "csv",
                    "-q",
                    &format!("SELECT x FROM v{i}"),
                ],
            )
        })
        .collect();
    for (i, child) in children.into_iter().enumerate() {
        let out = finish(child);
        out.ok();
        assert_eq!(out.stdout, format!("x\n{i}\n"));
    }
}
