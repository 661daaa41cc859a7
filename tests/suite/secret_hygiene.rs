//! Secret values never reach standard output or standard error, at any log
//! level, in any command, failing or not; only `generate-sql --show-secrets`
//! prints them.

use crate::common;
use common::{closed_port, Project};

const MARKERS: &[&str] = &[
    "MKkeyid01",
    "MKsecret02",
    "MKsession03",
    "MKbearer04",
    "MKheader05",
    "MKconnstr06",
    "MKclientsec07",
    "MKpgpass08",
    "MKmypass09",
    "MKhftoken10",
    "MKr2secret11",
    "MKchainkey12",
    "MKchainsec13",
];

/// The config; `port` is a closed port the postgres attachment points to.
fn config(port: u16, extra: &str) -> String {
    format!(
        r#"
[duckdb]
database = "cat.duckdb"
secret_directory = "secrets"

[[duckdb.secrets]]
type = "s3"
name = "lake"
key_id = "MKkeyid01"
secret = "MKsecret02"
session_token = "MKsession03"
region = "eu-west-1"
endpoint = "127.0.0.1:{port}"
use_ssl = false
url_style = "path"

[[duckdb.secrets]]
type = "http"
bearer_token = "MKbearer04"
extra_http_headers = {{ Authorization = "MKheader05" }}

[[duckdb.secrets]]
type = "azure"
connection_string = "AccountName=a;AccountKey=MKconnstr06"

[[duckdb.secrets]]
type = "azure"
name = "sp"
tenant_id = "t"
client_id = "c"
client_secret = "MKclientsec07"
account_name = "a"

[[duckdb.secrets]]
type = "postgres"
persistent = true
host = "127.0.0.1"
password = "MKpgpass08"

[[duckdb.secrets]]
type = "mysql"
password = "MKmypass09"

[[duckdb.secrets]]
type = "huggingface"
token = "MKhftoken10"

[[duckdb.secrets]]
type = "r2"
key_id = "r2key"
secret = "MKr2secret11"
account_id = "acct"
{extra}
"#,
    )
}

fn assert_clean(p: &Project, args: &[&str]) -> common::Out {
    let out = p.run_env(args, &[("RUST_LOG", "trace")]);
    for m in MARKERS {
        assert!(!out.stdout.contains(m), "{args:?} printed {m} on stdout:\n{}", out.stdout);
        assert!(!out.stderr.contains(m), "{args:?} printed {m} on stderr:\n{}", out.stderr);
    }
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out
}

#[test]
fn no_command_prints_a_secret_value() {
    let p = Project::new();
    let closed = closed_port();
    p.write("duckalog.toml", &config(closed.port, ""));
    for args in [
        &["validate"][..],
        &["plan", "-v"],
        &["generate-sql"],
        &["run", "--dry-run"],
        &["run", "-vvv"],
        &["run", "-q", "SELECT name, secret_string FROM duckdb_secrets()"],
        &["run", "--force-rebuild", "--dry-run"],
        &["build"],
        &["run", "--prune"],
    ] {
        assert_clean(&p, args).ok();
    }
    // The positive control: the values are there to be found.
    let shown = p.run(&["generate-sql", "--show-secrets"]);
    shown.ok();
    for m in MARKERS.iter().take(11) {
        assert!(shown.stdout.contains(m), "generate-sql --show-secrets lacks {m}");
    }
}

#[test]
fn failing_runs_print_no_secret_value() {
    let p = Project::new();
    let closed = closed_port();
    // A misspelt parameter: a config error.
    p.write("duckalog.toml", &config(closed.port, "\n[[duckdb.secrets]]\ntype = \"s3\"\nname = \"bad\"\nkey_id = \"MKchainkey12\"\nsecret = \"MKchainsec13\"\nregoin = \"x\"\n"));
    assert_clean(&p, &["run"]).fails(2, &["regoin"]);
    assert_clean(&p, &["plan"]).fails(2, &["regoin"]);
    assert_clean(&p, &["generate-sql"]).fails(2, &["regoin"]);
    // DuckDB refuses the secret at creation (no credentials to validate against).
    p.write(
        "duckalog.toml",
        &config(closed.port, "\n[[duckdb.secrets]]\ntype = \"s3\"\nname = \"chain\"\nprovider = \"credential_chain\"\nchain = \"config\"\nkey_id = \"MKchainkey12\"\nsecret = \"MKchainsec13\"\n"),
    );
    assert_clean(&p, &["run", "-vvv"]).fails(3, &["secret \"chain\""]);
    // An unreachable endpoint: the view cannot be created.
    p.write("duckalog.toml", &config(closed.port, "\n[[views]]\nname = \"remote\"\nsource = \"parquet\"\nuri = \"s3://nowhere/x.parquet\"\n"));
    assert_clean(&p, &["run", "-vvv"]).fails(3, &["view \"main\".\"remote\""]);
}

/// Every failing case of the corpus of bad inputs, run again with an S3
/// secret in its config (a literal key id, and a secret from the
/// environment) and at -vv: the values appear nowhere.
#[test]
fn corpus_failures_print_no_secret_value() {
    use common::corpus::{cases, run_all, MARKER_ENV, MARKER_KEY};
    let cases: Vec<_> = cases().into_iter().filter(|c| c.code != 0).collect();
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    let (in_config, created) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let failures = run_all(&cases, |c| {
        let r = c.run(true);
        if r.secret_in_config {
            in_config.fetch_add(1, Relaxed);
        }
        let all = format!("{}{}", r.stdout, r.stderr);
        if all.contains("restored temporary secret \"corpus_marker\"") {
            created.fetch_add(1, Relaxed);
        }
        if r.code == 0 || r.code == 101 || all.contains("panicked at") {
            return Err(format!("exit {}: {}", r.code, r.stderr));
        }
        match [MARKER_KEY, MARKER_ENV].iter().find(|m| all.contains(*m)) {
            Some(m) => Err(format!("printed {m}:\n{all}")),
            None => Ok(()),
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Most cases carry the secret in the config itself, not only in the environment.
    let n = in_config.into_inner();
    assert!(
        n * 10 >= cases.len() * 8,
        "only {n} of {} cases had the secret in their config",
        cases.len()
    );
    // And in the cases that fail on the database, DuckDB was handed the values.
    let created = created.into_inner();
    assert!(created >= 5, "only {created} cases got as far as creating the secret");
}
