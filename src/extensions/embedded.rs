//! Extensions embedded in a one-file build (see `build.rs`). Each is unpacked
//! once into a per-user cache and loaded from there; gzip's CRC-32, checked
//! while unpacking, guards the content, and names the cached file.

use crate::extensions as extension;
use std::io::Read;
use std::path::PathBuf;

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

pub(crate) fn has(name: &str) -> bool {
    let name = extension::canonical(name);
    EMBEDDED.iter().any(|(n, _)| *n == name)
}

fn cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(
        base.join("duckalog")
            .join("embedded")
            .join(extension::DUCKDB_VERSION)
            .join(extension::platform()),
    )
}

/// The unpacked file of embedded extension `name`, unpacking it on first use.
pub(crate) fn unpacked(name: &str) -> Option<Result<PathBuf, String>> {
    let name = extension::canonical(name);
    let (_, gz) = EMBEDDED.iter().find(|(n, _)| *n == name)?;
    Some(unpack(&name, gz))
}

fn unpack(name: &str, gz: &[u8]) -> Result<PathBuf, String> {
    let trailer = |at: usize| u32::from_le_bytes(gz[at..at + 4].try_into().expect("four bytes"));
    let (crc, size) = (trailer(gz.len() - 8), trailer(gz.len() - 4));
    // DuckDB finds the entry point by the file name: the checksum names the folder.
    let dir = cache_dir()
        .ok_or("no cache folder: set HOME or XDG_CACHE_HOME")?
        .join(format!("{crc:08x}"));
    let file = dir.join(format!("{name}.duckdb_extension"));
    if std::fs::metadata(&file).is_ok_and(|m| m.len() as u32 == size) {
        return Ok(file);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut bytes = Vec::with_capacity(size as usize);
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("embedded extension {name} is damaged: {e}"))?;
    let mut tmp =
        tempfile::NamedTempFile::new_in(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, &bytes).map_err(|e| format!("{}: {e}", dir.display()))?;
    tmp.persist(&file).map_err(|e| format!("{}: {}", file.display(), e.error))?;
    log::info!("unpacked embedded extension {name} to {}", file.display());
    Ok(file)
}
