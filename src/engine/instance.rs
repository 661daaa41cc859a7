//! A DuckDB instance as DuckDB's own clients open one: with ICU compiled in
//! and loaded, so dates, time zones and collations work without an `INSTALL`
//! or `LOAD`. duckdb-rs opens a database only with the extensions built into
//! the engine, so the instance is opened through DuckDB's C API, ICU loaded
//! into it, and the connection handed to duckdb-rs.

use duckdb::{ffi, Connection};
use std::ffi::{CStr, CString};
use std::ops::Deref;
use std::path::Path;

/// An open database and its first connection. It derefs to that connection;
/// connections cloned from it (`try_clone`) share the instance, and must not
/// be cloned again once the `Instance` is gone.
pub(crate) struct Instance {
    // Dropped in this order: the connection, then the database handle.
    conn: Connection,
    _db: Handle,
}

struct Handle(ffi::duckdb_database);

// SAFETY: a DuckDB database handle may be used and closed from any thread.
unsafe impl Send for Handle {}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle came from a successful `duckdb_open_ext` and is
        // closed once; open connections keep the instance itself alive.
        unsafe { ffi::duckdb_close(&mut self.0) }
    }
}

impl Instance {
    /// A connection of this instance that runs statements unprepared, as
    /// DuckDB's own clients do, with this one's connection-local settings.
    pub(crate) fn direct(&self) -> duckdb::Result<super::direct::Direct> {
        super::direct::Direct::new(self._db.0, &self.conn)
    }
}

impl Deref for Instance {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

/// Opens the database at `path` (`None`: in memory) with DuckDB's startup
/// `options`, and loads ICU into it.
pub(crate) fn open(path: Option<&Path>, options: &[(&str, String)]) -> duckdb::Result<Instance> {
    let config = Config::new(options)?;
    let target = match path {
        Some(p) => cstring(p.as_os_str().as_encoded_bytes())?,
        None => cstring(b":memory:")?,
    };
    let mut db: ffi::duckdb_database = std::ptr::null_mut();
    let mut error: *mut std::ffi::c_char = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; DuckDB sets `db` or `error`.
    let state = unsafe { ffi::duckdb_open_ext(target.as_ptr(), &mut db, config.0, &mut error) };
    if state != ffi::DuckDBSuccess {
        return Err(failure(state, take_message(error)));
    }
    let handle = Handle(db);
    // SAFETY: `db` is open, and stays open as long as `handle`.
    unsafe { duckalog_icu::load(db) }
        .map_err(|why| failure(ffi::DuckDBError, format!("loading ICU: {why}")))?;
    // SAFETY: as above; the connection is dropped before `handle`.
    let conn = unsafe { Connection::open_from_raw(db) }?;
    Ok(Instance { conn, _db: handle })
}

/// Startup options, kept only for the open.
struct Config(ffi::duckdb_config);

impl Config {
    fn new(options: &[(&str, String)]) -> duckdb::Result<Config> {
        let mut raw: ffi::duckdb_config = std::ptr::null_mut();
        // SAFETY: `raw` is written by DuckDB and destroyed in `drop`.
        if unsafe { ffi::duckdb_create_config(&mut raw) } != ffi::DuckDBSuccess {
            return Err(failure(ffi::DuckDBError, "cannot create a DuckDB config".into()));
        }
        let config = Config(raw);
        for (key, value) in std::iter::once(&("duckdb_api", "rust".to_string())).chain(options) {
            let (k, v) = (cstring(key.as_bytes())?, cstring(value.as_bytes())?);
            // SAFETY: `config.0` is live; the strings outlive the call.
            if unsafe { ffi::duckdb_set_config(config.0, k.as_ptr(), v.as_ptr()) }
                != ffi::DuckDBSuccess
            {
                return Err(failure(
                    ffi::DuckDBError,
                    format!("unknown or invalid option {key} = {value:?}"),
                ));
            }
        }
        Ok(config)
    }
}

impl Drop for Config {
    fn drop(&mut self) {
        // SAFETY: created by `duckdb_create_config`, destroyed once.
        unsafe { ffi::duckdb_destroy_config(&mut self.0) }
    }
}

fn cstring(bytes: &[u8]) -> duckdb::Result<CString> {
    CString::new(bytes).map_err(duckdb::Error::from)
}

fn take_message(error: *mut std::ffi::c_char) -> String {
    if error.is_null() {
        return "DuckDB could not open the database".into();
    }
    // SAFETY: DuckDB hands over a NUL-terminated message to free with duckdb_free.
    let message = unsafe { CStr::from_ptr(error) }.to_string_lossy().into_owned();
    unsafe { ffi::duckdb_free(error.cast()) };
    message
}

fn failure(state: ffi::duckdb_state, message: String) -> duckdb::Error {
    duckdb::Error::DuckDBFailure(ffi::Error::new(state), Some(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icu_is_loaded_in_every_instance() {
        let db = open(None, &[]).unwrap();
        db.execute_batch("SET timezone = 'Asia/Tokyo'").unwrap();
        let tz: String =
            db.query_row("SELECT current_setting('TimeZone')", [], |r| r.get(0)).unwrap();
        assert_eq!(tz, "Asia/Tokyo");
        let day: String = db
            .query_row(
                "SELECT CAST(TIMESTAMPTZ '2024-01-01 00:00:00+00' + INTERVAL 1 DAY AS VARCHAR)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(day, "2024-01-02 09:00:00+09");
        let mode: String = db
            .query_row(
                "SELECT install_mode FROM duckdb_extensions() WHERE extension_name = 'icu'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(mode, "STATICALLY_LINKED");
    }

    #[test]
    fn a_bad_option_is_an_error_not_a_crash() {
        let e = open(None, &[("no_such_option", "1".into())]).err().unwrap();
        assert!(e.to_string().contains("no_such_option"), "{e}");
    }
}
