//! Iceberg catalogs: a real Iceberg REST catalog server on 127.0.0.1
//! (tests/fixtures/iceberg_rest.py, over tables pyiceberg writes) that
//! DuckDB's iceberg extension talks to over HTTP, and the config errors.

use crate::common;
use common::{closed_port, Project, S3Server};
use std::io::BufRead;
use std::process::{Child, Command, Stdio};

/// The fixture's REST catalog, serving namespace `sales` with tables
/// `orders` (3 rows) and `customers` (2 rows), their files on local disk or
/// (`--s3`) on a local S3 server; stopped when dropped.
struct RestCatalog {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl RestCatalog {
    fn start(p: &Project, args: &[&str]) -> RestCatalog {
        let python = std::env::var("DUCKALOG_TEST_PYTHON")
            .expect("DUCKALOG_TEST_PYTHON is not set: run the tests through scripts/test");
        let dir = p.path("rest");
        let mut child = Command::new(python)
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/iceberg_rest.py"))
            .arg(&dir)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        // The fixture prints its port once it listens.
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the REST catalog fixture did not start: {line:?}"));
        RestCatalog { child, port, dir }
    }

    fn uri(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests the server has answered, one `METHOD PATH [authorized]` a line.
    fn requests(&self) -> String {
        std::fs::read_to_string(self.dir.join("requests.log")).unwrap_or_default()
    }
}

impl Drop for RestCatalog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn csv(p: &Project, config: &str, query: &str) -> String {
    let out = p.run(&["run", config, "-q", query, "--format", "csv"]);
    out.ok();
    out.stdout
}

#[test]
fn a_python_tool_config_reads_tables_of_a_rest_catalog() {
    let p = Project::new();
    let rest = RestCatalog::start(&p, &[]);
    p.write(
        "catalog.yaml",
        &format!(
            "version: 1
duckdb:
  database: cat.duckdb
iceberg_catalogs:
  - name: lake
    catalog_type: rest
    uri: {}
    warehouse: demo
    options:
      authorization_type: none
      access_delegation_mode: none
views:
  - name: orders
    source: iceberg
    catalog: lake
    table: sales.orders
  - name: customers
    db_schema: crm
    source: iceberg
    catalog: LAKE
    table: sales.customers
  - name: totals
    sql: SELECT c.city, sum(o.amount) AS total FROM orders o JOIN crm.customers c ON c.name = o.customer GROUP BY ALL ORDER BY ALL
",
            rest.uri()
        ),
    );
    let out = p.run(&["run", "catalog.yaml"]);
    out.ok();
    assert!(out.stdout.contains("3 created"), "{}", out.stdout);
    assert_eq!(csv(&p, "catalog.yaml", "SELECT * FROM totals"), "city,total\nLima,4.0\nOslo,4.0\n");
    assert_eq!(
        csv(&p, "catalog.yaml", "SELECT id, customer FROM orders ORDER BY id"),
        "id,customer\n1,ann\n2,bob\n3,ann\n"
    );

    let views = p.views("cat.duckdb");
    let orders = views.iter().find(|v| v.1 == "orders").unwrap();
    assert!(orders.2.contains("FROM lake.sales.orders"), "{}", orders.2);
    // DuckDB asked the catalog's config (with the warehouse) and loaded the tables over HTTP.
    let log = rest.requests();
    for line in [
        "GET /v1/config",
        "GET /v1/fixture/namespaces/sales/tables/orders",
        "GET /v1/fixture/namespaces/sales/tables/customers",
    ] {
        assert!(log.lines().any(|l| l == line), "no {line:?} in\n{log}");
    }
    let out = p.run(&["run", "catalog.yaml"]);
    out.ok();
    assert!(out.stdout.contains("0 created, 0 replaced, 3 unchanged"), "{}", out.stdout);
}

#[test]
fn a_catalog_behind_oauth2_takes_an_iceberg_secret_or_client_credentials() {
    let p = Project::new();
    let rest = RestCatalog::start(&p, &["--token", "tok-s3cr3t", "--client", "duck:pw-s3cr3t"]);
    let catalog = |extra: &str| {
        format!(
            "[duckdb]\ndatabase = \"cat.duckdb\"\n\
             [[iceberg_catalogs]]\nname = \"lake\"\ncatalog_type = \"rest\"\nuri = \"{}\"\nwarehouse = \"demo\"\n{extra}\n\
             [[views]]\nname = \"customers\"\nsource = \"iceberg\"\ncatalog = \"lake\"\ntable = \"sales.customers\"\n",
            rest.uri()
        )
    };
    let token = "[[duckdb.secrets]]\ntype = \"iceberg\"\nname = \"ice\"\ntoken = \"tok-s3cr3t\"\n";
    p.write("token.toml", &catalog(&format!("secret = \"ice\"\n{token}")));
    let oauth = format!(
        "secret = \"ice\"\n[[duckdb.secrets]]\ntype = \"iceberg\"\nname = \"ice\"\nclient_id = \"duck\"\nclient_secret = \"pw-s3cr3t\"\n\
         oauth2_server_uri = \"{}/v1/oauth/tokens\"\n",
        rest.uri()
    );
    p.write("oauth.toml", &catalog(&oauth));
    // pyiceberg's `credential`, as configs of the Python tool give it.
    p.write("credential.toml", &catalog("options = { credential = \"duck:pw-s3cr3t\" }"));
    for config in ["token.toml", "oauth.toml", "credential.toml"] {
        let out = p.run(&[
            "run",
            config,
            "-q",
            "SELECT string_agg(city, '|' ORDER BY city) AS c FROM customers",
            "--format",
            "csv",
        ]);
        out.ok();
        assert_eq!(out.stdout, "c\nLima|Oslo\n", "{config}");
        assert!(!out.stderr.contains("s3cr3t"), "{}", out.stderr);
        let script = p.run(&["run", config, "--dry-run"]);
        script.ok();
        assert!(
            !script.stdout.contains("s3cr3t") && script.stdout.contains("'***'"),
            "{}",
            script.stdout
        );
    }
    let log = rest.requests();
    assert_eq!(log.lines().filter(|l| *l == "POST /v1/oauth/tokens").count(), 2, "{log}");
    assert!(
        log.lines()
            .any(|l| l.starts_with("GET /v1/fixture/namespaces/sales/tables/customers authorized")),
        "{log}"
    );
    assert!(!log.lines().any(|l| l.starts_with("GET") && !l.contains(" authorized")), "{log}");

    // A wrong token is refused by the server: an error naming the catalog, not retried.
    p.write(
        "wrong.toml",
        &catalog(&format!("secret = \"ice\"\n{}", token.replace("tok-s3cr3t", "tok-wrong"))),
    );
    let out = p.run(&["run", "wrong.toml"]);
    out.fails(3, &["attachment \"lake\" (iceberg)", "Unauthorized"]);
    assert!(!out.stderr.contains("retrying"), "{}", out.stderr);
}

#[test]
fn data_files_on_s3_are_read_with_vended_credentials_or_an_s3_secret() {
    let p = Project::new();
    let s3 = S3Server::start();
    s3.create_bucket("lake");
    let rest = RestCatalog::start(&p, &["--s3", &s3.endpoint()]);
    let config = |mode: &str, secret: &str| {
        format!(
            "[duckdb]\ndatabase = \"cat.duckdb\"\n{secret}\n\
             [[iceberg_catalogs]]\nname = \"lake\"\nuri = \"{}\"\n\
             options = {{ authorization_type = \"none\", access_delegation_mode = \"{mode}\" }}\n\
             [[views]]\nname = \"orders\"\nsource = \"iceberg\"\ncatalog = \"lake\"\ntable = \"sales.orders\"\n",
            rest.uri()
        )
    };
    // The catalog hands out the storage credentials with the table.
    p.write("vended.toml", &config("vended_credentials", ""));
    assert_eq!(csv(&p, "vended.toml", "SELECT sum(amount) AS total FROM orders"), "total\n8.0\n");
    assert!(
        rest.requests()
            .lines()
            .any(|l| l == "GET /v1/fixture/namespaces/sales/tables/orders vended"),
        "{}",
        rest.requests()
    );
    // Or the storage is read with an s3 secret of the config's own.
    p.write("own.toml", &config("none", &s3.secret_toml()));
    assert_eq!(csv(&p, "own.toml", "SELECT count(*) AS n FROM orders"), "n\n3\n");
    assert!(
        rest.requests().lines().any(|l| l == "GET /v1/fixture/namespaces/sales/tables/orders"),
        "{}",
        rest.requests()
    );
}

#[test]
fn an_unreachable_optional_catalog_skips_only_its_views() {
    let p = Project::new();
    let closed = closed_port();
    p.write(
        "duckalog.toml",
        &format!(
            "[duckdb]\ndatabase = \"cat.duckdb\"\n\
             [[iceberg_catalogs]]\nname = \"lake\"\nuri = \"http://127.0.0.1:{}\"\nrequired = false\nretries = 0\n\
             options = {{ authorization_type = \"none\" }}\n\
             [[views]]\nname = \"orders\"\nsource = \"iceberg\"\ncatalog = \"lake\"\ntable = \"sales.orders\"\n\
             [[views]]\nname = \"local\"\nsql = \"SELECT 42 AS answer\"\n",
            closed.port
        ),
    );
    let out = p.run(&["run"]);
    assert_eq!(out.code, 4, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("attachment \"lake\" (iceberg) is optional and unavailable"),
        "{}",
        out.stderr
    );
    let names: Vec<String> = p.views("cat.duckdb").into_iter().map(|v| v.1).collect();
    assert_eq!(names, ["local"]);
}

#[test]
fn generate_sql_attaches_with_duckdbs_own_syntax() {
    let p = Project::new();
    p.write(
        "duckalog.toml",
        "[[duckdb.secrets]]\ntype = \"iceberg\"\nname = \"ice\"\ntoken = \"tok-s3cr3t\"\n\
         [[iceberg_catalogs]]\nname = \"lake\"\ncatalog_type = \"rest\"\nuri = \"https://catalog.example/api\"\nwarehouse = \"demo\"\nsecret = \"ice\"\n\
         options = { access_delegation_mode = \"none\", support_nested_namespaces = true }\n\
         [[iceberg_catalogs]]\nname = \"glue\"\ncatalog_type = \"glue\"\nwarehouse = \"123456789012\"\nread_only = false\n\
         [[views]]\nname = \"orders\"\nsource = \"iceberg\"\ncatalog = \"lake\"\ntable = \"sales.orders\"\n\
         [[views]]\nname = \"events\"\nsource = \"iceberg\"\ncatalog = \"glue\"\ntable = \"raw.web.events\"\n",
    );
    let out = p.run(&["generate-sql"]);
    out.ok();
    for line in [
        "CREATE OR REPLACE TEMPORARY SECRET \"ice\" (TYPE iceberg, PROVIDER config, TOKEN '***');",
        "ATTACH IF NOT EXISTS 'demo' AS \"lake\" (TYPE iceberg, ENDPOINT 'https://catalog.example/api', SECRET 'ice', \
         ACCESS_DELEGATION_MODE 'none', SUPPORT_NESTED_NAMESPACES true, READ_ONLY);",
        "ATTACH IF NOT EXISTS '123456789012' AS \"glue\" (TYPE iceberg, ENDPOINT_TYPE 'glue');",
        "SELECT * FROM \"lake\".\"sales\".\"orders\";",
        "SELECT * FROM \"glue\".\"raw.web\".\"events\";",
        "LOAD iceberg;",
    ] {
        assert!(out.stdout.lines().any(|l| l == line), "no {line:?} in\n{}", out.stdout);
    }
    assert!(!out.stdout.contains("s3cr3t") && !out.stdout.contains("iceberg_attach"));
}

fn refused(text: &str, words: &[&str]) {
    let p = Project::new();
    p.write("c.toml", text);
    p.run(&["validate", "c.toml"]).fails(2, words);
}

#[test]
fn config_errors_name_the_key_and_the_fix() {
    let catalog = "[[iceberg_catalogs]]\nname = \"lake\"\nuri = \"http://127.0.0.1:1\"\n";
    refused(
        "[[iceberg_catalogs]]\nname = \"lake\"\ncatalog_type = \"hive\"\nuri = \"thrift://h:9083\"\n",
        &["iceberg_catalogs[0].catalog_type", "\"hive\" is not a catalog DuckDB can attach", "use rest", "uri"],
    );
    refused(
        &format!("{catalog}options = {{ bogus = 1 }}\n"),
        &["iceberg_catalogs[0].options.bogus", "not an option", "access_delegation_mode"],
    );
    refused(
        &format!("{catalog}[iceberg_catalogs.options]\n\"x') ; DROP TABLE t; --\" = 1\n"),
        &["iceberg_catalogs[0].options.x') ; DROP TABLE t; --"],
    );
    refused(
        &format!("{catalog}options = {{ \"s3.endpoint\" = \"http://minio\" }}\n"),
        &["options.s3.endpoint", "s3 secret under duckdb.secrets"],
    );
    refused(
        &format!("{catalog}secret = \"ice\"\noptions = {{ authorization_type = \"none\" }}\n"),
        &["iceberg_catalogs[0].secret", "takes no secret"],
    );
    refused("[[iceberg_catalogs]]\nname = \"lake\"\n", &["iceberg_catalogs[0].uri", "needs uri"]);
    refused(
        "[[iceberg_catalogs]]\nuri = \"http://h\"\n",
        &["iceberg_catalogs[0]", "missing field `name`"],
    );
    refused(
        &format!("[[attachments.duckdb]]\nalias = \"Lake\"\npath = \":memory:\"\n{catalog}"),
        &["iceberg_catalogs[0].name", "already used by attachments.duckdb[0]"],
    );
    refused(
        &format!("{catalog}[[views]]\nname = \"v\"\nsource = \"iceberg\"\ncatalog = \"nope\"\ntable = \"s.t\"\n"),
        &["views[0].catalog", "no iceberg catalog is named \"nope\"", "iceberg_catalogs"],
    );
    refused(
        "[[attachments.duckdb]]\nalias = \"db\"\npath = \":memory:\"\n\
         [[views]]\nname = \"v\"\nsource = \"iceberg\"\ncatalog = \"db\"\ntable = \"s.t\"\n",
        &["views[0].catalog", "kind duckdb, not an iceberg catalog"],
    );
    refused(&format!("{catalog}[[views]]\nname = \"v\"\nsource = \"iceberg\"\ncatalog = \"lake\"\ntable = \"orders\"\n"), &["views[0].table", "namespace"]);
    refused(
        &format!("{catalog}[[views]]\nname = \"v\"\nsource = \"iceberg\"\ncatalog = \"lake\"\n"),
        &["views[0].table", "namespace.table"],
    );
    refused(
        &format!("{catalog}[[views]]\nname = \"v\"\nsource = \"iceberg\"\ncatalog = \"lake\"\ntable = \"s.t\"\nuri = \"t/metadata.json\"\n"),
        &["views[0]", "either uri, or catalog and table"],
    );
    refused(
        &format!("{catalog}[[views]]\nname = \"v\"\nsource = \"parquet\"\ncatalog = \"lake\"\nuri = \"x.parquet\"\n"),
        &["views[0].catalog", "only views with source = \"iceberg\""],
    );
}
