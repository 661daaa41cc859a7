//! Two things for a binary that runs alone on a server:
//!
//! - The C++ runtime and GCC's unwinder are linked statically on Linux, so
//!   that the binary needs nothing from the host but the C library's own
//!   objects (libc, libm, the loader). DuckDB's build asks for `-lstdc++`, and
//!   Rust's standard library for `-lgcc_s`: a folder searched first offers the
//!   static archives under those names.
//! - One-file builds: `DUCKALOG_EMBED_EXTENSIONS` (a comma-separated list of
//!   `.duckdb_extension` files or folders holding them) embeds those files,
//!   gzip-compressed, in the binary. The default build embeds nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    embed_extensions();
    println!("cargo:rerun-if-env-changed=DUCKALOG_DYNAMIC_CXX");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if !linux_gnu || std::env::var_os("DUCKALOG_DYNAMIC_CXX").is_some() {
        return;
    }
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let archive = |name: &str| -> Option<PathBuf> {
        let out = Command::new(&cxx).arg(format!("-print-file-name={name}")).output().ok()?;
        let path = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
        path.is_absolute().then_some(path).filter(|p| p.exists())
    };
    let (Some(stdcxx), Some(gcc_eh)) = (archive("libstdc++.a"), archive("libgcc_eh.a")) else {
        println!("cargo:warning=static libstdc++.a or libgcc_eh.a not found: linking them dynamically");
        return;
    };
    let dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("static-runtime");
    std::fs::create_dir_all(&dir).expect("OUT_DIR is writable");
    link(&stdcxx, &dir.join("libstdc++.a"));
    link(&gcc_eh, &dir.join("libgcc_s.a"));
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-arg=-static-libgcc");
    // Extensions are loaded with their own libstdc++.so and libgcc_s.so, and
    // throw C++ exceptions through DuckDB's frames in this binary: exporting
    // the unwinder and the C++ runtime makes them bind to this single copy.
    for pattern in ["_Unwind_*", "__cxa_*", "__gxx_personality_v0", "_ZTI*", "_ZTS*", "_ZTV*", "_ZNSt*", "_ZSt*", "_ZdlPv*", "_Znwm*", "_Znam*", "_ZdaPv*"] {
        println!("cargo:rustc-link-arg=-Wl,--export-dynamic-symbol={pattern}");
    }
}

fn link(from: &Path, to: &Path) {
    let _ = std::fs::remove_file(to);
    std::os::unix::fs::symlink(from, to).expect("OUT_DIR is writable");
}

fn embed_extensions() {
    println!("cargo:rerun-if-env-changed=DUCKALOG_EMBED_EXTENSIONS");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut files = Vec::new();
    for item in std::env::var("DUCKALOG_EMBED_EXTENSIONS").unwrap_or_default().split(',').filter(|s| !s.trim().is_empty()) {
        collect(Path::new(item.trim()), &mut files);
    }
    let mut entries = String::new();
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file.file_stem().and_then(|s| s.to_str()).expect("extension file names are UTF-8").to_string();
        let gz = out.join(format!("{name}.duckdb_extension.gz"));
        let input = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut enc, &input).expect("compressing in memory");
        std::fs::write(&gz, enc.finish().expect("compressing in memory")).expect("OUT_DIR is writable");
        entries.push_str(&format!("    ({name:?}, include_bytes!({:?})),\n", gz.display().to_string()));
    }
    let code = format!("/// Extensions embedded at build time: (name, gzip-compressed file).\npub static EMBEDDED: &[(&str, &[u8])] = &[\n{entries}];\n");
    std::fs::write(out.join("embedded.rs"), code).expect("OUT_DIR is writable");
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).map(|e| e.expect("readable folder").path()).collect();
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
