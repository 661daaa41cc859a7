//! `init`: a starter project that `run` builds and `query` reads right away.

use crate::common;
use common::Project;

const REVENUE: &str =
    "SELECT customer, orders, revenue FROM reports.revenue_by_customer ORDER BY customer";

fn revenue(p: &Project, config: &str) -> String {
    let out = p.run(&["query", REVENUE, config, "--format", "csv"]);
    out.ok();
    out.stdout
}

#[test]
fn a_new_project_runs_and_answers() {
    let p = Project::new();
    let out = p.run(&["init"]);
    out.ok();
    assert!(
        out.stdout.contains("wrote duckalog.toml") && out.stdout.contains("wrote data/sample.csv"),
        "{}",
        out.stdout
    );
    let config = std::fs::read_to_string(p.path("duckalog.toml")).unwrap();
    // Secrets and attachments are shown, commented out.
    assert!(
        config.contains("# [[duckdb.secrets]]") && config.contains("# [[attachments.postgres]]"),
        "{config}"
    );
    p.run(&["run"]).ok();
    assert_eq!(
        revenue(&p, "duckalog.toml"),
        "customer,orders,revenue\nada,2,62.4\ngrace,2,12.25\nlinus,1,12.0\n"
    );
    assert!(p.run(&["run"]).stdout.contains("0 created, 0 replaced, 2 unchanged"));
}

#[test]
fn init_overwrites_nothing_without_force() {
    let p = Project::new();
    p.run(&["init"]).ok();
    p.write("data/sample.csv", "order_id,customer,ordered_on,amount\n9,zoe,2024-03-01,1.00\n");
    p.run(&["init"]).fails(2, &["duckalog.toml", "data/sample.csv", "--force"]);
    assert!(std::fs::read_to_string(p.path("data/sample.csv")).unwrap().contains("zoe"));
    // One existing file is enough to write none.
    std::fs::remove_file(p.path("duckalog.toml")).unwrap();
    p.run(&["init"]).fails(2, &["data/sample.csv"]);
    assert!(!p.path("duckalog.toml").exists());
    p.run(&["init", "--force"]).ok();
    assert!(!std::fs::read_to_string(p.path("data/sample.csv")).unwrap().contains("zoe"));
    p.run(&["run"]).ok();
    // A file where the data folder goes: nothing is written either.
    let q = Project::new();
    q.write("data", "not a folder");
    q.run(&["init"]).fails(1, &["cannot create folder", "data", "nothing written"]);
    assert!(!q.path("duckalog.toml").exists());
}

#[test]
fn a_yaml_project_runs_too_wherever_it_is_written() {
    let p = Project::new();
    p.run(&["init", "--format", "yaml"]).ok();
    assert!(std::fs::read_to_string(p.path("duckalog.yaml")).unwrap().contains("#   postgres:"));
    p.run(&["run", "duckalog.yaml"]).ok();
    assert!(revenue(&p, "duckalog.yaml").contains("ada,2,62.4"));
    // The format follows --output; the data goes beside the config.
    let out = p.run(&["init", "--output", "elsewhere/catalog.yml"]);
    out.ok();
    assert!(out.stdout.contains("--config elsewhere/catalog.yml"), "{}", out.stdout);
    assert!(p.path("elsewhere/data/sample.csv").is_file());
    p.run(&["run", "-c", "elsewhere/catalog.yml"]).ok();
    assert!(p.path("elsewhere/catalog.duckdb").is_file());
    assert!(revenue(&p, "elsewhere/catalog.yml").contains("linus,1,12.0"));
}

#[test]
fn json_and_unknown_formats_are_refused() {
    let p = Project::new();
    p.run(&["init", "--format", "json"]).fails(2, &["comments"]);
    p.run(&["init", "-o", "x.ini"]).fails(2, &["x.ini"]);
    p.run(&["init", "-o", "x.yaml", "--format", "toml"]).fails(2, &["x.yaml", "--format"]);
    assert!(std::fs::read_dir(p.dir.path()).unwrap().next().is_none(), "something was written");
}
