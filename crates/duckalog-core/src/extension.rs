//! DuckDB extensions: names, where their files live, which are compiled in.
//!
//! Extension binaries are tied to the exact engine version and platform, and
//! duckalog never lets DuckDB download one: every extension is loaded from an
//! extension directory laid out as `<dir>/<version>/<platform>/<name>.duckdb_extension`.

use std::path::{Path, PathBuf};

/// The engine version this binary embeds (checked against the engine by a test).
pub const DUCKDB_VERSION: &str = "v1.5.5";

/// Compiled into this binary: loading them needs no file.
pub const BUILT_IN: &[&str] = &["core_functions", "icu", "json", "parquet"];

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

/// Whether extension `name` (or an alias of it) is compiled into this binary
/// and needs no file.
pub fn is_built_in(name: &str) -> bool {
    BUILT_IN.contains(&canonical(name).as_str())
}

/// Whether a configured extension is a path to a file rather than a name.
pub fn is_path(name: &str) -> bool {
    name.ends_with(".duckdb_extension") || name.contains('/')
}

/// The extension directory in force: the command line's, then
/// `DUCKALOG_EXTENSION_DIR`, then the config's.
pub fn choose_dir(flag: Option<PathBuf>, configured: Option<PathBuf>) -> Option<PathBuf> {
    let from_env = std::env::var_os(DIR_VAR).filter(|v| !v.is_empty()).map(PathBuf::from);
    flag.or(from_env).or(configured)
}

/// DuckDB's own default, used when nothing else names a directory.
pub fn default_dir() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| Path::new(&home).join(".duckdb").join("extensions"))
}

/// Where the file of extension `name` must be, under extension directory `dir`.
pub fn file_in(dir: &Path, name: &str) -> PathBuf {
    dir.join(DUCKDB_VERSION).join(platform()).join(format!("{}.duckdb_extension", canonical(name)))
}

/// What an extension file says about itself in its metadata footer: the
/// last 512 bytes are eight 32-byte fields (stored last first) and a
/// signature.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    /// The DuckDB platform it was built for, such as `linux_amd64`.
    pub platform: String,
    /// For C++ extensions, the exact DuckDB version they were built for.
    pub duckdb_version: String,
    /// The extension's own version.
    pub extension_version: String,
    /// `CPP`, or `C_STRUCT` for extensions on DuckDB's stable C API.
    pub abi: String,
}

impl Metadata {
    /// Reads the metadata footer of the extension file at `path`.
    pub fn read(path: &Path) -> Result<Metadata, String> {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let len = f.metadata().map_err(|e| e.to_string())?.len();
        if len < 512 {
            return Err(format!("{} is not a DuckDB extension (too short)", path.display()));
        }
        let mut footer = [0u8; 256];
        f.seek(SeekFrom::End(-512))
            .and_then(|_| f.read_exact(&mut footer))
            .map_err(|e| e.to_string())?;
        let field = |i: usize| {
            let raw = &footer[(7 - i) * 32..(8 - i) * 32];
            let end = raw.iter().position(|b| *b == 0).unwrap_or(raw.len());
            String::from_utf8_lossy(&raw[..end]).into_owned()
        };
        if field(0) != "4" {
            return Err(format!(
                "{} is not a DuckDB extension: its metadata footer is missing or damaged",
                path.display()
            ));
        }
        Ok(Metadata {
            platform: field(1),
            duckdb_version: field(2),
            extension_version: field(3),
            abi: field(4),
        })
    }

    /// Why this file cannot load into this binary, if it cannot.
    pub fn mismatch(&self) -> Option<String> {
        if self.platform != platform() {
            Some(format!("built for {}, this is {}", self.platform, platform()))
        } else if self.abi == "CPP" && self.duckdb_version != DUCKDB_VERSION {
            Some(format!(
                "built for DuckDB {}, this is DuckDB {DUCKDB_VERSION}",
                self.duckdb_version
            ))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_metadata_footer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.duckdb_extension");
        let mut bytes = vec![7u8; 1000];
        let mut meta = vec![0u8; 256];
        for (i, v) in ["4", "linux_amd64", "v1.5.5", "abc123", "CPP"].iter().enumerate() {
            meta[(7 - i) * 32..(7 - i) * 32 + v.len()].copy_from_slice(v.as_bytes());
        }
        bytes.extend(meta);
        bytes.extend([1u8; 256]);
        std::fs::write(&path, &bytes).unwrap();
        let m = Metadata::read(&path).unwrap();
        assert_eq!(
            (m.platform.as_str(), m.duckdb_version.as_str(), m.abi.as_str()),
            ("linux_amd64", "v1.5.5", "CPP")
        );
        std::fs::write(&path, vec![0u8; 2000]).unwrap();
        assert!(Metadata::read(&path).unwrap_err().contains("not a DuckDB extension"));
    }

    #[test]
    fn aliases_and_paths() {
        assert_eq!(canonical("SQLite"), "sqlite_scanner");
        assert_eq!(canonical("s3"), "httpfs");
        assert_eq!(canonical("delta"), "delta");
        assert!(is_built_in("parquet") && !is_built_in("httpfs"));
        assert!(is_path("/x/y.duckdb_extension") && !is_path("httpfs"));
        let f = file_in(Path::new("/e"), "sqlite");
        assert_eq!(
            f,
            Path::new("/e").join("v1.5.5").join(platform()).join("sqlite_scanner.duckdb_extension")
        );
    }
}
