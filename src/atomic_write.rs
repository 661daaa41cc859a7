//! Files written whole or not at all: a crash or a full disk never leaves a
//! truncated config or script behind.

use std::io::Write;
use std::path::Path;

/// Writes `text` to a temporary file beside `path`, then moves it into
/// place. Without `replace`, an existing `path` is an error and is left alone.
pub(crate) fn write(path: &Path, text: &str, replace: bool) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    if replace {
        tmp.persist(path).map_err(|e| e.error)?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}
