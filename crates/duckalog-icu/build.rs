//! Compiles DuckDB's ICU extension and its ICU library from DuckDB's own
//! source release, the way DuckDB's shell and Python client have it built
//! in. The published `libduckdb-sys` crate does not ship these sources, so
//! they come from the source distribution of DuckDB's Python package (the
//! same engine version, pinned by checksum): `DUCKALOG_DUCKDB_SDIST` names a
//! copy of it for builds without network; otherwise it is downloaded into OUT_DIR.

use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The engine version; it moves with `libduckdb-sys` and the pins below.
const VERSION: &str = "1.5.5";
const SDIST_URL: &str = "https://files.pythonhosted.org/packages/7d/19/\
    e57151753576373c6696a12022648546cca6038e8833fda2908ee2342d9b/duckdb-1.5.5.tar.gz";
const SDIST_SHA256: &str = "72f33ee57ca7595b23957671a2cc7f7fe2be0ecc2d68f63abedcfcaa3a5c1238";
/// Where the extension sits inside the source distribution.
const ICU_DIR: &str = "external/duckdb/extension/icu";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=cpp/load.cpp");
    println!("cargo:rerun-if-env-changed=DUCKALOG_DUCKDB_SDIST");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let sdist = sdist(&out);
    let icu = unpack_icu(&sdist, &out);
    let mut build = cc::Build::new();
    build.includes(duckdb_includes());
    build
        .cpp(true)
        .std("c++11")
        .warnings(false)
        .flag_if_supported("-w")
        .define("EXT_VERSION_ICU", Some(format!("\"v{VERSION}\"").as_str()))
        .debug(false)
        .include(&icu)
        .include(icu.join("include"))
        .include(icu.join("third_party/icu/common"))
        .include(icu.join("third_party/icu/i18n"))
        .file("cpp/load.cpp");
    for dir in ["", "third_party/icu/common", "third_party/icu/i18n", "third_party/icu/stubdata"] {
        for file in cpp_files(&icu.join(dir)) {
            build.file(file);
        }
    }
    // As libduckdb-sys decides for DuckDB itself: the headers must agree.
    if std::env::var("DEBUG").map_or(true, |v| v == "false" || v == "0") {
        build.define("NDEBUG", None);
    }
    build.compile("duckalog_icu");
}

/// The include folders that the bundled DuckDB was compiled with, from the
/// manifest of `libduckdb-sys`'s sources (it publishes their `src/include`).
fn duckdb_includes() -> Vec<PathBuf> {
    let include = std::env::var("DEP_DUCKDB_INCLUDE")
        .expect("libduckdb-sys (bundled) publishes its include folder as DEP_DUCKDB_INCLUDE");
    let root = Path::new(&include).join("../..");
    let manifest =
        std::fs::read(root.join("manifest.json")).expect("libduckdb-sys's manifest.json");
    let manifest: serde_json::Value = serde_json::from_slice(&manifest).expect("a JSON manifest");
    let dirs = manifest["base"]["include_dirs"].as_array().expect("base.include_dirs");
    dirs.iter().map(|d| root.join(d.as_str().expect("folder names are strings"))).collect()
}

/// The checked source distribution: the one named by the environment, or a
/// download kept in OUT_DIR.
fn sdist(out: &Path) -> PathBuf {
    if let Some(given) = std::env::var_os("DUCKALOG_DUCKDB_SDIST") {
        let given = PathBuf::from(given);
        assert!(given.is_absolute(), "DUCKALOG_DUCKDB_SDIST must be an absolute path");
        println!("cargo:rerun-if-changed={}", given.display());
        check(&given)
            .unwrap_or_else(|why| panic!("DUCKALOG_DUCKDB_SDIST={}: {why}", given.display()));
        return given;
    }
    let kept = out.join(format!("duckdb-{VERSION}.tar.gz"));
    if check(&kept).is_ok() {
        return kept;
    }
    let hint = format!(
        "download {SDIST_URL} (sha256 {SDIST_SHA256}) and set DUCKALOG_DUCKDB_SDIST to its path"
    );
    if std::env::var("CARGO_NET_OFFLINE").is_ok_and(|v| v == "true") {
        panic!("DuckDB {VERSION}'s sources are needed and cargo runs offline; {hint}");
    }
    let partial = out.join(format!("duckdb-{VERSION}.tar.gz.part"));
    let fetched = Command::new("curl")
        .args(["--fail", "--silent", "--show-error", "--location", "--retry", "3"])
        .args(["--connect-timeout", "30", "--max-time", "900", "-o"])
        .arg(&partial)
        .arg(SDIST_URL)
        .status();
    match fetched {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("downloading DuckDB {VERSION}'s sources failed ({s}); {hint}"),
        Err(e) => panic!("cannot run curl to download DuckDB {VERSION}'s sources ({e}); {hint}"),
    }
    check(&partial).unwrap_or_else(|why| panic!("{SDIST_URL}: {why}"));
    std::fs::rename(&partial, &kept).expect("OUT_DIR is writable");
    kept
}

fn check(file: &Path) -> Result<(), String> {
    let mut f = std::fs::File::open(file).map_err(|e| e.to_string())?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let digest: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    if digest == SDIST_SHA256 {
        Ok(())
    } else {
        Err(format!("sha256 is {digest}, expected {SDIST_SHA256} (DuckDB {VERSION}'s sdist)"))
    }
}

/// Unpacks the ICU extension's folder into OUT_DIR and returns its path.
fn unpack_icu(sdist: &Path, out: &Path) -> PathBuf {
    let root = out.join("icu-src");
    let _ = std::fs::remove_dir_all(&root);
    let file = std::fs::File::open(sdist).expect("checked above");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let prefix = format!("duckdb-{VERSION}/{ICU_DIR}/");
    for entry in archive.entries().expect("a tar.gz archive") {
        let mut entry = entry.expect("a readable archive entry");
        let path = entry.path().expect("archive paths are UTF-8").to_string_lossy().into_owned();
        if let Some(rel) = path.strip_prefix(&prefix) {
            let target = root.join(rel);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).expect("OUT_DIR is writable");
            }
            entry.unpack(&target).expect("OUT_DIR is writable");
        }
    }
    assert!(root.join("icu_extension.cpp").exists(), "{} holds no {ICU_DIR}", sdist.display());
    root
}

fn cpp_files(dir: &Path) -> Vec<PathBuf> {
    let listing = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = listing
        .map(|e| e.expect("readable folder").path())
        .filter(|p| p.extension().is_some_and(|x| x == "cpp"))
        .collect();
    files.sort();
    files
}
