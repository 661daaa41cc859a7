//! The C++ runtime and GCC's unwinder are linked statically on Linux, so
//! that the binary needs nothing from the host but the C library's own
//! objects (libc, libm, the loader). DuckDB's build asks for `-lstdc++`, and
//! Rust's standard library for `-lgcc_s`: a folder searched first offers the
//! static archives under those names.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn link_static() {
    println!("cargo:rerun-if-env-changed=DUCKALOG_DYNAMIC_CXX");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if !linux_gnu || std::env::var_os("DUCKALOG_DYNAMIC_CXX").is_some() {
        return;
    }
    let (Some(stdcxx), Some(gcc_eh)) = (archive("libstdc++.a"), archive("libgcc_eh.a")) else {
        println!(
            "cargo:warning=static libstdc++.a or libgcc_eh.a not found: linking them dynamically"
        );
        return;
    };
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let dir = out.join("static-runtime");
    std::fs::create_dir_all(&dir).expect("OUT_DIR is writable");
    link(&stdcxx, &dir.join("libstdc++.a"));
    link(&gcc_eh, &dir.join("libgcc_s.a"));
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-arg=-static-libgcc");
    // Extensions are loaded with their own libstdc++.so and libgcc_s.so, and
    // throw C++ exceptions through DuckDB's frames in this binary: exporting
    // the unwinder and the C++ runtime makes them bind to this single copy.
    let exported = [
        "_Unwind_*",
        "__cxa_*",
        "__gxx_personality_v0",
        "_ZTI*",
        "_ZTS*",
        "_ZTV*",
        "_ZNSt*",
        "_ZSt*",
        "_ZdlPv*",
        "_Znwm*",
        "_Znam*",
        "_ZdaPv*",
    ];
    for pattern in exported {
        println!("cargo:rustc-link-arg=-Wl,--export-dynamic-symbol={pattern}");
    }
}

/// The static archive `name` of the C++ compiler's own runtime.
fn archive(name: &str) -> Option<PathBuf> {
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let out = Command::new(&cxx).arg(format!("-print-file-name={name}")).output().ok()?;
    let path = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    path.is_absolute().then_some(path).filter(|p| p.exists())
}

fn link(from: &Path, to: &Path) {
    let _ = std::fs::remove_file(to);
    std::os::unix::fs::symlink(from, to).expect("OUT_DIR is writable");
}
