//! The build script: a C++ runtime that extensions can share, and the
//! extensions a one-file build embeds, and the glibc shims of portable builds.

mod embed;
mod portable;
mod runtime;

fn main() {
    println!("cargo:rerun-if-changed=build");
    embed::extensions();
    runtime::link_static();
    portable::link_glibc_compat();
}
