//! Secrets: every type DuckDB 1.5.5 accepts, temporary by default,
//! persistent on opt-in in a private secret directory, and S3 end to end.

use crate::common;
use common::{Project, S3Server};

/// One secret of every type and provider duckalog knows, as a config.
const ALL_TYPES: &str = r#"
[duckdb]
database = "cat.duckdb"
secret_directory = "secrets"

[[duckdb.secrets]]
type = "s3"
name = "s3_keys"
key_id = "AKIA0000"
secret = "s3-secret-value"
region = "eu-west-1"
endpoint = "http://localhost:9000"
url_style = "path"
scope = ["s3://one", "s3://two"]

[[duckdb.secrets]]
type = "s3"
name = "s3_chain"
provider = "credential_chain"
validation = "none"
region = "us-east-1"

[[duckdb.secrets]]
type = "r2"
key_id = "r2-key"
secret = "r2-secret-value"
account_id = "acct"

[[duckdb.secrets]]
type = "gcs"
key_id = "gcs-key"
secret = "gcs-secret-value"

[[duckdb.secrets]]
type = "http"
bearer_token = "http-token-value"
extra_http_headers = { "X-Team" = "data" }
scope = "https://api.example.test"

[[duckdb.secrets]]
type = "huggingface"
token = "hf-token-value"

[[duckdb.secrets]]
type = "iceberg"
token = "iceberg-token-value"

[[duckdb.secrets]]
type = "azure"
name = "azure_cs"
connection_string = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=azure-key-value;EndpointSuffix=core.windows.net"

[[duckdb.secrets]]
type = "azure"
name = "azure_sp"
tenant_id = "tenant"
client_id = "client"
client_secret = "azure-client-secret"
account_name = "acct"

[[duckdb.secrets]]
type = "azure"
name = "azure_chain"
provider = "credential_chain"
account_name = "acct"

[[duckdb.secrets]]
type = "postgres"
host = "127.0.0.1"
port = 5432
database = "db"
user = "me"
password = "pg-password-value"

[[duckdb.secrets]]
type = "mysql"
host = "127.0.0.1"
port = 3306
database = "db"
user = "me"
password = "my-password-value"

[[duckdb.secrets]]
type = "ducklake"
metadata_path = "meta.ducklake"
data_path = "lake/"
"#;

fn secrets_of(p: &Project, args: &[&str]) -> Vec<String> {
    let mut a = vec!["run", "-q", "SELECT name || ':' || type || ':' || provider || ':' || persistent FROM duckdb_secrets() ORDER BY 1", "--format", "csv"];
    a.extend_from_slice(args);
    let out = p.run(&a);
    out.ok();
    out.stdout.lines().skip(1).map(str::to_string).collect()
}

#[test]
fn every_secret_type_renders_sql_that_duckdb_accepts() {
    let p = Project::new();
    p.write("duckalog.toml", ALL_TYPES);
    assert_eq!(
        secrets_of(&p, &[]),
        [
            "azure_chain:azure:credential_chain:false",
            "azure_cs:azure:config:false",
            "azure_sp:azure:service_principal:false",
            "ducklake:ducklake:config:false",
            "gcs:gcs:config:false",
            "http:http:config:false",
            "huggingface:huggingface:config:false",
            "iceberg:iceberg:config:false",
            "mysql:mysql:config:false",
            "postgres:postgres:config:false",
            "r2:r2:config:false",
            "s3_chain:s3:credential_chain:false",
            "s3_keys:s3:config:false",
        ]
    );
    // The scope went inside the parentheses, and the endpoint lost its scheme.
    let out = p.run(&[
        "run",
        "-q",
        "SELECT scope::VARCHAR, secret_string FROM duckdb_secrets() WHERE name = 's3_keys'",
        "--format",
        "csv",
    ]);
    out.ok();
    assert!(out.stdout.contains("scope=s3://one,s3://two;"), "{}", out.stdout);
    assert!(
        out.stdout.contains("endpoint=localhost:9000") && out.stdout.contains("use_ssl=false"),
        "{}",
        out.stdout
    );
    // Temporary secrets never reach the disk.
    assert!(
        !p.path("secrets").exists()
            || std::fs::read_dir(p.path("secrets")).unwrap().next().is_none()
    );
}

#[test]
fn secrets_are_checked_before_anything_runs() {
    let p = Project::new();
    let cases: &[(&str, &[&str])] = &[
        ("type = \"s4\"", &["duckdb.secrets[0].type", "unknown secret type"]),
        (
            "type = \"s3\"\nkey_id = \"k-marker\"",
            &["duckdb.secrets[0]", "key_id and secret go together"],
        ),
        (
            "type = \"s3\"\nregoin = \"eu\"",
            &["duckdb.secrets[0].regoin", "not a parameter of s3 secrets"],
        ),
        (
            "type = \"azure\"\nprovider = \"magic\"\naccount_name = \"a\"",
            &["duckdb.secrets[0].provider", "azure secrets take provider"],
        ),
        ("type = \"ducklake\"", &["duckdb.secrets[0]", "need metadata_path"]),
        (
            "type = \"iceberg\"\nclient_id = \"a\"",
            &["duckdb.secrets[0]", "need token, or client_id + client_secret"],
        ),
        (
            "type = \"gcs\"\nservice_account_key = \"sa-marker\"",
            &["duckdb.secrets[0].service_account_key", "HMAC"],
        ),
        ("type = \"s3\"\nregion = [\"a\"]", &["duckdb.secrets[0].region", "single value"]),
    ];
    for (body, words) in cases {
        p.write("duckalog.toml", &format!("[[duckdb.secrets]]\n{body}\n"));
        let out = p.run(&["validate"]);
        out.fails(2, words);
        assert!(!out.stderr.contains("marker"), "{}", out.stderr);
    }
    p.write(
        "duckalog.toml",
        "[[duckdb.secrets]]\ntype = \"s3\"\n[[duckdb.secrets]]\ntype = \"S3\"\n",
    );
    p.run(&["validate"])
        .fails(2, &["duckdb.secrets[1].name", "already defined by duckdb.secrets[0]"]);
}

const MIXED: &str = r#"
[duckdb]
database = "cat.duckdb"
secret_directory = "secrets"

[[duckdb.secrets]]
type = "s3"
name = "Lake"
persistent = true
key_id = "AKIA1111"
secret = "lake-secret-value"
region = "REGION"

[[duckdb.secrets]]
type = "http"
name = "api"
bearer_token = "api-token-value"
"#;

fn stored_file(p: &Project) -> std::path::PathBuf {
    p.path("secrets/lake.duckdb_secret")
}

#[test]
fn persistent_secrets_are_written_once_replaced_when_changed_and_pruned() {
    let p = Project::new();
    p.write("duckalog.toml", &MIXED.replace("REGION", "eu-west-1"));
    let plan = p.run(&["plan"]);
    plan.ok();
    assert!(plan.stdout.contains("+ secret    \"Lake\" (persistent)"), "{}", plan.stdout);

    assert_eq!(secrets_of(&p, &[]), ["api:http:config:false", "lake:s3:config:true"]);
    let file = stored_file(&p);
    assert!(file.is_file(), "persistent secret not written to the secret directory");
    let stored: Vec<_> = std::fs::read_dir(p.path("secrets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".duckdb_secret"))
        .collect();
    assert_eq!(stored, ["lake.duckdb_secret"], "the temporary secret reached the disk");
    let written = std::fs::metadata(&file).unwrap().modified().unwrap();

    // Unchanged: kept, not rewritten; still there in a new process.
    let out = p.run(&["run", "-v"]);
    out.ok();
    assert!(out.stderr.contains("persistent secret \"Lake\" is current: kept"), "{}", out.stderr);
    assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), written);
    assert_eq!(secrets_of(&p, &[]), ["api:http:config:false", "lake:s3:config:true"]);

    // Changed region: replaced.
    p.write("duckalog.toml", &MIXED.replace("REGION", "us-east-2"));
    let plan = p.run(&["plan", "--exit-code"]);
    assert_eq!(plan.code, 1);
    assert!(
        plan.stdout.contains("~ secret    \"Lake\" (persistent, definition changed)"),
        "{}",
        plan.stdout
    );
    p.run(&["run"]).ok();
    assert_ne!(std::fs::metadata(&file).unwrap().modified().unwrap(), written);
    let out =
        p.run(&["run", "-q", "SELECT secret_string FROM duckdb_secrets() WHERE name = 'lake'"]);
    assert!(out.stdout.contains("region=us-east-2"), "{}", out.stdout);

    // Turned temporary: the stored one is reported, kept, and deleted only by --prune.
    p.write(
        "duckalog.toml",
        &MIXED.replace("REGION", "us-east-2").replace("persistent = true\n", ""),
    );
    let plan = p.run(&["plan"]);
    assert!(
        plan.stdout.contains("? secret    \"lake\": persistent, no longer configured"),
        "{}",
        plan.stdout
    );
    let out = p.run(&["run"]);
    out.ok();
    assert!(
        out.stdout.contains("1 persistent secret(s) no longer configured, kept"),
        "{}",
        out.stdout
    );
    assert!(file.is_file());
    let out = p.run(&["run", "--prune"]);
    out.ok();
    assert!(out.stdout.contains("1 persistent secret(s) deleted"), "{}", out.stdout);
    assert!(!file.exists());
    let plan = p.run(&["plan", "--exit-code"]);
    assert_eq!(plan.code, 0, "{}", plan.stdout);
}

#[test]
fn force_rebuild_rewrites_a_current_persistent_secret() {
    let p = Project::new();
    p.write("duckalog.toml", &MIXED.replace("REGION", "eu-west-1"));
    p.run(&["run"]).ok();
    let written = std::fs::read(stored_file(&p)).unwrap();
    let modified = std::fs::metadata(stored_file(&p)).unwrap().modified().unwrap();
    p.run(&["run"]).ok();
    assert_eq!(std::fs::metadata(stored_file(&p)).unwrap().modified().unwrap(), modified);
    p.run(&["run", "--force-rebuild"]).ok();
    assert_ne!(std::fs::metadata(stored_file(&p)).unwrap().modified().unwrap(), modified);
    assert_eq!(std::fs::read(stored_file(&p)).unwrap(), written);
}

#[test]
fn parquet_and_csv_on_a_local_s3_server() {
    let s3 = S3Server::start();
    s3.create_bucket("lake");
    let p = Project::new();
    let secret = format!(
        "[[duckdb.secrets]]\ntype = \"s3\"\nkey_id = \"test-key\"\nsecret = \"test-secret\"\nregion = \"us-east-1\"\n\
         endpoint = \"{}\"\nurl_style = \"path\"\nuse_ssl = false\nscope = \"s3://lake\"\n",
        s3.endpoint()
    );
    {
        let c = p.duckdb(None);
        c.execute_batch(&format!(
            "LOAD httpfs;
             CREATE SECRET (TYPE s3, KEY_ID 'test-key', SECRET 'test-secret', REGION 'us-east-1', ENDPOINT '{}', URL_STYLE 'path', USE_SSL false);
             COPY (SELECT range AS id, range * 1.5 AS amount FROM range(10)) TO 's3://lake/orders/part-0.parquet' (FORMAT parquet);
             COPY (SELECT * FROM (VALUES (1, 'ann'), (2, 'bob')) t(id, name)) TO 's3://lake/people.csv' (HEADER);",
            s3.endpoint()
        ))
        .unwrap();
    }
    p.write(
        "duckalog.toml",
        &format!(
            "[duckdb]\ndatabase = \"cat.duckdb\"\n{secret}\n\
             [[views]]\nname = \"orders\"\nsource = \"parquet\"\nuri = \"s3://lake/orders/*.parquet\"\n\
             [[views]]\nname = \"people\"\nsource = \"csv\"\nuri = \"s3://lake/people.csv\"\n"
        ),
    );
    let out = p.run(&["run"]);
    out.ok();
    assert!(out.stdout.contains("2 created"), "{}", out.stdout);
    // A second process: the temporary secret is recreated, the views read S3 again.
    let out = p.run(&["run", "-q", "SELECT (SELECT count(*) FROM orders) AS o, (SELECT sum(amount) FROM orders) AS s, (SELECT count(*) FROM people) AS n", "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "o,s,n\n10,67.5,2\n");
}
