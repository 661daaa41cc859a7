//! `duckalog run` killed with SIGKILL at a random moment of a large change
//! leaves a catalog that opens and holds the whole old catalog or the whole
//! new one: every view with its definition, and duckalog's records of them.

use crate::common;
use common::Project;
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Views per config: thousands, so that the change takes a while to apply.
const VIEWS: usize = 1500;
const KILLS: usize = 20;

/// xorshift64*: enough randomness for kill times, and repeatable from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A duration between zero and `max`.
    fn upto(&mut self, max: Duration) -> Duration {
        max.mul_f64((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// Two catalogs that differ in every view: `old` has views v0.. and o0..,
/// `new` replaces every v with another definition and has n0.. instead of o0...
fn config(new: bool) -> String {
    let mut s = String::with_capacity(VIEWS * 80);
    for i in 0..VIEWS {
        let (name, sql) = match (i % 4, new) {
            (0, false) => (format!("o{i}"), format!("SELECT {i} AS only_old")),
            (0, true) => (format!("n{i}"), format!("SELECT {i} AS only_new, 'n' AS tag")),
            (_, false) => (format!("v{i}"), format!("SELECT {i} AS a")),
            (_, true) => (format!("v{i}"), format!("SELECT {i} AS b, {i} * 2 AS c")),
        };
        let schema = if i % 3 == 0 { "s" } else { "main" };
        s.push_str(&format!(
            "[[views]]\nname = \"{name}\"\ndb_schema = \"{schema}\"\nsql = \"{sql}\"\n"
        ));
    }
    s
}

/// The views of the catalog with their SQL, and duckalog's records.
#[derive(PartialEq, Debug)]
struct Snapshot {
    views: BTreeSet<(String, String, String)>,
    records: BTreeSet<(String, String, String)>,
}

fn snapshot(p: &Project) -> Snapshot {
    let c = p.duckdb(Some("cat.duckdb"));
    let rows = |q: &str| -> BTreeSet<(String, String, String)> {
        let mut s = c.prepare(q).unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    Snapshot {
        views: rows("SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal"),
        records: rows("SELECT schema_name, view_name, fingerprint FROM _duckalog.views"),
    }
}

fn duckalog(p: &Project, config: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_duckalog"));
    cmd.args(["run", config, "--db", "cat.duckdb", "--prune", "--quiet"])
        .current_dir(p.dir.path())
        .env("DUCKALOG_EXTENSION_DIR", common::ext_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

#[test]
fn a_killed_run_leaves_the_old_catalog_or_the_new_one() {
    let seed = std::env::var("DUCKALOG_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
                as u64
                | 1
        });
    let mut rng = Rng(seed);
    let p = Project::new();
    p.write("old.toml", &config(false));
    p.write("new.toml", &config(true));

    // Each catalog whole, and how long a change from one to the other takes.
    assert!(duckalog(&p, "old.toml").status().unwrap().success());
    let old = snapshot(&p);
    let start = Instant::now();
    assert!(duckalog(&p, "new.toml").status().unwrap().success());
    let change = start.elapsed();
    let new = snapshot(&p);
    assert_eq!(old.views.len(), VIEWS);
    assert_eq!(new.views.len(), VIEWS);
    assert_eq!(old.records.len(), VIEWS);
    assert!(old.views.is_disjoint(&new.views) && old.records.is_disjoint(&new.records));

    let (mut during, mut kept_old, mut got_new) = (0, 0, 0);
    let mut holds_new = true;
    // Other tests share the machine, so a change takes longer or shorter
    // than the one measured: a run that ends before its kill gives the new
    // estimate, three kills in a row that kept the old catalog make it half
    // as long again, and the kills go on until both outcomes were seen.
    let (mut estimate, mut kept_in_a_row) = (change, 0);
    let mut kill = 0;
    while kill < KILLS || (kill < 3 * KILLS && (kept_old == 0 || got_new == 0)) {
        kill += 1;
        let (target, expected_after) =
            if holds_new { ("old.toml", &old) } else { ("new.toml", &new) };
        let at = rng.upto(estimate.mul_f64(1.1));
        let start = Instant::now();
        let mut child = duckalog(&p, target).spawn().unwrap();
        let ended = loop {
            if child.try_wait().unwrap().is_some() {
                break Some(start.elapsed());
            }
            if start.elapsed() >= at {
                break None;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        match ended {
            Some(took) => estimate = took,
            None => {
                during += 1;
                child.kill().unwrap();
            }
        }
        let status = child.wait().unwrap();
        let now = snapshot(&p);
        let before = if holds_new { &new } else { &old };
        if &now == expected_after {
            got_new += 1;
            kept_in_a_row = 0;
            holds_new = !holds_new;
        } else {
            assert_eq!(
                &now, before,
                "kill {kill} (seed {seed}, {status}): the catalog is neither the old one nor the new one"
            );
            kept_old += 1;
            kept_in_a_row += 1;
            if kept_in_a_row % 3 == 0 {
                estimate = estimate.mul_f64(1.5);
            }
        }
    }
    // The kills landed while the change was being made, on both sides of its commit.
    assert!(
        during >= kill / 2,
        "only {during} of {kill} kills hit a running process (seed {seed})"
    );
    assert!(
        kept_old > 0 && got_new > 0,
        "kept the old catalog {kept_old} times, got the new one {got_new} times (seed {seed})"
    );

    // And a run after all that brings the catalog up to date.
    let target = if holds_new { "old.toml" } else { "new.toml" };
    let out = duckalog(&p, target).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(&snapshot(&p), if holds_new { &old } else { &new });
}
