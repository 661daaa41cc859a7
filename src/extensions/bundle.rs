//! Extension bundles for air-gapped servers: which extensions a config needs
//! and where they are, installing extension files from a folder, a PyPI
//! wheel or a bundle (each file's DuckDB version and platform checked before
//! anything is copied), and packing what a config needs into a bundle with
//! checksums.

use crate::extensions::{self as extension, Metadata};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where one needed extension stands.
#[derive(Debug)]
pub(crate) enum Status {
    CompiledIn,
    /// Not in the extension directory, but embedded in this binary.
    Embedded,
    Found(Metadata),
    WrongBuild(String),
    Missing,
}

pub(crate) struct Needed {
    pub(crate) name: String,
    pub(crate) path: Option<PathBuf>,
    pub(crate) status: Status,
}

/// The state of each of `names` in extension directory `dir`.
pub(crate) fn survey(names: &[String], dir: &Path) -> Vec<Needed> {
    names
        .iter()
        .map(|name| {
            if extension::is_built_in(name) {
                return Needed {
                    name: extension::canonical(name),
                    path: None,
                    status: Status::CompiledIn,
                };
            }
            let path = if extension::is_path(name) {
                PathBuf::from(name)
            } else {
                extension::file_in(dir, name)
            };
            let status = if !path.is_file() && crate::extensions::embedded::has(name) {
                Status::Embedded
            } else if !path.is_file() {
                Status::Missing
            } else {
                match Metadata::read(&path) {
                    Ok(m) => match m.mismatch() {
                        Some(why) => Status::WrongBuild(why),
                        None => Status::Found(m),
                    },
                    Err(e) => Status::WrongBuild(e),
                }
            };
            Needed { name: extension::canonical(name), path: Some(path), status }
        })
        .collect()
}

/// An extension file read from somewhere, not yet installed.
struct Candidate {
    name: String,
    bytes: Vec<u8>,
    origin: String,
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn is_extension(name: &str) -> bool {
    name.ends_with(".duckdb_extension")
}

fn stem(name: &str) -> String {
    name.rsplit('/').next().unwrap_or(name).trim_end_matches(".duckdb_extension").to_string()
}

/// Installs every extension file found in `from` into extension directory
/// `dir`. Nothing is copied unless every file fits this binary.
pub(crate) fn install(from: &Path, dir: &Path) -> Result<Vec<PathBuf>, String> {
    let name = from.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let candidates = if from.is_dir() {
        from_folder(from)?
    } else if name.ends_with(".whl") || name.ends_with(".zip") {
        from_zip(from)?
    } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        from_bundle(from)?
    } else if is_extension(name) {
        vec![Candidate { name: stem(name), bytes: read(from)?, origin: from.display().to_string() }]
    } else {
        return Err(format!(
            "{}: give a folder, a .whl, a bundle (.tar.gz) or a .duckdb_extension file",
            from.display()
        ));
    };
    if candidates.is_empty() {
        return Err(format!("{}: no .duckdb_extension file in it", from.display()));
    }
    let target = dir.join(extension::DUCKDB_VERSION).join(extension::platform());
    std::fs::create_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
    // Check everything first: the footer is read from a temporary copy.
    let mut staged = Vec::new();
    for c in candidates {
        let mut tmp = tempfile::NamedTempFile::new_in(&target)
            .map_err(|e| format!("{}: {e}", target.display()))?;
        std::io::Write::write_all(&mut tmp, &c.bytes).map_err(|e| e.to_string())?;
        let meta = Metadata::read(tmp.path()).map_err(|e| format!("{}: {e}", c.origin))?;
        if let Some(why) = meta.mismatch() {
            return Err(format!("{} ({}): {why}; nothing was installed", c.origin, c.name));
        }
        staged.push((tmp, target.join(format!("{}.duckdb_extension", c.name))));
    }
    let mut installed = Vec::new();
    for (tmp, dest) in staged {
        tmp.persist(&dest).map_err(|e| format!("{}: {}", dest.display(), e.error))?;
        installed.push(dest);
    }
    Ok(installed)
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn from_folder(dir: &Path) -> Result<Vec<Candidate>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
            let p = entry.map_err(|e| e.to_string())?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().and_then(|n| n.to_str()).is_some_and(is_extension) {
                out.push(Candidate {
                    name: stem(&p.to_string_lossy()),
                    bytes: read(&p)?,
                    origin: p.display().to_string(),
                });
            }
        }
    }
    Ok(out)
}

fn from_zip(path: &Path) -> Result<Vec<Candidate>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| format!("{}: not a wheel or zip archive ({e})", path.display()))?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = entry.name().to_string();
        if is_extension(&name) {
            let mut bytes = Vec::new();
            entry
                .read_to_end(&mut bytes)
                .map_err(|e| format!("{}: {name}: {e}", path.display()))?;
            out.push(Candidate {
                name: stem(&name),
                bytes,
                origin: format!("{}:{name}", path.display()),
            });
        }
    }
    Ok(out)
}

const MANIFEST: &str = "manifest.json";

fn from_bundle(path: &Path) -> Result<Vec<Candidate>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut files = Vec::new();
    let mut manifest = None;
    let fail = |e: std::io::Error| format!("{}: not a readable bundle ({e})", path.display());
    for entry in archive.entries().map_err(fail)? {
        let mut entry = entry.map_err(fail)?;
        let name = entry.path().map_err(fail)?.to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(fail)?;
        if name == MANIFEST {
            manifest = Some(
                serde_json::from_slice::<serde_json::Value>(&bytes)
                    .map_err(|e| format!("{}: {MANIFEST}: {e}", path.display()))?,
            );
        } else if is_extension(&name) {
            files.push((name, bytes));
        }
    }
    let manifest = manifest.ok_or_else(|| {
        format!(
            "{}: no {MANIFEST}: not a bundle made by `duckalog extensions bundle`",
            path.display()
        )
    })?;
    let listed = manifest["files"].as_array().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for (name, bytes) in files {
        let entry = listed
            .iter()
            .find(|f| f["path"].as_str() == Some(&name))
            .ok_or_else(|| format!("{}: {name} is not in the manifest", path.display()))?;
        if entry["sha256"].as_str() != Some(sha256(&bytes).as_str()) {
            return Err(format!("{}: {name} does not match its checksum: the bundle is damaged; nothing was installed", path.display()));
        }
        out.push(Candidate {
            name: stem(&name),
            bytes,
            origin: format!("{}:{name}", path.display()),
        });
    }
    if out.len() != listed.len() {
        return Err(format!(
            "{}: files listed in the manifest are missing: the bundle is damaged",
            path.display()
        ));
    }
    Ok(out)
}

/// Packs the files of `names` from extension directory `dir` into a
/// gzip-compressed tar at `out`, with a manifest of checksums.
pub(crate) fn bundle(names: &[String], dir: &Path, out: &Path) -> Result<usize, String> {
    let mut entries = Vec::new();
    let mut missing = Vec::new();
    for n in survey(names, dir) {
        match (n.status, n.path) {
            (Status::CompiledIn, _) => {}
            (Status::Embedded, _) => missing.push(format!(
                "{} (embedded in this binary, not in the extension directory)",
                n.name
            )),
            (Status::Found(meta), Some(path)) => entries.push((n.name, path, meta)),
            (Status::Missing, Some(path)) => missing.push(path.display().to_string()),
            (Status::WrongBuild(why), Some(path)) => {
                return Err(format!("{}: {why}", path.display()))
            }
            _ => {}
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "missing, so not bundled: {} (fetch them on a connected machine first)",
            missing.join(", ")
        ));
    }
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(parent)
        .map_err(|e| format!("{}: {e}", parent.display()))?;
    let gz = flate2::write::GzEncoder::new(
        tmp.reopen().map_err(|e| e.to_string())?,
        flate2::Compression::default(),
    );
    let mut tar = tar::Builder::new(gz);
    let mut listed = Vec::new();
    for (name, path, meta) in &entries {
        let bytes = read(path)?;
        let inner = format!(
            "{}/{}/{name}.duckdb_extension",
            extension::DUCKDB_VERSION,
            extension::platform()
        );
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, &inner, bytes.as_slice()).map_err(|e| e.to_string())?;
        listed.push(serde_json::json!({"name": name, "path": inner, "sha256": sha256(&bytes), "size": bytes.len(),
            "duckdb_version": meta.duckdb_version, "platform": meta.platform, "extension_version": meta.extension_version}));
    }
    let manifest = serde_json::to_vec_pretty(&serde_json::json!({
        "duckdb_version": extension::DUCKDB_VERSION, "platform": extension::platform(), "files": listed,
    }))
    .map_err(|e| e.to_string())?;
    let mut header = tar::Header::new_gnu();
    header.set_size(manifest.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, MANIFEST, manifest.as_slice()).map_err(|e| e.to_string())?;
    tar.into_inner().and_then(|gz| gz.finish()).map_err(|e| e.to_string())?;
    tmp.persist(out).map_err(|e| format!("{}: {}", out.display(), e.error))?;
    Ok(entries.len())
}
