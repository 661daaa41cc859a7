//! End-to-end: config -> restored session -> reconciled catalog, through the
//! real binary, read back with DuckDB.

use crate::common;
use common::Project;

const BASE: &str = r#"
version = 1

[duckdb]
database = "cat.duckdb"

[[attachments.duckdb]]
alias = "shop"
path = "data/shop.duckdb"

[[attachments.sqlite]]
alias = "legacy"
path = "data/legacy.sqlite"

[[views]]
name = "orders"
source = "parquet"
uri = "data/orders.parquet"
description = "order lines"

[[views]]
name = "people"
source = "csv"
uri = "data/people.csv"
options = { header = true }

[[views]]
name = "events"
db_schema = "raw"
source = "json"
uri = "data/events.json"

[[views]]
name = "items"
source = "duckdb"
database = "shop"
table = "items"

[[views]]
name = "accounts"
source = "sqlite"
database = "legacy"
table = "accounts"
"#;

fn project(extra: &str) -> Project {
    let p = Project::new();
    p.fixtures();
    p.write("duckalog.toml", &format!("{BASE}{extra}"));
    p
}

fn count(p: &Project, sql: &str) -> String {
    let out = p.run(&["run", "--query", sql, "--format", "csv"]);
    out.ok();
    out.stdout.lines().nth(1).unwrap_or_default().to_string()
}

#[test]
fn every_source_kind_is_queryable_on_a_second_run() {
    let p = project("");
    let out = p.run(&["run"]);
    out.ok();
    assert!(out.stdout.contains("5 created, 0 replaced, 0 unchanged"), "{}", out.stdout);
    // A new process: the attachments must be restored for these to work.
    assert_eq!(count(&p, "SELECT count(*) FROM orders"), "3");
    assert_eq!(count(&p, "SELECT count(*) FROM people"), "2");
    assert_eq!(count(&p, "SELECT count(*) FROM raw.events"), "4");
    assert_eq!(count(&p, "SELECT string_agg(name, '|' ORDER BY name) FROM items"), "ink|pen");
    assert_eq!(count(&p, "SELECT count(*) FROM accounts"), "3");
    let views = p.views("cat.duckdb");
    let names: Vec<_> = views.iter().map(|(s, n, _)| format!("{s}.{n}")).collect();
    assert_eq!(names, ["main.accounts", "main.items", "main.orders", "main.people", "raw.events"]);
    let c = p.duckdb(Some("cat.duckdb"));
    let comment: String = c
        .query_row("SELECT comment FROM duckdb_views() WHERE view_name = 'orders'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(comment, "order lines");
}

#[test]
fn a_second_run_executes_no_ddl() {
    let p = project("");
    p.run(&["run"]).ok();
    let before = p.state("cat.duckdb");
    let out = p.run(&["run", "-vv"]);
    out.ok();
    assert!(out.stdout.contains("0 created, 0 replaced, 5 unchanged, 0 dropped"), "{}", out.stdout);
    for word in ["CREATE", "DROP", "COMMENT ON", "BEGIN", "INSERT", "DELETE"] {
        assert!(!out.stderr.contains(word), "a no-op run executed {word}:\n{}", out.stderr);
    }
    // The session itself was restored: the log shows the attachments.
    assert!(out.stderr.contains("ATTACH IF NOT EXISTS"), "{}", out.stderr);
    assert_eq!(p.state("cat.duckdb"), before);
}

#[test]
fn a_changed_view_is_replaced_and_an_added_one_created_without_touching_the_others() {
    let p =
        project("\n[[views]]\nname = \"big\"\nsql = \"SELECT * FROM orders WHERE amount > 2\"\n");
    p.run(&["run"]).ok();
    let before = p.state("cat.duckdb");
    assert_eq!(count(&p, "SELECT count(*) FROM big"), "2");

    p.write(
        "duckalog.toml",
        &format!(
            "{BASE}\n[[views]]\nname = \"big\"\nsql = \"SELECT * FROM orders WHERE amount > 3\"\n"
        ),
    );
    let out = p.run(&["run"]);
    out.ok();
    assert!(out.stdout.contains("0 created, 1 replaced, 5 unchanged"), "{}", out.stdout);
    assert_eq!(count(&p, "SELECT count(*) FROM big"), "1");
    let after = p.state("cat.duckdb");
    let untouched = |s: &Vec<(String, String, String, String)>| {
        s.iter().filter(|r| r.1 != "big").cloned().collect::<Vec<_>>()
    };
    assert_eq!(untouched(&before), untouched(&after));

    p.write(
        "duckalog.toml",
        &format!("{BASE}\n[[views]]\nname = \"big\"\nsql = \"SELECT * FROM orders WHERE amount > 3\"\n[[views]]\nname = \"small\"\nsql = \"SELECT 1 AS one\"\n"),
    );
    let out = p.run(&["run", "-vv"]);
    out.ok();
    assert!(out.stdout.contains("1 created, 0 replaced, 6 unchanged"), "{}", out.stdout);
    assert_eq!(out.stderr.matches("CREATE OR REPLACE VIEW").count(), 1, "{}", out.stderr);
    let last: Vec<_> = p.state("cat.duckdb").into_iter().filter(|r| r.1 != "small").collect();
    assert_eq!(after, last, "the existing views were touched");
}

#[test]
fn removed_views_are_kept_until_prune() {
    let p = project("\n[[views]]\nname = \"extra\"\nsql = \"SELECT 1 AS x\"\n");
    p.run(&["run"]).ok();
    p.write("duckalog.toml", BASE);
    let out = p.run(&["run"]);
    out.ok();
    assert!(out.stdout.contains("1 no longer configured, kept"), "{}", out.stdout);
    assert!(out.stderr.contains("\"main\".\"extra\" is no longer configured"), "{}", out.stderr);
    assert!(p.views("cat.duckdb").iter().any(|v| v.1 == "extra"));

    let plan = p.run(&["plan", "--prune"]);
    plan.ok();
    assert!(plan.stdout.contains("- drop      \"main\".\"extra\""), "{}", plan.stdout);

    let out = p.run(&["run", "--prune"]);
    out.ok();
    assert!(out.stdout.contains("0 created, 0 replaced, 5 unchanged, 1 dropped"), "{}", out.stdout);
    assert!(!p.views("cat.duckdb").iter().any(|v| v.1 == "extra"));
    assert!(!p.state("cat.duckdb").iter().any(|v| v.1 == "extra"));

    // A managed view that someone replaced with a table since: --prune
    // forgets it and leaves the table alone.
    p.write(
        "duckalog.toml",
        &format!("{BASE}\n[[views]]\nname = \"later\"\nsql = \"SELECT 1 AS x\"\n"),
    );
    p.run(&["run"]).ok();
    p.duckdb(Some("cat.duckdb"))
        .execute_batch("DROP VIEW later; CREATE TABLE later AS SELECT 7 AS x")
        .unwrap();
    p.write("duckalog.toml", BASE);
    p.run(&["run", "--prune"]).ok();
    assert!(!p.state("cat.duckdb").iter().any(|v| v.1 == "later"));
    let out = p.run(&["run", "--prune", "-q", "SELECT x FROM later", "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "x\n7\n");
}

#[test]
fn views_duckalog_did_not_create_are_left_alone_until_force_rebuild() {
    let p = project("\n[[views]]\nname = \"mine\"\nsql = \"SELECT 2 AS v\"\n");
    {
        let c = p.duckdb(Some("cat.duckdb"));
        c.execute_batch("CREATE VIEW mine AS SELECT 1 AS v").unwrap();
    }
    let out = p.run(&["run"]);
    out.ok();
    assert!(
        out.stderr.contains("\"main\".\"mine\" exists but was not created by duckalog"),
        "{}",
        out.stderr
    );
    assert_eq!(count(&p, "SELECT v FROM mine"), "1");

    let out = p.run(&["run", "--force-rebuild"]);
    out.ok();
    // Every configured view exists, its own five and the foreign one: all are rebuilt.
    assert!(out.stdout.contains("0 created, 6 replaced"), "{}", out.stdout);
    assert_eq!(count(&p, "SELECT v FROM mine"), "2");
    // Taken over: the next run sees it as current.
    let out = p.run(&["run"]);
    assert!(out.stdout.contains("0 created, 0 replaced, 6 unchanged"), "{}", out.stdout);
}

#[test]
fn force_rebuild_and_build_recreate_every_view() {
    let p = project("");
    p.run(&["run"]).ok();
    let out = p.run(&["run", "--force-rebuild"]);
    out.ok();
    assert!(out.stdout.contains("0 created, 5 replaced, 0 unchanged"), "{}", out.stdout);
    let out = p.run(&["build"]);
    out.ok();
    assert!(out.stdout.contains("0 created, 5 replaced, 0 unchanged"), "{}", out.stdout);
    assert_eq!(count(&p, "SELECT count(*) FROM accounts"), "3");
}

#[test]
fn views_are_created_in_dependency_order_whatever_the_config_order() {
    let p = Project::new();
    p.write(
        "duckalog.toml",
        r#"
[duckdb]
database = "cat.duckdb"

[[views]]
name = "top"
db_schema = "rep"
sql = "SELECT sum(x) AS total FROM rep.mid"

[[views]]
name = "mid"
db_schema = "rep"
sql = "WITH base AS (SELECT * FROM bottom) SELECT x * 2 AS x FROM base"

[[views]]
name = "bottom"
sql = "SELECT * FROM range(1, 4) t(x)"
"#,
    );
    p.run(&["run"]).ok();
    assert_eq!(count(&p, "SELECT total FROM rep.top"), "12");
}

#[test]
fn an_optional_attachment_whose_file_is_missing_is_skipped_with_its_views() {
    let p = Project::new();
    p.fixtures();
    let config = |required: bool| {
        format!(
            "[duckdb]\ndatabase = \"cat.duckdb\"\n\
             [[attachments.sqlite]]\nalias = \"gone\"\npath = \"data/gone.sqlite\"\nrequired = {required}\n\
             [[views]]\nname = \"from_gone\"\nsource = \"sqlite\"\ndatabase = \"gone\"\ntable = \"t\"\n\
             [[views]]\nname = \"over_it\"\nsql = \"SELECT * FROM from_gone\"\n\
             [[views]]\nname = \"kept\"\nsql = \"SELECT 1 AS x\"\n"
        )
    };
    p.write("duckalog.toml", &config(false));
    let out = p.run(&["run"]);
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(out.stderr.contains("gone.sqlite does not exist"), "{}", out.stderr);
    let names: Vec<String> = p.views("cat.duckdb").into_iter().map(|(_, n, _)| n).collect();
    assert_eq!(names, ["kept"]);
    p.write("duckalog.toml", &config(true));
    p.run(&["run"])
        .fails(3, &["attachment \"gone\" (sqlite)", "gone.sqlite does not exist", "create = true"]);
}

#[test]
fn an_alias_that_is_the_catalog_files_own_name_is_refused() {
    let p = Project::new();
    p.fixtures();
    p.write(
        "duckalog.toml",
        "[duckdb]\ndatabase = \"shop.duckdb\"\n[[attachments.duckdb]]\nalias = \"Shop\"\npath = \"data/shop.duckdb\"\n\
         [[views]]\nname = \"items\"\nsource = \"duckdb\"\ndatabase = \"Shop\"\ntable = \"items\"\n",
    );
    p.run(&["run"]).fails(
        2,
        &[
            "duckalog.toml: attachments.duckdb[0].alias",
            "\"Shop\" is the name DuckDB gives the catalog's own database file",
        ],
    );
    // The same check follows --db, which renames the catalog.
    p.write(
        "other.toml",
        &std::fs::read_to_string(p.path("duckalog.toml"))
            .unwrap()
            .replace("database = \"shop.duckdb\"", "database = \"cat.duckdb\""),
    );
    p.run(&["run", "other.toml"]).ok();
    p.run(&["run", "other.toml", "--db", "shop.duckdb"]).fails(2, &["is the name DuckDB gives"]);
}

#[test]
fn a_change_that_breaks_an_unchanged_reader_is_refused_whole() {
    let p = Project::new();
    let config = |base: &str, extra: &str| {
        format!(
            "[duckdb]\ndatabase = \"cat.duckdb\"\n{base}\
             [[views]]\nname = \"dep\"\nsql = \"SELECT x FROM base\"\n\
             [[views]]\nname = \"top\"\ndb_schema = \"rep\"\nsql = \"SELECT * FROM dep\"\n{extra}"
        )
    };
    let base = |col: &str| format!("[[views]]\nname = \"base\"\nsql = \"SELECT 1 AS {col}\"\n");
    p.write("duckalog.toml", &config(&base("x"), ""));
    p.run(&["run"]).ok();
    let (views, state) = (p.views("cat.duckdb"), p.state("cat.duckdb"));
    // base loses the column dep reads: dep, and top through it, would break.
    p.write("duckalog.toml", &config(&base("y"), ""));
    p.run(&["run"]).fails(
        3,
        &[
            "view \"main\".\"dep\" (duckalog.toml: views[1])",
            "reads a view this run replaces or drops",
            "change it as well",
        ],
    );
    assert_eq!((p.views("cat.duckdb"), p.state("cat.duckdb")), (views.clone(), state.clone()));
    // Dropping base with --prune, likewise.
    p.write("duckalog.toml", &config("", ""));
    p.run(&["run", "--prune"]).fails(3, &["view \"main\".\"dep\"", "no longer works"]);
    assert_eq!((p.views("cat.duckdb"), p.state("cat.duckdb")), (views, state));
    // A change that keeps the readers working goes through.
    p.write("duckalog.toml", &config("[[views]]\nname = \"base\"\nsql = \"SELECT 2 AS x\"\n", ""));
    let out = p.run(&["run", "-q", "SELECT x FROM rep.top", "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "x\n2\n");
}

#[test]
fn a_failing_view_leaves_the_catalog_exactly_as_before() {
    let p = project("");
    p.run(&["run"]).ok();
    let views = p.views("cat.duckdb");
    let state = p.state("cat.duckdb");
    p.write(
        "duckalog.toml",
        &format!(
            "{}\n[[views]]\nname = \"fresh\"\nsql = \"SELECT 1 AS a\"\n[[views]]\nname = \"broken\"\nsql = \"SELECT * FROM no_such_table\"\n",
            BASE.replace("options = { header = true }", "options = { header = false }")
        ),
    );
    let out = p.run(&["run"]);
    out.fails(3, &["view \"main\".\"broken\" (duckalog.toml: views[6])", "no_such_table"]);
    assert_eq!(p.views("cat.duckdb"), views);
    assert_eq!(p.state("cat.duckdb"), state);
}

#[test]
fn read_only_restores_the_session_and_refuses_changes() {
    let p = project("");
    p.run(&["run"]).ok();
    let out = p.run(&[
        "run",
        "--read-only",
        "--query",
        "SELECT count(*) AS n FROM accounts",
        "--format",
        "json",
    ]);
    out.ok();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json, serde_json::json!([{"n": 3}]));

    p.write(
        "duckalog.toml",
        &format!("{BASE}\n[[views]]\nname = \"late\"\nsql = \"SELECT 1 AS a\"\n"),
    );
    let before = p.views("cat.duckdb");
    p.run(&["run", "--read-only"]).fails(3, &["read-only", "\"main\".\"late\""]);
    assert_eq!(p.views("cat.duckdb"), before);

    let missing = Project::new();
    missing.write("duckalog.toml", "[duckdb]\ndatabase = \"nope.duckdb\"\n");
    missing.run(&["run", "--read-only"]).fails(6, &["nope.duckdb", "does not exist"]);
    assert!(!missing.path("nope.duckdb").exists());
}

#[test]
fn plan_touches_nothing_and_reports_each_view() {
    let p = project("");
    let out = p.run(&["plan", "--exit-code"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("+ create    \"main\".\"orders\""), "{}", out.stdout);
    assert!(
        out.stdout.contains("plan: 5 to create, 0 to replace, 0 unchanged, 0 to drop"),
        "{}",
        out.stdout
    );
    assert!(!p.path("cat.duckdb").exists(), "plan created the database");

    p.run(&["run"]).ok();
    p.write("duckalog.toml", &BASE.replace("header = true", "header = true, delim = ','"));
    let out = p.run(&["plan", "-v"]);
    out.ok();
    assert!(
        out.stdout.contains("~ replace   \"main\".\"people\" (definition changed)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("= unchanged \"main\".\"orders\""), "{}", out.stdout);
    p.run(&["run"]).ok();
    let out = p.run(&["plan", "--exit-code"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("plan: 0 to create, 0 to replace, 5 unchanged, 0 to drop"),
        "{}",
        out.stdout
    );
}

#[test]
fn dry_run_prints_what_run_would_execute_and_executes_nothing() {
    let p = project("");
    p.run(&["run"]).ok();
    let state = p.state("cat.duckdb");
    p.write("duckalog.toml", &BASE.replace("header = true", "header = true, delim = ','"));
    let out = p.run(&["run", "--dry-run"]);
    out.ok();
    assert!(out.stdout.contains("ATTACH IF NOT EXISTS"), "{}", out.stdout);
    assert!(
        out.stdout.contains("BEGIN TRANSACTION;\nCREATE OR REPLACE VIEW \"main\".\"people\" AS"),
        "{}",
        out.stdout
    );
    assert_eq!(out.stdout.matches("CREATE OR REPLACE VIEW").count(), 1, "{}", out.stdout);
    assert!(out.stdout.trim_end().ends_with("COMMIT;"), "{}", out.stdout);
    assert_eq!(p.state("cat.duckdb"), state);
    p.run(&["run"]).ok();
    let out = p.run(&["run", "--dry-run"]);
    assert!(out.stdout.contains("-- no view changes"), "{}", out.stdout);
}

#[test]
fn a_line_break_in_the_config_path_stays_in_the_scripts_comment() {
    let p = Project::new();
    p.write("odd\nDROP TABLE t;.toml", "[[views]]\nname = \"v\"\nsql = \"SELECT 1 AS x\"\n");
    let out = p.run(&["generate-sql", "odd\nDROP TABLE t;.toml"]);
    out.ok();
    assert!(out.stdout.lines().all(|l| !l.starts_with("DROP")), "{}", out.stdout);
    assert!(
        out.stdout.starts_with("-- ")
            && out.stdout.lines().next().unwrap().contains("odd\\nDROP TABLE t;.toml"),
        "{}",
        out.stdout
    );
}

#[test]
fn generate_sql_replays_into_a_fresh_duckdb() {
    let p = project("\n[[views]]\nname = \"joined\"\ndb_schema = \"rep\"\nsql = \"SELECT o.id, i.name FROM orders o JOIN items i USING (item_id)\"\n");
    let out = p.run(&["generate-sql"]);
    out.ok();
    let script = out.stdout;
    assert!(script.contains("CREATE SCHEMA IF NOT EXISTS \"rep\";"), "{script}");
    assert!(
        script.find("ATTACH IF NOT EXISTS").unwrap()
            < script.find("CREATE OR REPLACE VIEW").unwrap()
    );
    assert!(
        script.find("\"main\".\"items\" AS").unwrap()
            < script.find("\"rep\".\"joined\" AS").unwrap()
    );

    p.run(&["run"]).ok();
    let replayed = p.duckdb(Some("replay.duckdb"));
    replayed.execute_batch(&script).unwrap();
    drop(replayed);
    let strip = |v: Vec<(String, String, String)>| {
        v.into_iter().map(|(s, n, _)| (s, n)).collect::<Vec<_>>()
    };
    assert_eq!(strip(p.views("replay.duckdb")), strip(p.views("cat.duckdb")));
    let c = p.duckdb(Some("replay.duckdb"));
    c.execute_batch(&script).unwrap();
    let n: i64 = c.query_row("SELECT count(*) FROM rep.joined", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 3);
}

#[test]
fn a_missing_extension_fails_fast_naming_the_file() {
    let p = project("");
    p.run(&["run"]).ok();
    let (views, state) = (p.views("cat.duckdb"), p.state("cat.duckdb"));
    assert!(!views.is_empty());
    // A run that would change the catalog, and fails before it can.
    p.write(
        "duckalog.toml",
        &format!("{BASE}\n[[views]]\nname = \"later\"\nsql = \"SELECT 1 AS x\"\n"),
    );
    let empty = tempfile::tempdir().unwrap();
    let out = p.run_env(&["run"], &[("DUCKALOG_EXTENSION_DIR", empty.path().to_str().unwrap())]);
    out.fails(
        3,
        &[
            "extension sqlite_scanner",
            "v1.5.5/linux_amd64/sqlite_scanner.duckdb_extension",
            "does not exist",
        ],
    );
    // Never a partial catalog: the views and duckalog's records are as they were.
    assert_eq!(p.views("cat.duckdb"), views);
    assert_eq!(p.state("cat.duckdb"), state);
}

#[test]
fn a_missing_attachment_file_is_refused_not_created() {
    let p = Project::new();
    p.write("duckalog.toml", "[duckdb]\ndatabase = \"cat.duckdb\"\n[[attachments.duckdb]]\nalias = \"gone\"\npath = \"nowhere.duckdb\"\n");
    p.run(&["run"])
        .fails(3, &["attachment \"gone\"", "nowhere.duckdb does not exist", "create = true"]);
    assert!(!p.path("nowhere.duckdb").exists());
}

#[test]
fn version_and_help() {
    let p = Project::new();
    let out = p.run(&["--version"]);
    out.ok();
    assert!(
        out.stdout.starts_with("duckalog ") && out.stdout.contains("DuckDB v1.5.5"),
        "{}",
        out.stdout
    );
    assert_eq!(p.run(&["version"]).stdout, out.stdout);
    let help = p.run(&["--help"]);
    help.ok();
    for cmd in ["run", "build", "plan", "validate", "generate-sql"] {
        assert!(help.stdout.contains(cmd), "{}", help.stdout);
    }
    let run_help = p.run(&["run", "--help"]);
    run_help.ok();
    assert!(run_help.stdout.contains("--force-rebuild") && run_help.stdout.contains("--query"));
    let connectors = p.run(&["connectors"]);
    connectors.ok();
    for row in [
        "| postgres | built-in | postgres_scanner ",
        "| iceberg  | built-in | httpfs, avro, iceberg ",
    ] {
        assert!(connectors.stdout.contains(row), "{}", connectors.stdout);
    }
    p.run(&["run", "--bogus"]).fails(2, &["--bogus"]);
    p.run(&[]).fails(2, &["no command"]);
}

#[test]
fn build_prune_drops_what_is_no_longer_configured() {
    let p = project("\n[[views]]\nname = \"later\"\nsql = \"SELECT 1 AS x\"\n");
    p.run(&["build"]).ok();
    assert!(p.state("cat.duckdb").iter().any(|v| v.1 == "later"));
    p.write("duckalog.toml", BASE);
    let out = p.run(&["build"]);
    out.ok();
    assert!(out.stdout.contains("1 no longer configured, kept"), "{}", out.stdout);
    assert!(p.views("cat.duckdb").iter().any(|v| v.1 == "later"));
    let out = p.run(&["build", "--prune"]);
    out.ok();
    assert!(out.stdout.contains("0 created, 5 replaced, 0 unchanged, 1 dropped"), "{}", out.stdout);
    assert!(!p.views("cat.duckdb").iter().any(|v| v.1 == "later"));
    assert!(!p.state("cat.duckdb").iter().any(|v| v.1 == "later"));
}

#[test]
fn validate_writes_no_database_file() {
    let p = project("");
    p.write(
        "duckalog.toml",
        &BASE.replace("[duckdb]\n", "[duckdb]\nsecret_directory = \"secrets\"\n"),
    );
    p.run(&["validate"]).ok();
    let files: Vec<String> = std::fs::read_dir(p.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut files = files;
    files.sort();
    assert_eq!(files, ["data", "duckalog.toml"], "validate wrote a file");
}

/// Extensions, settings and pragmas live only as long as a session: every
/// process that opens the catalog gets them again, whichever command it is.
#[test]
fn pragmas_and_extensions_are_restored_in_every_process() {
    let p = Project::new();
    p.write(
        "duckalog.toml",
        "[duckdb]\ndatabase = \"cat.duckdb\"\ninstall_extensions = [\"postgres_scanner\"]\n\
         load_extensions = [\"sqlite\"]\n\
         pragmas = [\"SET threads = 3\", \"PRAGMA disable_object_cache\", \"SET errors_as_json = true\"]\n\
         [[views]]\nname = \"session\"\nsql = \"SELECT current_setting('threads') AS threads\"\n",
    );
    p.run(&["run"]).ok();
    let probe = "SELECT concat_ws('|', (SELECT threads FROM session), \
                 current_setting('enable_object_cache'), current_setting('errors_as_json'), \
                 (SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'sqlite_scanner'), \
                 (SELECT installed::VARCHAR || '/' || loaded::VARCHAR FROM duckdb_extensions() \
                  WHERE extension_name = 'postgres_scanner')) AS s";
    let expected = "s\n3|false|true|true|true/false\n";
    let out = p.run(&["query", probe, "--format", "csv"]);
    assert_eq!(out.ok().stdout, expected);
    let out = p.run(&["run", "-q", probe, "--format", "csv"]);
    assert_eq!(out.ok().stdout, expected);
    let out = p.run_stdin(&["run", "-i"], &format!("{probe};\n"));
    assert!(out.ok().stdout.contains("3|false|true|true|true/false"), "{}", out.stdout);
    // Without them in the config, the next process has DuckDB's defaults.
    p.write("duckalog.toml", "[duckdb]\ndatabase = \"cat.duckdb\"\n");
    let out = p.run(&["query", "SELECT current_setting('errors_as_json') AS j", "--format", "csv"]);
    assert_eq!(out.ok().stdout, "j\nfalse\n");
}
