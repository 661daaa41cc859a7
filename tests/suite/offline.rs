//! No network, ever: a full catalog (a SQLite attachment, Parquet views, a
//! temporary S3 secret) runs inside a network namespace that has only
//! loopback, as fast as outside; a missing extension fails at once; dates,
//! time zones and collations work with no extension directory at all.

use crate::common;
use common::{netns::Netns, Project};
use std::time::{Duration, Instant};

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
    let ns = Netns::new();
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
    let (out, took) = ns.run(
        &p,
        &["run", "inside.toml"],
        &[("DUCKALOG_EXTENSION_DIR", empty.path().to_str().unwrap())],
    );
    out.fails(3, &["httpfs.duckdb_extension does not exist", "duckalog extensions bundle"]);
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

const DATES: &str = r#"
[duckdb]
database = "dates.duckdb"
pragmas = ["SET timezone = 'America/New_York'"]
# As Python-tool configs name it: satisfied by the compiled-in ICU.
install_extensions = ["icu"]
load_extensions = ["icu"]

[[views]]
name = "recent"
sql = """
SELECT d FROM (VALUES (CURRENT_DATE - INTERVAL 30 DAY), (DATE '2000-01-01')) t(d)
WHERE d >= CURRENT_DATE - INTERVAL 60 DAY
"""

[[views]]
name = "shifted"
sql = """
SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' + INTERVAL 1 DAY AS t,
       date_trunc('day', TIMESTAMPTZ '2024-03-10 12:00:00+00') AS day,
       'b' < 'B' COLLATE de AS collated
"""
"#;

#[test]
fn dates_time_zones_and_collations_need_no_extension_directory() {
    let p = Project::new();
    p.write("duckalog.toml", DATES);
    let ns = Netns::new();
    ns.run_bare(&p, &["validate"], "").ok();
    ns.run_bare(&p, &["run"], "").ok();
    assert!(!p.path(".duckdb").exists(), "nothing was installed under HOME");
    let out =
        ns.run_bare(&p, &["query", "SELECT count(*) AS n FROM recent", "--format", "csv"], "");
    out.ok();
    assert_eq!(out.stdout, "n\n1\n");
    let out = ns.run_bare(&p, &["query", "FROM shifted", "--format", "csv"], "");
    out.ok();
    assert_eq!(out.stdout, "t,day,collated\n2024-01-01 19:00:00-05,2024-03-10 00:00:00-05,true\n");
    let script = "SET timezone = 'Asia/Tokyo';\nSELECT t FROM shifted;\nSELECT current_date = CAST(now() AS DATE) AS today;\n";
    let out = ns.run_bare(&p, &["run", "-i", "--format", "csv"], script);
    out.ok();
    assert_eq!(out.stdout, "t\n2024-01-02 09:00:00+09\ntoday\ntrue\n");
}
