//! A YAML config written for the Python duckalog tool builds the same views.

use crate::common;
use common::Project;

const PYTHON_CONFIG: &str = r#"
version: 1
duckdb:
  database: catalog.duckdb
  pragmas:
    - "SET enable_progress_bar = false"
  settings:
    - "SET threads = 2"
attachments:
  duckdb:
    - alias: shop
      path: ./data/shop.duckdb
      read_only: true
  sqlite:
    - alias: legacy
      path: data/legacy.sqlite
views:
  - name: orders
    source: parquet
    uri: "${env:DKL_DATA_DIR:data}/orders.parquet"
    description: Orders from the lake
    tags: [sales]
  - name: item_names
    db_schema: staging
    source: duckdb
    database: shop
    table: items
  - name: accounts
    db_schema: staging
    source: sqlite
    database: legacy
    table: accounts
  - name: big_orders
    db_schema: reports
    sql_file:
      path: sql/big_orders.sql
      variables:
        threshold: 2
      as_template: true
  - name: order_report
    db_schema: reports
    sql: |
      SELECT o.id, i.name, o.amount
      FROM orders o
      JOIN staging.item_names i USING (item_id)
semantic_models:
  - name: sales
    base_view: orders
    measures:
      - name: revenue
        expression: sum(amount)
"#;

#[test]
fn a_python_tool_yaml_config_builds_the_same_views() {
    let p = Project::new();
    p.fixtures();
    p.write("catalog.yaml", PYTHON_CONFIG);
    p.write("sql/big_orders.sql", "SELECT * FROM orders WHERE amount > {{threshold}}\n");
    // Run from another folder: relative paths resolve against the config.
    let out = p.run_env(&["run", "catalog.yaml"], &[]);
    out.ok();
    assert!(out.stdout.contains("5 created"), "{}", out.stdout);
    let names: Vec<String> =
        p.views("catalog.duckdb").into_iter().map(|(s, n, _)| format!("{s}.{n}")).collect();
    assert_eq!(
        names,
        [
            "main.orders",
            "reports.big_orders",
            "reports.order_report",
            "staging.accounts",
            "staging.item_names"
        ]
    );
    let out = p.run(&[
        "run",
        "catalog.yaml",
        "-q",
        "SELECT (SELECT count(*) FROM reports.big_orders) AS big, (SELECT count(*) FROM reports.order_report) AS report, (SELECT count(*) FROM staging.accounts) AS accts",
        "--format",
        "csv",
    ]);
    out.ok();
    assert_eq!(out.stdout, "big,report,accts\n2,3,3\n");
}

#[test]
fn environment_values_fill_paths_and_numbers() {
    let p = Project::new();
    p.fixtures();
    std::fs::rename(p.path("data"), p.path("elsewhere")).unwrap();
    p.write("catalog.yaml", "version: 1\nduckdb:\n  database: c.duckdb\n  settings:\n    threads: ${env:DKL_THREADS}\nviews:\n  - name: orders\n    source: parquet\n    uri: \"${env:DKL_DATA_DIR}/orders.parquet\"\n  - name: first\n    sql: SELECT id FROM orders ORDER BY id LIMIT ${env:DKL_LIMIT}\n");
    let q = "SELECT (SELECT count(*) FROM orders) AS n, (SELECT count(*) FROM first) AS first, \
             current_setting('threads') AS threads";
    let out = p.run_env(
        &["run", "catalog.yaml", "-q", q, "--format", "csv"],
        &[("DKL_DATA_DIR", "elsewhere"), ("DKL_THREADS", "3"), ("DKL_LIMIT", "2")],
    );
    out.ok();
    assert_eq!(out.stdout, "n,first,threads\n3,2,3\n");
    p.run_env(&["run", "catalog.yaml"], &[("DKL_THREADS", "3"), ("DKL_LIMIT", "2")])
        .fails(2, &["views[0].uri", "DKL_DATA_DIR is not set"]);
}

/// A catalog laid out as the Python tool's documentation describes: imports,
/// a `.env` file, schemas, SQLite and DuckDB attachments and a two-level
/// catalog of catalogs, all in its YAML format.
#[test]
fn yaml_1_1_booleans_read_as_the_python_tool_reads_them() {
    let p = Project::new();
    p.fixtures();
    p.write(
        "duckalog.yaml",
        "duckdb: {database: cat.duckdb}\nattachments:\n  duckdb:\n    - {alias: shop, path: data/shop.duckdb, read_only: Yes}\n    - {alias: fresh, path: data/fresh.duckdb, create: on, read_only: off}\n",
    );
    let out = p.run(&[
        "run",
        "-q",
        "SELECT (SELECT readonly FROM duckdb_databases() WHERE database_name = 'shop') AS shop, \
        (SELECT readonly FROM duckdb_databases() WHERE database_name = 'fresh') AS fresh",
        "--format",
        "csv",
    ]);
    out.ok();
    assert_eq!(out.stdout, "shop,fresh\ntrue,false\n");
    p.write("bad.yaml", "attachments:\n  duckdb:\n    - {alias: shop, path: data/shop.duckdb, read_only: perhaps}\n");
    p.run(&["validate", "bad.yaml"])
        .fails(2, &["attachments.duckdb[0].read_only", "expected a boolean"]);
}

#[test]
fn yaml_merge_keys_are_applied() {
    let p = Project::new();
    p.write("data/a.csv", "n\n1\n2\n");
    p.write(
        "duckalog.yaml",
        "duckdb: {database: cat.duckdb}\nviews:\n  - &base\n    name: a\n    source: csv\n    uri: data/a.csv\n  - <<: *base\n    name: b\n    description: the same file\n",
    );
    let out = p.run(&[
        "run",
        "-q",
        "SELECT (SELECT sum(n) FROM a) AS a, (SELECT sum(n) FROM b) AS b",
        "--format",
        "csv",
    ]);
    out.ok();
    assert_eq!(out.stdout, "a,b\n3,3\n");
    // The merged config still gets its key paths in errors.
    p.write("bad.yaml", "views:\n  - &base {name: a, source: csv, uri: data/a.csv}\n  - <<: *base\n    name: b\n    colour: red\n");
    p.run(&["validate", "bad.yaml"]).fails(2, &["bad.yaml: views[1].colour", "unknown field"]);
    // convert applies them too.
    let out = p.run(&["convert", "duckalog.yaml", "-o", "conv.toml"]);
    out.ok();
    let toml = std::fs::read_to_string(p.path("conv.toml")).unwrap();
    assert!(!toml.contains("<<") && toml.matches("uri = \"data/a.csv\"").count() == 2, "{toml}");
}

fn python_project(p: &Project) {
    p.fixtures();
    p.write(".env", "DATA_DIR=data\n");
    p.write(
        "catalog.yaml",
        r#"version: 1
duckdb:
  database: catalog.duckdb
  pragmas:
    - "SET enable_progress_bar = false"
imports:
  - shared/attachments.yaml
  - path: shared/views.yaml
    override: false
attachments:
  duckalog:
    - alias: sales
      config_path: ./sales/sales.yaml
views:
  - name: summary
    db_schema: reports
    sql: |
      SELECT (SELECT count(*) FROM staging.accounts) AS accounts,
             (SELECT count(*) FROM staging.items) AS items,
             (SELECT total FROM sales.totals) AS total
"#,
    );
    p.write(
        "shared/attachments.yaml",
        "attachments:\n  duckdb:\n    - alias: shop\n      path: ../${env:DATA_DIR}/shop.duckdb\n      read_only: true\n  sqlite:\n    - alias: legacy\n      path: ../data/legacy.sqlite\n",
    );
    p.write(
        "shared/views.yaml",
        "views:\n  - name: accounts\n    db_schema: staging\n    source: sqlite\n    database: legacy\n    table: accounts\n  - name: items\n    db_schema: staging\n    source: duckdb\n    database: shop\n    table: items\n",
    );
    p.write(
        "sales/sales.yaml",
        "version: 1\nduckdb:\n  database: sales.duckdb\nattachments:\n  duckalog:\n    - alias: raw\n      config_path: raw/raw.yaml\nviews:\n  - name: totals\n    sql: SELECT sum(amount) AS total FROM raw.orders\n",
    );
    p.write(
        "sales/raw/raw.yaml",
        "version: 1\nduckdb:\n  database: raw.duckdb\nviews:\n  - name: orders\n    source: parquet\n    uri: \"../../${env:DATA_DIR}/orders.parquet\"\n",
    );
}

#[test]
fn a_python_tool_project_with_imports_dotenv_and_nested_catalogs_runs_unchanged() {
    let p = Project::new();
    python_project(&p);
    let q = "SELECT accounts, items, total FROM reports.summary";
    let out = p.run(&["run", "catalog.yaml", "-q", q, "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "accounts,items,total\n3,2,8.0\n");
    let names: Vec<String> =
        p.views("catalog.duckdb").into_iter().map(|(s, n, _)| format!("{s}.{n}")).collect();
    assert_eq!(names, ["reports.summary", "staging.accounts", "staging.items"]);

    // Converted to TOML, the same project gives the same answers.
    let out = p.run(&["convert", "catalog.yaml", "--output", "duckalog.toml"]);
    out.ok();
    let toml_text = std::fs::read_to_string(p.path("duckalog.toml")).unwrap();
    assert!(
        toml_text
            .contains("# - duckdb.database \"catalog.duckdb\" is relative to this file's folder"),
        "{toml_text}"
    );
    assert!(
        toml_text.contains("attachments.duckalog: every run brings each child catalog up to date"),
        "{toml_text}"
    );
    p.run(&["convert", "catalog.yaml", "--output", "duckalog.toml"])
        .fails(2, &["exists", "--force"]);
    p.run(&["convert", "duckalog.toml", "-o", "-"]).fails(2, &["duckalog.toml: is TOML already"]);
    p.run(&["convert", "catalog.yaml", "-o", "new/folder/c.toml"]).ok();
    assert!(p.path("new/folder/c.toml").is_file());
    let out =
        p.run(&["run", "duckalog.toml", "--db", "converted.duckdb", "-q", q, "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "accounts,items,total\n3,2,8.0\n");
}

#[test]
fn convert_flattens_selective_imports_and_reports_syntax_errors_with_a_line() {
    let p = Project::new();
    p.write("views.yaml", "views: [{name: v, sql: 'SELECT 1'}]\n");
    p.write("catalog.yaml", "version: 1\nduckdb: {database: c.duckdb, settings: ~}\nimports:\n  views: [views.yaml]\n  attachments: [views.yaml]\nenv_files: [.env, .env.local]\n");
    let out = p.run(&["convert", "catalog.yaml", "-o", "-"]);
    out.ok();
    assert!(out.stdout.contains("imports = [\"views.yaml\"]"), "{}", out.stdout);
    assert!(out.stdout.contains("imports by section became one list"), "{}", out.stdout);
    assert!(out.stdout.contains("a later env_files pattern wins"), "{}", out.stdout);
    assert!(!out.stdout.contains("settings"), "nulls are dropped: {}", out.stdout);
    assert!(!p.path("duckalog.toml").exists());
    p.write("converted.toml", &out.stdout);
    p.run(&["run", "converted.toml", "-q", "SELECT * FROM v"]).ok();
    p.write("bad.yaml", "views:\n  - name: v\n   sql: x\n");
    p.run(&["convert", "bad.yaml"]).fails(2, &["bad.yaml", "line 3"]);
}

#[test]
fn a_json_config_converts_to_toml_that_builds_the_same_catalog() {
    let p = Project::new();
    p.fixtures();
    p.write(
        "catalog.json",
        r#"{
  "version": 1,
  "duckdb": {"database": "from_json.duckdb", "settings": ["SET threads = 2"]},
  "attachments": {"sqlite": [{"alias": "legacy", "path": "data/legacy.sqlite"}]},
  "views": [
    {"name": "accounts", "db_schema": "staging", "source": "sqlite", "database": "legacy", "table": "accounts"},
    {"name": "people", "source": "csv", "uri": "data/people.csv", "description": "from a CSV file"},
    {"name": "total", "sql": "SELECT (SELECT count(*) FROM staging.accounts) + (SELECT count(*) FROM people) AS n"}
  ]
}"#,
    );
    p.run(&["run", "catalog.json"]).ok();
    let out = p.run(&["convert", "catalog.json"]);
    out.ok();
    let toml = std::fs::read_to_string(p.path("duckalog.toml")).unwrap();
    assert!(
        toml.contains("[[views]]") && toml.contains("description = \"from a CSV file\""),
        "{toml}"
    );
    let q = ["-q", "SELECT n FROM total", "--format", "csv"];
    let out = p.run(&[&["run", "duckalog.toml", "--db", "from_toml.duckdb"][..], &q].concat());
    out.ok();
    assert_eq!(out.stdout, "n\n5\n");
    let strip = |v: Vec<(String, String, String)>| {
        v.into_iter().map(|(s, n, _)| (s, n)).collect::<Vec<_>>()
    };
    assert_eq!(strip(p.views("from_toml.duckdb")), strip(p.views("from_json.duckdb")));
    let comments = |f: &str| {
        let c = p.duckdb(Some(f));
        let text: String = c
            .query_row("SELECT comment FROM duckdb_views() WHERE view_name = 'people'", [], |r| {
                r.get(0)
            })
            .unwrap();
        text
    };
    assert_eq!(comments("from_toml.duckdb"), comments("from_json.duckdb"));
}
