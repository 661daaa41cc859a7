//! The build script: a C++ runtime that extensions can share, and the
//! extensions a one-file build embeds.

mod embed;
mod runtime;

fn main() {
    println!("cargo:rerun-if-changed=build");
    embed::extensions();
    runtime::link_static();
}
