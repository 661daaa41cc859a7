//! DuckDB extensions: names, where their files live, which are compiled in.
//!
//! Extension binaries are tied to the exact engine version and platform, and
//! duckalog never lets DuckDB download one: every extension is loaded from an
//! extension directory laid out as `<dir>/<version>/<platform>/<name>.duckdb_extension`.

use std::path::{Path, PathBuf};

/// The engine version this binary embeds (checked against the engine by a test).
pub const DUCKDB_VERSION: &str = "v1.5.5";

/// Compiled into this binary: loading them needs no file.
pub const BUILT_IN: &[&str] = &["core_functions", "json", "parquet"];

/// The variable that names an extension directory.
pub const DIR_VAR: &str = "DUCKALOG_EXTENSION_DIR";

/// DuckDB's name for this platform.
pub fn platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "osx",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{os}_{arch}")
}

/// The file name DuckDB uses for an extension, resolving its aliases
/// (`sqlite` is `sqlite_scanner`, `s3` is `httpfs`, ...).
pub fn canonical(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "sqlite" | "sqlite3" => "sqlite_scanner",
        "postgres" | "postgresql" => "postgres_scanner",
        "mysql" => "mysql_scanner",
        "http" | "https" | "s3" => "httpfs",
        "md" => "motherduck",
        _ => return lower,
    }
    .to_string()
}

pub fn is_built_in(name: &str) -> bool {
    BUILT_IN.contains(&canonical(name).as_str())
}

/// Whether a configured extension is a path to a file rather than a name.
pub fn is_path(name: &str) -> bool {
    name.ends_with(".duckdb_extension") || name.contains('/')
}

/// DuckDB's own default, used when nothing else names a directory.
pub fn default_dir() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| Path::new(&home).join(".duckdb").join("extensions"))
}

/// Where the file of extension `name` must be, under extension directory `dir`.
pub fn file_in(dir: &Path, name: &str) -> PathBuf {
    dir.join(DUCKDB_VERSION).join(platform()).join(format!("{}.duckdb_extension", canonical(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_the_engine() {
        let c = duckdb::Connection::open_in_memory().unwrap();
        let (version, platform): (String, String) =
            c.query_row("SELECT library_version, platform FROM pragma_version(), pragma_platform()", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(version, DUCKDB_VERSION);
        assert_eq!(platform, super::platform());
        let built_in: Vec<String> = c
            .prepare("SELECT extension_name FROM duckdb_extensions() WHERE install_mode = 'STATICALLY_LINKED' ORDER BY 1")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(built_in, BUILT_IN.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    }

    #[test]
    fn aliases_and_paths() {
        assert_eq!(canonical("SQLite"), "sqlite_scanner");
        assert_eq!(canonical("s3"), "httpfs");
        assert_eq!(canonical("delta"), "delta");
        assert!(is_built_in("parquet") && !is_built_in("httpfs"));
        assert!(is_path("/x/y.duckdb_extension") && !is_path("httpfs"));
        let f = file_in(Path::new("/e"), "sqlite");
        assert_eq!(f, Path::new("/e").join("v1.5.5").join(platform()).join("sqlite_scanner.duckdb_extension"));
    }
}
