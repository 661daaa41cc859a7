//! Every config error names the file, the key path (and the line where the
//! parser gives one) and exits with 2, without touching a database.

use crate::common;
use common::Project;

fn check(file: &str, text: &str, words: &[&str]) {
    let p = Project::new();
    p.write(file, text);
    let out = p.run(&["validate", file]);
    out.fails(2, words);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert_eq!(out.stderr.trim_end().lines().count(), 1, "not one line:\n{}", out.stderr);
    assert!(out.stderr.contains(file), "{}", out.stderr);
    // run fails the same way, and leaves no database behind.
    let text = text.replace("database = \"cat.duckdb\"", "");
    p.write(file, &text);
    p.run(&["run", file]).fails(2, &[]);
    assert!(!p.path("cat.duckdb").exists());
}

#[test]
fn unknown_keys_name_the_key_and_line() {
    check(
        "duckalog.toml",
        "version = 1\n\n[[views]]\nname = \"a\"\nsql = \"SELECT 1\"\nsql_fil = \"x.sql\"\n",
        &["views[0].sql_fil (line 6, column 1)", "unknown field `sql_fil`"],
    );
    check(
        "c.yaml",
        "version: 1\nviews:\n  - name: a\n    sql: SELECT 1\n    colour: red\n",
        &["views[0].colour (line 5", "unknown field `colour`"],
    );
    check(
        "c.json",
        "{\"version\": 1, \"duckdb\": {\"databse\": \"x\"}}",
        &["duckdb.databse (line 1", "unknown field `databse`"],
    );
    check(
        "c.toml",
        "[[attachments.duckdb]]\nalias = \"a\"\npath = \"a.duckdb\"\nreadonly = true\n",
        &["attachments.duckdb[0].readonly", "unknown field `readonly`"],
    );
}

#[test]
fn syntax_and_type_errors_name_the_line() {
    check("c.toml", "version = 1\n[duckdb\n", &["(line 2, column", "invalid table header"]);
    check("c.yaml", "version: 1\nviews: [\n", &["(line 3"]);
    check("c.json", "{\"version\": 1,}", &["(line 1, column 15)"]);
    check("c.toml", "version = \"one\"\n", &["version (line 1", "whole number"]);
    check(
        "c.toml",
        "[[views]]\nname = 3\nsql = \"SELECT 1\"\n",
        &["views[0].name (line 2", "invalid type"],
    );
}

#[test]
fn duplicates_and_dangling_references() {
    check(
        "c.toml",
        "[[views]]\nname = \"Users\"\nsql = \"SELECT 1\"\n[[views]]\nname = \"users\"\ndb_schema = \"main\"\nsql = \"SELECT 2\"\n",
        &["views[1].name", "already defined by views[0]"],
    );
    check(
        "c.toml",
        "[[attachments.duckdb]]\nalias = \"a\"\npath = \"a.duckdb\"\n[[attachments.sqlite]]\nalias = \"A\"\npath = \"a.db\"\n",
        &["attachments.sqlite[0].alias", "already used by attachments.duckdb[0]"],
    );
    check(
        "c.toml",
        "[[views]]\nname = \"v\"\nsource = \"sqlite\"\ndatabase = \"nope\"\ntable = \"t\"\n",
        &["views[0].database", "no attachment has alias \"nope\""],
    );
    check(
        "c.toml",
        "[[attachments.oracle]]\nalias = \"o\"\n",
        &["attachments.oracle", "no connector for attachment kind \"oracle\""],
    );
}

#[test]
fn invalid_option_keys_and_definitions() {
    check(
        "c.toml",
        "[[views]]\nname = \"v\"\nsource = \"csv\"\nuri = \"x.csv\"\n[views.options]\n\"a=1) ; DROP TABLE x; --\" = 1\n",
        &["views[0].options.a=1) ; DROP TABLE x; --", "plain words"],
    );
    check(
        "c.toml",
        "[[views]]\nname = \"v\"\n",
        &["views[0]", "needs sql, sql_file, sql_template or a source"],
    );
    check(
        "c.toml",
        "[[views]]\nname = \"v\"\nsource = \"parquet\"\n",
        &["views[0].uri", "needs a uri"],
    );
    check(
        "c.toml",
        "[[views]]\nname = \"v\"\nsql = \"SELECT 1\"\nsql_file = \"x.sql\"\n",
        &["views[0]", "only one of sql, sql_file"],
    );
    check(
        "c.toml",
        "[[views]]\nname = \"\"\nsql = \"SELECT 1\"\n",
        &["views[0].name", "must not be empty"],
    );
    check(
        "c.toml",
        "[[views]]\nname = \"v\"\nsql_file = \"missing.sql\"\n",
        &["views[0].sql_file", "missing.sql not found"],
    );
    check(
        "c.toml",
        "[duckdb]\nsettings = [\"threads = 4\"]\n",
        &["duckdb.settings[0]", "SET statements"],
    );
}

#[test]
fn view_sql_is_parsed_by_validate() {
    check(
        "c.toml",
        "[[views]]\nname = \"v\"\nsql = \"SELEC 1\"\n",
        &["views[0]", "invalid SQL", "syntax error"],
    );
    check(
        "c.toml",
        "[[views]]\nname = \"v\"\nsql = \"SELECT 1; DROP TABLE t\"\n",
        &["views[0]", "exactly one SELECT"],
    );
    check(
        "c.toml",
        "[[views]]\nname = \"a\"\nsql = \"SELECT * FROM b\"\n[[views]]\nname = \"b\"\nsql = \"SELECT * FROM a\"\n",
        &["cycle", "\"main\".\"a\" -> \"main\".\"b\" -> \"main\".\"a\""],
    );
}

#[test]
fn environment_variables() {
    check(
        "c.toml",
        "[duckdb]\ndatabase = \"${env:DUCKALOG_TEST_UNSET_VAR}\"\n",
        &["duckdb.database", "DUCKALOG_TEST_UNSET_VAR is not set"],
    );
    let p = Project::new();
    p.write(
        "c.toml",
        "[[views]]\nname = \"${env:DKL_NAME:fallback}\"\nsql = \"SELECT ${env:DKL_N} AS n\"\n",
    );
    let out = p.run_env(
        &["run", "c.toml", "-q", "SELECT n FROM fallback", "--format", "csv"],
        &[("DKL_N", "42")],
    );
    out.ok();
    assert_eq!(out.stdout, "n\n42\n");
}

#[test]
fn missing_and_unreadable_config_files() {
    let p = Project::new();
    p.run(&["validate"]).fails(2, &["duckalog.toml", "config file not found"]);
    p.write("c.ini", "x");
    p.run(&["validate", "c.ini"]).fails(2, &["c.ini", "unknown config format"]);
    std::fs::create_dir(p.path("dir.toml")).unwrap();
    p.run(&["validate", "dir.toml"]).fails(2, &["dir.toml", "directory"]);
    std::fs::write(p.path("bin.toml"), b"version = 1\nname = \"\xff\"\n").unwrap();
    p.run(&["validate", "bin.toml"]).fails(2, &["bin.toml", "line 2", "not valid UTF-8"]);
    p.write("a.toml", "");
    p.run(&["validate", "a.toml", "--config", "a.toml"]).fails(2, &["not both"]);
}
