//! `duckalog extensions`: what a config needs, installing from a folder, a
//! wheel or a bundle, and making bundles; wrong, damaged and missing files.

use crate::common;
use common::{ext_dir, Project};

const CONFIG: &str = "[[attachments.sqlite]]\nalias = \"l\"\npath = \"data/legacy.sqlite\"\n\
                      [[views]]\nname = \"o\"\nsource = \"parquet\"\nuri = \"data/orders.parquet\"\n";

fn file(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    dir.join("v1.5.5/linux_amd64").join(format!("{name}.duckdb_extension"))
}

#[test]
fn lists_what_the_config_needs_and_where_it_is() {
    let p = Project::new();
    p.write("duckalog.toml", CONFIG);
    let out = p.run(&["extensions"]);
    out.ok();
    assert!(out.stdout.contains("| sqlite_scanner | found (v1.5.5 linux_amd64,"), "{}", out.stdout);
    assert!(out.stdout.contains("| parquet        | compiled in"), "{}", out.stdout);
    let empty = tempfile::tempdir().unwrap();
    let out = p.run(&["extensions", "--extension-dir", empty.path().to_str().unwrap()]);
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert!(
        out.stdout.contains("MISSING")
            && out.stdout.contains(&file(empty.path(), "sqlite_scanner").display().to_string()),
        "{}",
        out.stdout
    );
}

#[test]
fn installs_from_a_folder_and_a_wheel() {
    let p = Project::new();
    p.fixtures();
    p.write("duckalog.toml", CONFIG);
    let source = p.path("incoming");
    std::fs::create_dir_all(&source).unwrap();
    std::fs::copy(
        file(&ext_dir(), "sqlite_scanner"),
        source.join("sqlite_scanner.duckdb_extension"),
    )
    .unwrap();
    let target = tempfile::tempdir().unwrap();
    let dir = target.path().to_str().unwrap();
    let out = p.run(&["extensions", "--extension-dir", dir, "install", "--from", "incoming"]);
    out.ok();
    assert!(file(target.path(), "sqlite_scanner").is_file(), "{}", out.stdout);
    p.run_env(&["run"], &[("DUCKALOG_EXTENSION_DIR", dir)]).ok();

    let wheels =
        std::path::PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/duckalog/wheels");
    let wheel = std::fs::read_dir(&wheels)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("duckdb_extension_httpfs-1.5.5"))
        .expect("scripts/fetch-extensions keeps the wheels");
    let out = p.run(&[
        "extensions",
        "--extension-dir",
        dir,
        "install",
        "--from",
        wheel.to_str().unwrap(),
    ]);
    out.ok();
    assert!(file(target.path(), "httpfs").is_file());
}

#[test]
fn bundles_carry_what_a_config_needs() {
    let p = Project::new();
    p.fixtures();
    p.write("duckalog.toml", CONFIG);
    let out = p.run(&["extensions", "bundle", "--out", "offline.tar.gz"]);
    out.ok();
    assert!(
        out.stdout.contains("1 extension(s) for DuckDB v1.5.5 on linux_amd64"),
        "{}",
        out.stdout
    );
    let target = tempfile::tempdir().unwrap();
    let dir = target.path().to_str().unwrap();
    p.run(&["extensions", "--extension-dir", dir, "install", "--from", "offline.tar.gz"]).ok();
    assert!(file(target.path(), "sqlite_scanner").is_file());
    p.run_env(
        &["run", "-q", "SELECT count(*) FROM l.accounts"],
        &[("DUCKALOG_EXTENSION_DIR", dir)],
    )
    .ok();

    // A damaged bundle installs nothing.
    let mut bytes = std::fs::read(p.path("offline.tar.gz")).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(p.path("damaged.tar.gz"), bytes).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let out = p.run(&[
        "extensions",
        "--extension-dir",
        fresh.path().to_str().unwrap(),
        "install",
        "--from",
        "damaged.tar.gz",
    ]);
    out.fails(3, &["damaged.tar.gz"]);
    assert!(!file(fresh.path(), "sqlite_scanner").exists());

    // A bundle cannot hold what is missing.
    let empty = tempfile::tempdir().unwrap();
    let out = p.run(&[
        "extensions",
        "--extension-dir",
        empty.path().to_str().unwrap(),
        "bundle",
        "--out",
        "x.tar.gz",
    ]);
    out.fails(3, &["missing, so not bundled", "sqlite_scanner.duckdb_extension"]);
}

#[test]
fn wrong_and_corrupted_files_are_refused() {
    let p = Project::new();
    p.write("duckalog.toml", CONFIG);
    let incoming = p.path("incoming");
    std::fs::create_dir_all(&incoming).unwrap();
    // A build for another DuckDB version: the footer says so.
    let mut bytes = std::fs::read(file(&ext_dir(), "sqlite_scanner")).unwrap();
    let n = bytes.len();
    let version_field = n - 512 + (7 - 2) * 32;
    bytes[version_field..version_field + 6].copy_from_slice(b"v1.4.4");
    std::fs::write(incoming.join("sqlite_scanner.duckdb_extension"), &bytes).unwrap();
    let target = tempfile::tempdir().unwrap();
    let dir = target.path().to_str().unwrap();
    let out = p.run(&["extensions", "--extension-dir", dir, "install", "--from", "incoming"]);
    out.fails(3, &["built for DuckDB v1.4.4, this is DuckDB v1.5.5", "nothing was installed"]);
    assert!(!file(target.path(), "sqlite_scanner").exists());

    std::fs::write(incoming.join("sqlite_scanner.duckdb_extension"), vec![0u8; 4096]).unwrap();
    let out = p.run(&["extensions", "--extension-dir", dir, "install", "--from", "incoming"]);
    out.fails(3, &["not a DuckDB extension"]);
    assert!(!file(target.path(), "sqlite_scanner").exists());
}
