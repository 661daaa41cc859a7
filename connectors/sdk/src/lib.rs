//! The C ABI between duckalog and connector plugins, and a macro that exports
//! a connector written in Rust through it.
//!
//! A plugin is a shared library exporting one symbol, `duckalog_connector`,
//! a function returning a pointer to a [`Plugin`] table. duckalog reads
//! `abi_version` first and refuses the library unless it equals
//! [`ABI_VERSION`]; only then does it call the functions. Data crosses as
//! NUL-terminated UTF-8 JSON; every string a plugin returns is released with
//! the plugin's own `free_string`. Functions exported by [`export_connector!`]
//! catch panics and report them as errors. duckalog never unloads a plugin.
//!
//! The JSON is that of the types in [`wire`], which host and plugins share.
//! `describe()` returns `{"kind": "mysql", "version": "0.1.0", "extensions": ["mysql_scanner"]}`
//! (a [`Description`]).
//!
//! `attachment(input)` takes `{"table": {...}, "base_dir": "/path/of/config"}`
//! (the attachment's config table without `alias`, strings already
//! interpolated) and returns either `{"ok": <spec>}` or
//! `{"error": {"key": "port", "message": "..."}}` (a [`Reply`]), where a [`Spec`] is
//!
//! ```json
//! {"target": "host=... password=...", "target_is_secret": true,
//!  "options": [{"word": ["TYPE", "mysql"]}, {"flag": "READ_ONLY"}, {"value": ["SCHEMA", "s"]}],
//!  "extensions": ["mysql_scanner"],
//!  "probe": {"host": "db.internal", "port": 3306}, "secrets": []}
//! ```
//!
//! `probe` (a server duckalog may try to reach before attaching) and
//! `secrets` (names of DuckDB secrets the attachment reads) are optional.
//!
//! The plugin returns data, never SQL: duckalog checks and quotes everything.

use std::ffi::{c_char, CStr, CString};

pub use duckalog_core::connector::abi::{Entry, Plugin, ABI_VERSION, ENTRY_SYMBOL};
pub use duckalog_core::connector::wire;
pub use wire::{AttachOption, Description, KeyError, Literal, Probe, Reply, Request, Spec};

/// A connector written in Rust, exported with [`export_connector!`].
pub trait Connector {
    /// The attachment kind it handles.
    const KIND: &'static str;
    /// The DuckDB extensions every attachment of this kind needs.
    fn extensions() -> Vec<String>;
    /// Reads one attachment table and returns its spec (see the crate docs).
    fn attachment(
        table: &serde_json::Map<String, serde_json::Value>,
        base_dir: &str,
    ) -> Result<Spec, KeyError>;
}

/// Turns `value` into JSON in a string the host frees with `free_string`.
pub fn to_c(value: &impl serde::Serialize) -> *mut c_char {
    let text = serde_json::to_string(value).unwrap_or_default();
    CString::new(text).map(CString::into_raw).unwrap_or(std::ptr::null_mut())
}

/// Releases a string made by [`to_c`].
///
/// # Safety
/// `s` must come from [`to_c`] and not have been freed.
pub unsafe fn free_c(s: *mut c_char) {
    if !s.is_null() {
        drop(CString::from_raw(s));
    }
}

/// Runs `f`, turning a panic into an error result, so that no panic unwinds
/// into the host. The panic's message goes into that error; the plugin's own
/// default panic output (its copy of std prints to the host's stderr) is
/// silenced.
pub fn guard<T: serde::Serialize>(
    f: impl FnOnce() -> T + std::panic::UnwindSafe,
    panicked: impl FnOnce(String) -> T,
) -> *mut c_char {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let value = std::panic::catch_unwind(f).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        panicked(format!("the plugin raised a panic: {what}"))
    });
    to_c(&value)
}

/// The body of an exported `attachment` function.
///
/// # Safety
/// `input` must be a NUL-terminated string.
pub unsafe fn attachment_entry<C: Connector>(input: *const c_char) -> *mut c_char {
    let text = if input.is_null() {
        String::new()
    } else {
        CStr::from_ptr(input).to_string_lossy().into_owned()
    };
    let failed = |message: String| Reply::Error(KeyError::new("", message));
    guard(
        move || match serde_json::from_str::<Request>(&text) {
            Ok(r) => C::attachment(&r.table, &r.base_dir).map_or_else(Reply::Error, Reply::Ok),
            Err(e) => failed(format!("bad input from the host: {e}")),
        },
        failed,
    )
}

/// The body of an exported `describe` function.
pub fn describe_entry<C: Connector>(version: &str) -> *mut c_char {
    let version = version.to_string();
    let describe =
        move || Description { kind: C::KIND.into(), version, extensions: C::extensions() };
    // A description cannot fail; a panic describes no kind, which the host refuses.
    guard(describe, |_| Description {
        kind: String::new(),
        version: String::new(),
        extensions: vec![],
    })
}

/// Exports `$connector` (a type implementing [`Connector`]) as a duckalog
/// plugin. Build the crate as a `cdylib` with `panic = "unwind"` (the default).
#[macro_export]
macro_rules! export_connector {
    ($connector:ty) => {
        unsafe extern "C" fn __duckalog_describe() -> *mut ::std::ffi::c_char {
            $crate::describe_entry::<$connector>(env!("CARGO_PKG_VERSION"))
        }

        unsafe extern "C" fn __duckalog_attachment(
            input: *const ::std::ffi::c_char,
        ) -> *mut ::std::ffi::c_char {
            $crate::attachment_entry::<$connector>(input)
        }

        unsafe extern "C" fn __duckalog_free(s: *mut ::std::ffi::c_char) {
            $crate::free_c(s)
        }

        static __DUCKALOG_PLUGIN: $crate::Plugin = $crate::Plugin {
            abi_version: $crate::ABI_VERSION,
            describe: __duckalog_describe,
            attachment: __duckalog_attachment,
            free_string: __duckalog_free,
        };

        #[no_mangle]
        pub extern "C" fn duckalog_connector() -> *const $crate::Plugin {
            &__DUCKALOG_PLUGIN
        }
    };
}
