//! The Python package (python/): its wheel installed into a fresh venv with
//! DuckDB's Python client, `duckalog` on that venv's PATH, and
//! `duckalog.connect` giving the caller's duckdb the catalog's session.

use crate::common;
use common::{Pg, Project, S3Server};
use std::path::PathBuf;
use std::process::Command;

fn venv(var: &str) -> PathBuf {
    let dir = std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run the tests through scripts/test, which builds the wheel")
    });
    PathBuf::from(dir)
}

/// Runs `code` with the venv's Python in the project folder, with the test
/// extension directory and nothing of the caller's PATH but the system's.
fn python(p: &Project, venv_var: &str, code: &str) -> common::Out {
    let bin = venv(venv_var).join("bin");
    let out = Command::new(bin.join("python"))
        .args(["-c", code])
        .current_dir(p.dir.path())
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("DUCKALOG_EXTENSION_DIR", common::ext_dir())
        .output()
        .unwrap();
    common::Out::of(out)
}

fn python_ok(p: &Project, code: &str) -> String {
    python(p, "DUCKALOG_TEST_PACKAGE_VENV", code).ok().stdout.clone()
}

/// SQLite and PostgreSQL attachments and Parquet on S3 through a temporary
/// secret; `password` is the PostgreSQL password the config gives, `schema`
/// the PostgreSQL schema of table `users`.
fn config(pg: &Pg, s3: &S3Server, password: &str, schema: &str) -> String {
    format!(
        "[duckdb]\ndatabase = \"catalog.duckdb\"\n{}\n\
         [[attachments.sqlite]]\nalias = \"legacy\"\npath = \"data/legacy.sqlite\"\n\
         [[attachments.postgres]]\nalias = \"pg\"\nhost = \"127.0.0.1\"\nport = \"{}\"\n\
         database = \"postgres\"\nuser = \"{}\"\npassword = \"{password}\"\nconnect_timeout = 5\n\
         [[views]]\nname = \"accounts\"\nsource = \"sqlite\"\ndatabase = \"legacy\"\ntable = \"accounts\"\n\
         [[views]]\nname = \"users\"\nsource = \"postgres\"\ndatabase = \"pg\"\ntable = \"{schema}.users\"\n\
         [[views]]\nname = \"orders\"\nsource = \"parquet\"\nuri = \"s3://pypkg/orders.parquet\"\n",
        s3.secret_toml(),
        pg.port,
        pg.user
    )
}

/// A project whose config reads PostgreSQL schema `schema`, made for it.
fn project(pg: &Pg, s3: &S3Server, schema: &str) -> Project {
    let p = Project::new();
    p.fixtures();
    pg.execute(
        &p,
        &format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; \
             CREATE TABLE {schema}.users AS SELECT g AS id FROM generate_series(1, 4) g;"
        ),
    );
    s3.create_bucket("pypkg");
    s3.put("pypkg", "orders.parquet", &std::fs::read(p.path("data/orders.parquet")).unwrap());
    p.write("duckalog.toml", &config(pg, s3, &pg.password, schema));
    p
}

const COUNTS: &str = "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM users), \
    (SELECT sum(amount)::DOUBLE FROM orders)";

#[test]
fn connect_builds_the_catalog_and_hands_back_a_connection_of_the_callers_duckdb() {
    let (pg, s3) = (Pg::get(), S3Server::start());
    let p = project(&pg, &s3, "pypkg_connect");
    let out = python_ok(
        &p,
        &format!(
            "import duckdb, duckalog, shutil\n\
             con = duckalog.connect('duckalog.toml')\n\
             assert isinstance(con, duckdb.DuckDBPyConnection), type(con)\n\
             print(con.execute(\"{COUNTS}\").fetchone())\n\
             print(shutil.which('duckalog') == duckalog.binary())\n"
        ),
    );
    assert_eq!(out, "(3, 4, 8.0)\nTrue\n");
    assert!(p.path("catalog.duckdb").exists());
    assert!(!out.contains(&pg.password) && !out.contains("test-secret"));

    // duckalog is on the venv's PATH, and is the binary this build made.
    let bin = venv("DUCKALOG_TEST_PACKAGE_VENV").join("bin/duckalog");
    let version = Command::new(bin).arg("version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).contains("DuckDB v1.5.5"));
}

#[test]
fn a_read_only_connection_changes_nothing_and_refuses_writes() {
    let (pg, s3) = (Pg::get(), S3Server::start());
    let p = project(&pg, &s3, "pypkg_read_only");
    let missing = python(
        &p,
        "DUCKALOG_TEST_PACKAGE_VENV",
        "import duckalog\nduckalog.connect('duckalog.toml', read_only=True)",
    );
    missing.fails(1, &["DuckalogError", "catalog.duckdb does not exist", "duckalog run"]);
    assert!(!p.path("catalog.duckdb").exists(), "a read-only connect wrote the catalog");

    p.run(&["run"]).ok();
    let before = std::fs::read(p.path("catalog.duckdb")).unwrap();
    let out = python_ok(
        &p,
        &format!(
            "import duckdb, duckalog\n\
             con = duckalog.connect('duckalog.toml', read_only=True)\n\
             print(con.execute(\"{COUNTS}\").fetchone())\n\
             try:\n    con.execute('CREATE TABLE t (i INT)')\n\
             except duckdb.Error as e:\n    print('refused:', 'read-only' in str(e))\n"
        ),
    );
    assert_eq!(out, "(3, 4, 8.0)\nrefused: True\n");
    assert_eq!(std::fs::read(p.path("catalog.duckdb")).unwrap(), before);
}

#[test]
fn the_python_tools_connect_to_catalog_works_as_written_for_it() {
    let (pg, s3) = (Pg::get(), S3Server::start());
    let p = project(&pg, &s3, "pypkg_alias");
    let out = python_ok(
        &p,
        "from duckalog import connect_to_catalog\n\
         with connect_to_catalog(config_path='duckalog.toml', database_path='other.duckdb', read_only=False) as catalog:\n\
         \x20   con = catalog.get_connection()\n\
         \x20   assert con is catalog.get_connection()\n\
         \x20   print(con.execute('SELECT count(*) FROM accounts').fetchone()[0])\n\
         print(catalog._con is None)\n",
    );
    assert_eq!(out, "3\nTrue\n");
    assert!(p.path("other.duckdb").exists() && !p.path("catalog.duckdb").exists());
}

#[test]
fn failures_are_one_line_errors_without_secret_values() {
    let (pg, s3) = (Pg::get(), S3Server::start());
    let p = project(&pg, &s3, "pypkg_failures");
    p.run(&["run"]).ok();

    // PostgreSQL unreachable when the session is replayed: postgres_scanner
    // quotes the connection string, password and all, in its message.
    let closed = common::closed_port();
    let config = config(&pg, &s3, "pypkg-pass-4c1f", "pypkg_failures")
        .replace(&pg.port, &closed.port.to_string());
    p.write("down.toml", &config);
    let code = "import duckalog\n\
        try:\n    duckalog.connect('down.toml', read_only=True)\n\
        except duckalog.DuckalogError as e:\n\
        \x20   import traceback\n    traceback.print_exc()\n    print(repr(e), e.exit_code, e.__context__)\n";
    let out = python(&p, "DUCKALOG_TEST_PACKAGE_VENV", code);
    let text = format!("{}{}", out.ok().stdout, out.stderr);
    assert!(text.contains("attachment \"pg\" (postgres)"), "{text}");
    assert!(text.contains("None None"), "the error keeps DuckDB's exception: {text}");
    for value in ["pypkg-pass-4c1f", "test-secret", pg.password.as_str()] {
        assert!(!text.contains(value), "{value} in:\n{text}");
    }

    // A bad config: the binary's error, with its exit code.
    p.write("bad.toml", "[duckdb]\ndatabase = 3\n");
    let code = "import duckalog\n\
        try:\n    duckalog.connect('bad.toml')\n\
        except duckalog.DuckalogError as e:\n    print(e.exit_code, e)\n";
    let out = python_ok(&p, code);
    assert!(out.starts_with("2 bad.toml") && out.contains("duckdb.database"), "{out}");
}

#[test]
fn another_duckdb_version_is_told_which_one_the_catalog_needs() {
    let (pg, s3) = (Pg::get(), S3Server::start());
    let p = project(&pg, &s3, "pypkg_version");
    let code = "import duckalog\n\
        try:\n    duckalog.connect('duckalog.toml')\n\
        except duckalog.IncompatibleDuckDBError as e:\n    print(e)\n";
    let out = python(&p, "DUCKALOG_TEST_PACKAGE_OTHER_VENV", code);
    let text = &out.ok().stdout;
    for words in ["duckdb 1.5.6", "DuckDB 1.5.5", "pip install duckdb==1.5.5"] {
        assert!(text.contains(words), "{words:?} not in {text}");
    }
    assert!(!text.contains(&pg.password) && !text.contains("test-secret"), "{text}");
}

#[test]
fn an_unavailable_optional_attachment_is_left_out_with_a_warning() {
    let p = Project::new();
    p.fixtures();
    p.write(
        "duckalog.toml",
        "[duckdb]\ndatabase = \"catalog.duckdb\"\n\
         [[attachments.sqlite]]\nalias = \"legacy\"\npath = \"data/legacy.sqlite\"\n\
         [[attachments.duckdb]]\nalias = \"gone\"\npath = \"data/gone.duckdb\"\nrequired = false\n\
         [[views]]\nname = \"accounts\"\nsource = \"sqlite\"\ndatabase = \"legacy\"\ntable = \"accounts\"\n",
    );
    let code = "import warnings, duckalog\n\
        with warnings.catch_warnings(record=True) as seen:\n\
        \x20   warnings.simplefilter('always')\n\
        \x20   con = duckalog.connect('duckalog.toml')\n\
        print(con.execute('SELECT count(*) FROM accounts').fetchone()[0])\n\
        print(any('gone' in str(w.message) and 'optional' in str(w.message) for w in seen))\n";
    assert_eq!(python_ok(&p, code), "3\nTrue\n");
}
