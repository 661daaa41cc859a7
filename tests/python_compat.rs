//! A YAML config written for the Python duckalog tool builds the same views.

mod common;
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
    let names: Vec<String> = p.views("catalog.duckdb").into_iter().map(|(s, n, _)| format!("{s}.{n}")).collect();
    assert_eq!(
        names,
        ["main.orders", "reports.big_orders", "reports.order_report", "staging.accounts", "staging.item_names"]
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
    p.write("catalog.yaml", "version: 1\nduckdb:\n  database: c.duckdb\nviews:\n  - name: orders\n    source: parquet\n    uri: \"${env:DKL_DATA_DIR}/orders.parquet\"\n");
    p.run_env(&["run", "catalog.yaml", "-q", "SELECT count(*) FROM orders"], &[("DKL_DATA_DIR", "elsewhere")]).ok();
    p.run(&["run", "catalog.yaml"]).fails(2, &["views[0].uri", "DKL_DATA_DIR is not set"]);
}
