//! Connector plugins loaded at run time: the MySQL plugin attaching a real
//! MariaDB server, and every way a plugin can be wrong.

use crate::common;
use common::Project;
use std::path::PathBuf;

/// Copies a built plugin library into `<project>/<dir>/`.
fn install(p: &Project, lib: &str, dir: &str) -> PathBuf {
    let built = PathBuf::from(
        std::env::var("DUCKALOG_TEST_PLUGINS")
            .expect("DUCKALOG_TEST_PLUGINS is not set: run the tests through scripts/test"),
    );
    let file = format!("lib{lib}.so");
    let to = p.path(dir).join(&file);
    std::fs::create_dir_all(p.path(dir)).unwrap();
    std::fs::copy(built.join(&file), &to).unwrap();
    to
}

fn mysql_config(password: &str) -> String {
    let port = std::env::var("DUCKALOG_TEST_MYSQL_PORT")
        .expect("DUCKALOG_TEST_MYSQL_PORT is not set: run the tests through scripts/test");
    format!(
        r#"
plugin_dirs = ["plugins"]

[duckdb]
database = "cat.duckdb"

[[attachments.mysql]]
alias = "shop"
host = "127.0.0.1"
port = {port}
database = "shop"
user = "duckalog"
password = "{password}"

[[views]]
name = "items"
source = "mysql"
database = "shop"
table = "items"
"#
    )
}

#[test]
fn the_mysql_plugin_attaches_a_real_server() {
    let p = Project::new();
    install(&p, "duckalog_connector_mysql", "plugins");
    p.write("duckalog.toml", &mysql_config("duckalog-test"));
    let out = p.run(&["connectors"]);
    out.ok();
    assert!(out.stdout.contains("| mysql    | plugin 0.1.0 ("), "{}", out.stdout);
    assert!(out.stdout.contains("mysql_scanner"), "{}", out.stdout);
    p.run(&["run"]).ok();
    let out = p.run(&[
        "run",
        "-q",
        "SELECT string_agg(name, '|' ORDER BY id) AS n FROM items",
        "--format",
        "csv",
    ]);
    out.ok();
    assert_eq!(out.stdout, "n\npen|ink|nib\n");

    // A wrong password names the attachment and hides the password.
    p.write("duckalog.toml", &mysql_config("WrongMysqlMarker9"));
    let out = p.run_env(&["run", "--force-rebuild", "-vvv"], &[("RUST_LOG", "trace")]);
    out.fails(3, &["attachment \"shop\" (mysql)"]);
    assert!(
        !out.stderr.contains("WrongMysqlMarker9") && !out.stdout.contains("WrongMysqlMarker9"),
        "{}",
        out.stderr
    );
}

#[test]
fn without_the_plugin_the_kind_is_unknown() {
    let p = Project::new();
    p.write("duckalog.toml", &mysql_config("x").replace("plugin_dirs = [\"plugins\"]", ""));
    p.run(&["validate"])
        .fails(2, &["attachments.mysql", "no connector for attachment kind \"mysql\""]);
    // The command line can name the folder instead.
    install(&p, "duckalog_connector_mysql", "elsewhere");
    p.run(&["validate", "--plugin-dir", "elsewhere"]).ok();
}

const FAULTY: &str =
    "plugin_dirs = [\"plugins\"]\n[[attachments.faulty]]\nalias = \"f\"\ntimeout = 2\n";

/// The fault fails `validate`, and `run`, which then leaves no database file.
fn faulty(p: &Project, mode: &str, words: &[&str]) {
    p.write("duckalog.toml", FAULTY);
    let out = p.run_env(&["validate"], &[("DUCKALOG_FAULTY_MODE", mode)]);
    out.fails(2, words);
    p.write("duckalog.toml", &format!("{FAULTY}[duckdb]\ndatabase = \"cat.duckdb\"\n"));
    let out = p.run_env(&["run"], &[("DUCKALOG_FAULTY_MODE", mode)]);
    out.fails(2, words);
    assert!(!p.path("cat.duckdb").exists(), "{mode}: run left a database file");
}

#[test]
fn faulty_plugins_are_clear_errors_not_crashes() {
    let p = Project::new();
    install(&p, "duckalog_connector_faulty", "plugins");
    p.write("duckalog.toml", FAULTY);
    p.run(&["validate"]).ok();
    faulty(&p, "wrong-abi", &["plugin_dirs", "built for plugin ABI 999", "speaks ABI 1"]);
    faulty(
        &p,
        "panic",
        &["attachments.faulty[0]", "the plugin raised a panic: deliberate failure"],
    );
    faulty(&p, "bad-json", &["attachments.faulty[0]", "returned invalid JSON"]);
    faulty(&p, "bad-spec", &["attachments.faulty[0]", "invalid option"]);
    // A plugin that never returns costs the attachment's timeout, no more.
    let start = std::time::Instant::now();
    faulty(&p, "hang", &["attachments.faulty[0]", "did not return within 2s"]);
    let took = start.elapsed();
    assert!(took < std::time::Duration::from_secs(8), "validate and run took {took:?}");
    p.write("duckalog.toml", FAULTY);

    std::fs::write(p.path("plugins/libnot_a_plugin.so"), b"\x7fELF but not really").unwrap();
    p.run(&["validate"]).fails(2, &["plugin_dirs", "libnot_a_plugin.so", "not a loadable library"]);
    std::fs::remove_file(p.path("plugins/libnot_a_plugin.so")).unwrap();

    // A real library that is not a plugin, built here.
    let source = p.write("plain.c", "int answer(void) { return 42; }\n");
    let built = std::process::Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(p.path("plugins/libplain.so"))
        .arg(&source)
        .status()
        .expect("a C compiler (cc) runs");
    assert!(built.success());
    p.run(&["validate"]).fails(2, &["libplain.so", "not a duckalog connector plugin"]);
    std::fs::remove_file(p.path("plugins/libplain.so")).unwrap();

    // Two connectors claiming one kind.
    install(&p, "duckalog_connector_mysql", "plugins");
    let out = p.run_env(&["validate"], &[("DUCKALOG_FAULTY_KIND", "mysql")]);
    out.fails(2, &["connector kind \"mysql\" is claimed twice"]);
    let out = p.run_env(&["validate"], &[("DUCKALOG_FAULTY_KIND", "sqlite")]);
    out.fails(2, &["connector kind \"sqlite\" is claimed twice", "built-in"]);
}

#[test]
fn the_default_binary_does_not_hold_the_plugin_code() {
    let binary = std::fs::read(env!("CARGO_BIN_EXE_duckalog")).unwrap();
    let needle = b"mysql attachments take";
    assert!(
        !binary.windows(needle.len()).any(|w| w == needle),
        "the MySQL plugin's code is linked into duckalog"
    );
    let plugin = std::fs::read(
        PathBuf::from(std::env::var("DUCKALOG_TEST_PLUGINS").unwrap())
            .join("libduckalog_connector_mysql.so"),
    )
    .unwrap();
    assert!(
        plugin.windows(needle.len()).any(|w| w == needle),
        "the probe string is not in the plugin either"
    );
}
