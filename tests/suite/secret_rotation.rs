//! Persistent secrets follow their config: a rotated credential, which
//! `duckdb_secrets()` shows only as `redacted`, is rewritten by a plain `run`
//! and listed by `plan`; a run with nothing changed writes nothing; and a run
//! cut short between writing a secret and recording it is mended next time.

use crate::common;
use common::Project;
use std::collections::BTreeMap;

/// A persistent secret of every type and provider whose credentials DuckDB
/// redacts: (name, type, provider, shown parameters, credentials). Each
/// credential's value is `<name>-<param>-v1`.
type Def = (&'static str, &'static str, &'static str, &'static str, &'static [&'static str]);
const SECRETS: &[Def] = &[
    ("s3x", "s3", "config", r#"region = "eu-west-1""#, &["key_id", "secret", "session_token"]),
    ("r2x", "r2", "config", r#"account_id = "acct""#, &["key_id", "secret"]),
    ("gcsx", "gcs", "config", "", &["key_id", "secret", "bearer_token"]),
    ("httpx", "http", "config", "", &["bearer_token", "http_proxy_password"]),
    ("hfx", "huggingface", "config", "", &["token"]),
    ("icex", "iceberg", "config", "", &["token", "client_id", "client_secret"]),
    ("azx", "azure", "config", "", &["connection_string", "proxy_password"]),
    (
        "azsp",
        "azure",
        "service_principal",
        r#"tenant_id = "t"
client_id = "c"
account_name = "acct""#,
        &["client_secret"],
    ),
    ("azat", "azure", "access_token", r#"account_name = "acct""#, &["access_token"]),
    (
        "pgx",
        "postgres",
        "config",
        r#"host = "127.0.0.1"
port = 5432
database = "db"
user = "me""#,
        &["password"],
    ),
    (
        "myx",
        "mysql",
        "config",
        r#"host = "127.0.0.1"
port = 3306
database = "db"
user = "me""#,
        &["password"],
    ),
    ("dlx", "ducklake", "config", r#"metadata_path = "meta.ducklake""#, &[]),
];

fn value(name: &str, param: &str, version: u32) -> String {
    format!("{name}-{param}-v{version}")
}

/// The config with each credential at its version in `versions`.
fn config(versions: &BTreeMap<(&str, &str), u32>) -> String {
    let mut s =
        String::from("[duckdb]\ndatabase = \"cat.duckdb\"\nsecret_directory = \"secrets\"\n");
    for (name, kind, provider, shown, creds) in SECRETS {
        s.push_str(&format!(
            "\n[[duckdb.secrets]]\nname = \"{name}\"\ntype = \"{kind}\"\nprovider = \"{provider}\"\npersistent = true\n{shown}\n"
        ));
        for c in *creds {
            s.push_str(&format!("{c} = \"{}\"\n", value(name, c, versions[&(*name, *c)])));
        }
    }
    s.push_str("\n[[views]]\nname = \"one\"\nsql = \"SELECT 1\"\n");
    s
}

/// Every file of the secret directory with its bytes.
fn files(p: &Project) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(p.path("secrets"))
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect()
}

fn holds(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

/// Output of a run at `-vv` that must name no credential value.
fn quiet_about(out: &common::Out, versions: &BTreeMap<(&str, &str), u32>) {
    for ((name, param), v) in versions {
        for version in [*v, v + 1] {
            let secret = value(name, param, version);
            let text = format!("{}{}", out.stdout, out.stderr);
            assert!(!text.contains(&secret), "{secret} was shown:\n{text}");
        }
    }
}

/// The (secret, parameter) pairs `duckdb_secrets()` shows as redacted.
fn redacted(p: &Project) -> Vec<(String, String)> {
    let out = p.run(&[
        "run",
        "--format",
        "csv",
        "-q",
        "SELECT name, secret_string FROM duckdb_secrets() WHERE persistent ORDER BY name",
    ]);
    out.ok();
    let mut pairs = Vec::new();
    for line in out.stdout.lines().skip(1) {
        let (name, text) = line.split_once(',').unwrap();
        for part in text.trim_matches('"').split(';') {
            if let Some((k, "redacted")) = part.split_once('=') {
                pairs.push((name.to_string(), k.to_string()));
            }
        }
    }
    pairs
}

#[test]
fn every_redacted_credential_of_every_type_is_followed() {
    let p = Project::new();
    let mut versions: BTreeMap<(&str, &str), u32> = SECRETS
        .iter()
        .flat_map(|(n, _, _, _, creds)| creds.iter().map(move |c| ((*n, *c), 1)))
        .collect();
    p.write("duckalog.toml", &config(&versions));
    p.run(&["run"]).ok();
    let stored = redacted(&p);
    // Each credential the test rotates is one DuckDB hides, and none it
    // hides is left out (the s3 and r2 key_id are shown; they are rotated too).
    for (name, param) in &stored {
        assert!(
            versions.contains_key(&(name.as_str(), param.as_str())),
            "{name}.{param} is redacted but not rotated here"
        );
    }
    assert!(stored.len() >= 14, "only {} redacted credentials: {stored:?}", stored.len());

    let keys: Vec<(&str, &str)> = versions.keys().copied().collect();
    for (name, param) in keys {
        let before = files(&p);
        let out = p.run(&["run", "-vv"]);
        out.ok();
        quiet_about(&out, &versions);
        assert!(
            !out.stderr.contains("PERSISTENT SECRET"),
            "an unchanged run wrote:\n{}",
            out.stderr
        );
        assert_eq!(files(&p), before, "an unchanged run changed the secret directory");

        *versions.get_mut(&(name, param)).unwrap() += 1;
        p.write("duckalog.toml", &config(&versions));
        let plan = p.run(&["plan", "--exit-code"]);
        assert_eq!(plan.code, 1, "{name}.{param}: {}{}", plan.stdout, plan.stderr);
        let line = format!("~ secret    \"{name}\" (persistent, definition changed)");
        assert!(plan.stdout.contains(&line), "{name}.{param}:\n{}", plan.stdout);
        assert_eq!(plan.stdout.matches("~ secret").count(), 1, "{}", plan.stdout);

        let out = p.run(&["run", "-vv"]);
        out.ok();
        quiet_about(&out, &versions);
        let after = files(&p);
        let file = format!("{name}.duckdb_secret");
        assert!(holds(&after[&file], &value(name, param, 2)), "{file} keeps the old {param}");
        assert!(
            !holds(&after[&file], &value(name, param, 1)),
            "{file} still holds the old {param}"
        );
        for (f, bytes) in &before {
            if *f != file {
                assert_eq!(&after[f], bytes, "{f} was rewritten when {name}.{param} changed");
            }
        }
        assert_eq!(p.run(&["plan", "--exit-code"]).code, 0, "{name}.{param} is still pending");
    }
}

/// The catalog, the records and the secret file of secret `lake`.
fn lake_config(secret: &str) -> String {
    format!(
        r#"[duckdb]
database = "cat.duckdb"
secret_directory = "secrets"

[[duckdb.secrets]]
type = "s3"
name = "lake"
persistent = true
key_id = "AKIALAKE"
secret = "{secret}"

[[views]]
name = "one"
sql = "SELECT 1"
"#
    )
}

#[test]
fn a_run_cut_short_between_writing_and_recording_is_mended() {
    let p = Project::new();
    p.write("duckalog.toml", &lake_config("lake-secret-old"));
    p.run(&["run"]).ok();
    let recorded = |p: &Project| -> String {
        p.duckdb(Some("cat.duckdb"))
            .query_row("SELECT digest FROM _duckalog.secrets WHERE name = 'lake'", [], |r| r.get(0))
            .unwrap()
    };
    let old_digest = recorded(&p);

    // What a run killed after writing the new secret and before committing
    // its record leaves: the new secret on disk, the old digest recorded.
    p.write("duckalog.toml", &lake_config("lake-secret-new"));
    let c = p.duckdb(None);
    let dir = p.path("secrets");
    c.execute_batch(&format!(
        "SET secret_directory = '{}'; LOAD httpfs; \
         CREATE OR REPLACE PERSISTENT SECRET lake (TYPE s3, KEY_ID 'AKIALAKE', SECRET 'lake-secret-new')",
        dir.display()
    ))
    .unwrap();
    drop(c);

    let plan = p.run(&["plan", "--exit-code"]);
    assert_eq!(plan.code, 1, "{}", plan.stdout);
    assert!(plan.stdout.contains("~ secret    \"lake\""), "{}", plan.stdout);
    p.run(&["run"]).ok();
    assert_ne!(recorded(&p), old_digest);
    let stored = std::fs::read(dir.join("lake.duckdb_secret")).unwrap();
    assert!(holds(&stored, "lake-secret-new"));
    let before = files(&p);
    let out = p.run(&["run", "-vv"]);
    out.ok();
    assert!(!out.stderr.contains("PERSISTENT SECRET"), "{}", out.stderr);
    assert_eq!(files(&p), before);
}

#[test]
fn digests_are_keyed_by_the_secret_directory_and_never_hold_the_value() {
    let p = Project::new();
    p.write("duckalog.toml", &lake_config("lake-secret-value"));
    p.run(&["run"]).ok();
    let key = p.path("secrets/duckalog.digest-key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |f: &std::path::Path| std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&key), mode(&p.path("secrets/lake.duckdb_secret")));
    }
    let catalog = std::fs::read(p.path("cat.duckdb")).unwrap();
    assert!(!holds(&catalog, "lake-secret-value"), "the catalog holds the credential");

    // Records from before digests, and a lost key: the secret is written once
    // more, then left alone.
    let c = p.duckdb(Some("cat.duckdb"));
    c.execute_batch(
        "DROP TABLE _duckalog.secrets; CREATE TABLE _duckalog.secrets \
         (name VARCHAR PRIMARY KEY, type VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL); \
         INSERT INTO _duckalog.secrets VALUES ('lake', 's3', now()::TIMESTAMP)",
    )
    .unwrap();
    drop(c);
    for reset in [None, Some(&key)] {
        if let Some(k) = reset {
            std::fs::remove_file(k).unwrap();
        }
        let plan = p.run(&["plan", "--exit-code"]);
        assert_eq!(plan.code, 1, "{}", plan.stdout);
        assert!(plan.stdout.contains("~ secret    \"lake\""), "{}", plan.stdout);
        p.run(&["run"]).ok();
        assert_eq!(p.run(&["plan", "--exit-code"]).code, 0);
    }
}
