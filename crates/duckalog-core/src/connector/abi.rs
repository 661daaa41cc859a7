//! The C ABI between duckalog and connector plugins: one exported entry
//! point returning a table of functions, whose JSON is that of [`super::wire`].
//! `duckalog-connector-sdk` exports a Rust connector through it.

use std::ffi::c_char;

/// The version of this ABI. duckalog refuses a plugin built for another.
pub const ABI_VERSION: u32 = 1;

/// The name of the exported entry point.
pub const ENTRY_SYMBOL: &str = "duckalog_connector";

/// What the entry point returns. `abi_version` stays the first field in every
/// future version, so that a host can always read it.
#[repr(C)]
pub struct Plugin {
    /// Equal to [`ABI_VERSION`] for a plugin this host can use.
    pub abi_version: u32,
    /// Returns a [`super::wire::Description`].
    pub describe: unsafe extern "C" fn() -> *mut c_char,
    /// Takes a [`super::wire::Request`], returns a [`super::wire::Reply`].
    pub attachment: unsafe extern "C" fn(input: *const c_char) -> *mut c_char,
    /// Releases a string the other two returned.
    pub free_string: unsafe extern "C" fn(s: *mut c_char),
}

/// The signature of the entry point.
pub type Entry = unsafe extern "C" fn() -> *const Plugin;
