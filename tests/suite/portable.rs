//! The binary needs nothing from the host but the C library's own objects:
//! DuckDB, libstdc++ and GCC's unwinder are linked in.

#[test]
fn only_the_c_library_is_linked_dynamically() {
    let out = std::process::Command::new("ldd")
        .arg(env!("CARGO_BIN_EXE_duckalog"))
        .output()
        .expect("ldd runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    const ALLOWED: &[&str] = &[
        "linux-vdso.so.1",
        "libc.so.6",
        "libm.so.6",
        "libdl.so.2",
        "libpthread.so.0",
        "librt.so.1",
        "ld-linux-x86-64.so.2",
    ];
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let name = line.split_whitespace().next().unwrap();
        let base = name.rsplit('/').next().unwrap();
        assert!(ALLOWED.contains(&base), "{name} is linked dynamically:\n{text}");
    }
}
