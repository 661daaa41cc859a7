//! Paths and URLs as configs give them: resolved against the config's
//! folder, told apart from remote URIs, checked for embedded credentials.

use std::path::{Component, Path, PathBuf};

/// The absolute folder of a file.
pub fn dir_of(path: &Path) -> PathBuf {
    std::path::absolute(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default()
}

/// Resolves `path` against the config's folder, leaving URLs and absolute
/// paths alone. `..` and `.` are folded so that messages show clean paths.
pub fn resolve_path(base_dir: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    let joined = if p.is_absolute() { p.to_path_buf() } else { base_dir.join(p) };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A URL that carries a user and password before its host (`https://u:p@h/`).
pub fn url_has_credentials(url: &str) -> bool {
    url.split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .is_some_and(|auth| auth.contains('@'))
}

/// A URI with a scheme (`s3://`, `https://`) is never a local path.
pub fn is_remote(uri: &str) -> bool {
    match uri.find("://") {
        Some(i) => {
            i > 0 && uri[..i].chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_against_the_config_folder() {
        let base = Path::new("/srv/cat");
        assert_eq!(resolve_path(base, "data/x.parquet"), Path::new("/srv/cat/data/x.parquet"));
        assert_eq!(resolve_path(base, "../y/*.csv"), Path::new("/srv/y/*.csv"));
        assert_eq!(resolve_path(base, "/abs/z.db"), Path::new("/abs/z.db"));
        assert!(is_remote("s3://b/k") && is_remote("https://h/x") && !is_remote("data/a.parquet"));
    }
}
