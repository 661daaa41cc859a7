//! One-file builds: `DUCKALOG_EMBED_EXTENSIONS` (a comma-separated list of
//! `.duckdb_extension` files or folders holding them) embeds those files,
//! gzip-compressed, in the binary. The default build embeds nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub fn extensions() {
    println!("cargo:rerun-if-env-changed=DUCKALOG_EMBED_EXTENSIONS");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut files = Vec::new();
    let listed = std::env::var("DUCKALOG_EMBED_EXTENSIONS").unwrap_or_default();
    for item in listed.split(',').filter(|s| !s.trim().is_empty()) {
        collect(Path::new(item.trim()), &mut files);
    }
    let mut entries = String::new();
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
        let stem = file.file_stem().and_then(|s| s.to_str());
        let name = stem.expect("extension file names are UTF-8").to_string();
        let gz = out.join(format!("{name}.duckdb_extension.gz"));
        std::fs::write(&gz, compress(&file)).expect("OUT_DIR is writable");
        let _ =
            writeln!(entries, "    ({name:?}, include_bytes!({:?})),", gz.display().to_string());
    }
    let code = format!(
        "/// Extensions embedded at build time: (name, gzip-compressed file).\n\
         pub static EMBEDDED: &[(&str, &[u8])] = &[\n{entries}];\n"
    );
    std::fs::write(out.join("embedded.rs"), code).expect("OUT_DIR is writable");
}

fn compress(file: &Path) -> Vec<u8> {
    let input = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut enc, &input).expect("compressing in memory");
    enc.finish().expect("compressing in memory")
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let listing = std::fs::read_dir(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut entries: Vec<PathBuf> =
            listing.map(|e| e.expect("readable folder").path()).collect();
        entries.sort();
        for e in entries {
            collect(&e, files);
        }
    } else if path.extension().is_some_and(|e| e == "duckdb_extension") {
        files.push(path.to_path_buf());
    } else if !path.exists() {
        panic!("DUCKALOG_EMBED_EXTENSIONS names {}, which does not exist", path.display());
    }
}
