//! DuckDB's ICU extension, compiled into the binary: time zones, calendars,
//! collations, `current_date` and timestamptz arithmetic, as DuckDB's shell
//! and Python client have them without an `INSTALL` or `LOAD`.

use libduckdb_sys::duckdb_database;
use std::ffi::{c_char, c_int, CStr};

extern "C" {
    fn duckalog_icu_load(db: duckdb_database, error: *mut c_char, error_len: usize) -> c_int;
}

/// Loads ICU into the database `db`; loading it twice does nothing.
///
/// # Safety
/// `db` must be a database opened by `duckdb_open_ext` and not closed yet.
pub unsafe fn load(db: duckdb_database) -> Result<(), String> {
    let mut error = [0 as c_char; 512];
    // SAFETY: the caller vouches for `db`; `error` is writable for its length.
    if unsafe { duckalog_icu_load(db, error.as_mut_ptr(), error.len()) } == 0 {
        return Ok(());
    }
    // SAFETY: the loader always ends the message with a NUL within the buffer.
    Err(unsafe { CStr::from_ptr(error.as_ptr()) }.to_string_lossy().into_owned())
}
