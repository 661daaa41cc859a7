//! Portable builds (`DUCKALOG_PORTABLE=1`, as `scripts/release` makes them):
//! compiled against glibc 2.31, they must run on glibc 2.28. The few symbols
//! that would need a newer glibc are sent to `glibc_compat.c` instead.

use std::path::PathBuf;
use std::process::Command;

/// The libm functions whose calls `glibc_compat.c` takes over.
const WRAPPED: [&str; 5] = ["exp", "exp2", "log", "log2", "pow"];

pub fn link_glibc_compat() {
    println!("cargo:rerun-if-env-changed=DUCKALOG_PORTABLE");
    if std::env::var_os("DUCKALOG_PORTABLE").is_none() {
        return;
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let object = out.join("glibc_compat.o");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&cc)
        .args(["-O2", "-fno-builtin", "-fPIC", "-c", "build/glibc_compat.c", "-o"])
        .arg(&object)
        .status()
        .unwrap_or_else(|e| panic!("{cc} does not run: {e}"));
    assert!(status.success(), "{cc} could not compile build/glibc_compat.c");
    println!("cargo:rustc-link-arg={}", object.display());
    for name in WRAPPED {
        println!("cargo:rustc-link-arg=-Wl,--wrap={name}");
    }
}
