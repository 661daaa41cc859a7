//! No network, ever: a full catalog (a SQLite attachment, Parquet views, a
//! temporary S3 secret) runs inside a network namespace that has only
//! loopback, as fast as outside; a missing extension fails at once.

mod common;
use common::Project;
use std::process::Command;
use std::time::{Duration, Instant};

/// A network namespace with loopback only, removed when dropped.
struct Offline(String);

impl Offline {
    fn new() -> Offline {
        let name = format!("duckalog-offline-{}", std::process::id());
        let ip = |args: &[&str]| {
            let out = Command::new("ip").args(args).output().expect("iproute2's ip runs");
            assert!(out.status.success(), "ip {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        ip(&["netns", "add", &name]);
        let ns = Offline(name);
        ip(&["netns", "exec", &ns.0, "ip", "link", "set", "lo", "up"]);
        ns
    }

    fn run(&self, p: &Project, args: &[&str], env: &[(&str, &str)]) -> (common::Out, Duration) {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.0, env!("CARGO_BIN_EXE_duckalog")]).args(args).current_dir(p.dir.path());
        cmd.env_remove("RUST_LOG").env("DUCKALOG_EXTENSION_DIR", common::ext_dir());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let start = Instant::now();
        let out = cmd.output().unwrap();
        let took = start.elapsed();
        (common::Out::of(out), took)
    }
}

impl Drop for Offline {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).output();
    }
}

const CONFIG: &str = r#"
[duckdb]
database = "DB"

[[duckdb.secrets]]
type = "s3"
key_id = "offline-key"
secret = "offline-secret"
endpoint = "127.0.0.1:9"
use_ssl = false

[[attachments.sqlite]]
alias = "legacy"
path = "data/legacy.sqlite"

[[views]]
name = "orders"
source = "parquet"
uri = "data/orders.parquet"

[[views]]
name = "accounts"
source = "sqlite"
database = "legacy"
table = "accounts"

[[views]]
name = "summary"
sql = "SELECT (SELECT count(*) FROM orders) AS o, (SELECT count(*) FROM accounts) AS a"
"#;

#[test]
fn a_full_catalog_runs_without_network_as_fast_as_with() {
    let p = Project::new();
    p.fixtures();
    p.write("outside.toml", &CONFIG.replace("DB", "outside.duckdb"));
    p.write("inside.toml", &CONFIG.replace("DB", "inside.duckdb"));
    let ns = Offline::new();
    let query = ["-q", "SELECT * FROM summary", "--format", "csv"];

    let start = Instant::now();
    let outside = p.run(&[&["run", "outside.toml"][..], &query].concat());
    let outside_took = start.elapsed();
    outside.ok();
    let (inside, inside_took) = ns.run(&p, &[&["run", "inside.toml"][..], &query].concat(), &[]);
    inside.ok();
    assert_eq!(inside.stdout, "o,a\n3,3\n");
    assert_eq!(inside.stdout, outside.stdout);
    assert!(
        inside_took < outside_took * 2 + Duration::from_secs(1),
        "offline run took {inside_took:?}, online {outside_took:?}"
    );

    // A missing extension is an immediate error that names the file and the way to bring it.
    let empty = tempfile::tempdir().unwrap();
    let (out, took) = ns.run(&p, &["run", "inside.toml"], &[("DUCKALOG_EXTENSION_DIR", empty.path().to_str().unwrap())]);
    out.fails(3, &["httpfs.duckdb_extension does not exist", "duckalog extensions bundle"]);
    assert!(took < Duration::from_secs(2), "took {took:?}");
}
