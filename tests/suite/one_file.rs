//! A one-file build (DUCKALOG_EMBED_EXTENSIONS at build time) runs with no
//! extension directory at all: the embedded extension is unpacked once into
//! the user's cache and loaded from there.

use crate::common;
use common::Project;
use std::process::Command;

#[test]
fn an_embedded_extension_needs_no_extension_directory() {
    let bin = std::env::var("DUCKALOG_TEST_ONE_FILE_BIN")
        .expect("DUCKALOG_TEST_ONE_FILE_BIN is not set: run the tests through scripts/test");
    let p = Project::new();
    p.fixtures();
    p.write("duckalog.toml", "[duckdb]\ndatabase = \"cat.duckdb\"\n[[attachments.sqlite]]\nalias = \"legacy\"\npath = \"data/legacy.sqlite\"\n");
    let empty = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(&bin)
            .args(args)
            .current_dir(p.dir.path())
            .env("DUCKALOG_EXTENSION_DIR", empty.path())
            .env("XDG_CACHE_HOME", cache.path())
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        run(&["run", "-q", "SELECT count(*) AS n FROM legacy.accounts", "--format", "csv"]),
        "n\n3\n"
    );
    let folders: Vec<_> =
        std::fs::read_dir(cache.path().join("duckalog/embedded/v1.5.5/linux_amd64"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    let unpacked = folders[0].join("sqlite_scanner.duckdb_extension");
    let first = std::fs::metadata(&unpacked).unwrap().modified().unwrap();
    run(&["run"]);
    assert_eq!(std::fs::metadata(&unpacked).unwrap().modified().unwrap(), first, "unpacked again");
    assert!(run(&["extensions"]).contains("| sqlite_scanner | embedded"));

    // The default build embeds nothing.
    let out = p.run_env(&["run"], &[("DUCKALOG_EXTENSION_DIR", empty.path().to_str().unwrap())]);
    out.fails(3, &["sqlite_scanner.duckdb_extension does not exist"]);
}
