//! The connection user statements run on, as DuckDB's own clients run them.
//!
//! duckdb-rs prepares every statement it runs with a result. A prepared
//! statement keeps its plan for the next execution, and with it what binding
//! read: each CSV scan holds the buffer its sniffer filled (32 MB), and
//! executing the plan reads into another one. DuckDB's shell and Python
//! client run a statement without parameters unprepared, so that under a
//! memory limit a query over several CSV files fits there and not in a
//! prepared statement. This connection, of the session's own instance, runs
//! statements through `duckdb_query` instead, with the session connection's
//! connection-local settings copied onto it.

use duckdb::{ffi, Connection};
use std::ffi::{CStr, CString};
use std::sync::{Arc, Mutex};

/// A connection of the session's instance that runs statements unprepared.
pub(crate) struct Direct {
    con: Arc<Mutex<Raw>>,
}

/// The connection handle; null once it is closed.
struct Raw(ffi::duckdb_connection);

// SAFETY: a DuckDB connection may be used from any thread, one call at a
// time, and `duckdb_interrupt` from any thread at any time; the mutex keeps
// the connection from closing during either.
unsafe impl Send for Raw {}
unsafe impl Sync for Raw {}

/// A result, materialized, every value as DuckDB renders it as text.
pub(crate) struct Table {
    pub(crate) columns: Vec<String>,
    pub(crate) types: Vec<ffi::duckdb_type>,
    /// `None` is SQL NULL.
    pub(crate) rows: Vec<Vec<Option<String>>>,
}

/// A failed statement: DuckDB's message and its kind.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) message: String,
    kind: ffi::duckdb_error_type,
}

impl Failure {
    /// Whether the statement failed before anything ran: it did not parse or
    /// did not bind.
    pub(crate) fn before_running(&self) -> bool {
        matches!(
            self.kind,
            ffi::duckdb_error_type_DUCKDB_ERROR_PARSER
                | ffi::duckdb_error_type_DUCKDB_ERROR_BINDER
                | ffi::duckdb_error_type_DUCKDB_ERROR_CATALOG
        )
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Interrupts whatever statement runs on a [`Direct`] connection; does
/// nothing once the connection is closed.
#[derive(Clone)]
pub(crate) struct InterruptHandle(Arc<Mutex<Raw>>);

impl InterruptHandle {
    pub(crate) fn interrupt(&self) {
        let con = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if !con.0.is_null() {
            // SAFETY: the connection is open while it is not null.
            unsafe { ffi::duckdb_interrupt(con.0) }
        }
    }
}

impl Direct {
    /// A new connection of `db`'s instance, with the connection-local
    /// settings `like` has (search_path and the others of scope LOCAL).
    pub(crate) fn new(db: ffi::duckdb_database, like: &Connection) -> duckdb::Result<Direct> {
        let mut con: ffi::duckdb_connection = std::ptr::null_mut();
        // SAFETY: `db` is an open database; DuckDB sets `con` on success.
        if unsafe { ffi::duckdb_connect(db, &mut con) } != ffi::DuckDBSuccess {
            return Err(failure("cannot open a connection".into()));
        }
        let direct = Direct { con: Arc::new(Mutex::new(Raw(con))) };
        for (name, value) in local_settings(like)? {
            let set = format!("SET {name} = {}", crate::sql::literal(&value));
            if let Err(e) = direct.query(&set) {
                log::debug!("setting {name} not copied to the query connection: {e}");
            }
        }
        Ok(direct)
    }

    pub(crate) fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle(self.con.clone())
    }

    /// Runs one statement and reads its whole result.
    pub(crate) fn query(&self, sql: &str) -> Result<Table, Failure> {
        let text = CString::new(sql).map_err(|_| Failure {
            message: "the statement holds a NUL character".into(),
            kind: ffi::duckdb_error_type_DUCKDB_ERROR_PARSER,
        })?;
        let con = self.con.lock().unwrap_or_else(|e| e.into_inner()).0;
        let mut result = Owned(unsafe { std::mem::zeroed() });
        // SAFETY: the connection is open; DuckDB fills `result`, which is
        // destroyed when `Owned` drops, on success and on failure.
        let state = unsafe { ffi::duckdb_query(con, text.as_ptr(), &mut result.0) };
        if state != ffi::DuckDBSuccess {
            return Err(result.failure());
        }
        Ok(result.table())
    }
}

impl Drop for Direct {
    fn drop(&mut self) {
        let mut con = self.con.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: opened by `duckdb_connect`, closed once; interrupts see null after.
        unsafe { ffi::duckdb_disconnect(&mut con.0) };
        con.0 = std::ptr::null_mut();
    }
}

/// The settings of scope LOCAL whose value differs from a new connection's.
fn local_settings(conn: &Connection) -> duckdb::Result<Vec<(String, String)>> {
    let fresh = conn.try_clone()?;
    let read = |c: &Connection| -> duckdb::Result<Vec<(String, String)>> {
        let mut stmt = c.prepare(
            "SELECT name, value FROM duckdb_settings() WHERE scope = 'LOCAL' AND value IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    };
    let defaults = read(&fresh)?;
    let mut changed = read(conn)?;
    changed.retain(|s| !defaults.contains(s));
    Ok(changed)
}

struct Owned(ffi::duckdb_result);

impl Owned {
    fn failure(&mut self) -> Failure {
        // SAFETY: the result holds an error message (or none) until destroyed.
        let message = unsafe { ffi::duckdb_result_error(&mut self.0) };
        let message = if message.is_null() {
            "DuckDB failed without a message".to_string()
        } else {
            unsafe { CStr::from_ptr(message) }.to_string_lossy().into_owned()
        };
        let kind = unsafe { ffi::duckdb_result_error_type(&mut self.0) };
        Failure { message, kind }
    }

    fn table(&mut self) -> Table {
        let r = &mut self.0;
        // SAFETY: `r` is a successful, materialized result; column indexes
        // stay within its count.
        let (columns, types): (Vec<String>, Vec<ffi::duckdb_type>) = unsafe {
            (0..ffi::duckdb_column_count(r))
                .map(|c| {
                    let name = CStr::from_ptr(ffi::duckdb_column_name(r, c));
                    (name.to_string_lossy().into_owned(), ffi::duckdb_column_type(r, c))
                })
                .unzip()
        };
        // Chunks give strings with their length (a VARCHAR may hold NUL);
        // the value functions, which cannot be mixed with them, render every
        // other type as DuckDB casts it to text.
        let rows = if types.iter().all(|t| in_chunks(*t)) {
            unsafe { rows_of_chunks(r, &types) }
        } else {
            unsafe { rows_of_values(r, types.len() as u64) }
        };
        Table { columns, types, rows }
    }
}

/// The types read straight from a chunk's vectors.
fn in_chunks(t: ffi::duckdb_type) -> bool {
    use ffi::*;
    t == DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR
        || t == DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN
        || (DUCKDB_TYPE_DUCKDB_TYPE_TINYINT..=DUCKDB_TYPE_DUCKDB_TYPE_UBIGINT).contains(&t)
}

/// # Safety
/// `r` is a successful result whose columns have `types`, all [`in_chunks`].
unsafe fn rows_of_chunks(r: &mut ffi::duckdb_result, types: &[ffi::duckdb_type]) -> Rows {
    let mut rows = Vec::new();
    loop {
        let mut chunk = ffi::duckdb_fetch_chunk(*r);
        if chunk.is_null() {
            return rows;
        }
        let size = ffi::duckdb_data_chunk_get_size(chunk) as usize;
        let first = rows.len();
        rows.resize(first + size, Vec::with_capacity(types.len()));
        for (col, ty) in types.iter().enumerate() {
            let vector = ffi::duckdb_data_chunk_get_vector(chunk, col as u64);
            let data = ffi::duckdb_vector_get_data(vector);
            let validity = ffi::duckdb_vector_get_validity(vector);
            for (i, row) in rows[first..].iter_mut().enumerate() {
                let valid =
                    validity.is_null() || ffi::duckdb_validity_row_is_valid(validity, i as u64);
                row.push(valid.then(|| fixed(data, i, *ty)));
            }
        }
        ffi::duckdb_destroy_data_chunk(&mut chunk);
    }
}

type Rows = Vec<Vec<Option<String>>>;

/// # Safety
/// `data` is a vector's data of type `ty` with more than `i` entries.
unsafe fn fixed(data: *mut std::ffi::c_void, i: usize, ty: ffi::duckdb_type) -> String {
    use ffi::*;
    match ty {
        DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR => {
            let s = data.cast::<duckdb_string_t>().add(i);
            let len = duckdb_string_t_length(*s) as usize;
            let bytes = std::slice::from_raw_parts(duckdb_string_t_data(s).cast::<u8>(), len);
            String::from_utf8_lossy(bytes).into_owned()
        }
        DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN => (*data.cast::<bool>().add(i)).to_string(),
        DUCKDB_TYPE_DUCKDB_TYPE_TINYINT => (*data.cast::<i8>().add(i)).to_string(),
        DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT => (*data.cast::<i16>().add(i)).to_string(),
        DUCKDB_TYPE_DUCKDB_TYPE_INTEGER => (*data.cast::<i32>().add(i)).to_string(),
        DUCKDB_TYPE_DUCKDB_TYPE_BIGINT => (*data.cast::<i64>().add(i)).to_string(),
        DUCKDB_TYPE_DUCKDB_TYPE_UTINYINT => (*data.cast::<u8>().add(i)).to_string(),
        DUCKDB_TYPE_DUCKDB_TYPE_USMALLINT => (*data.cast::<u16>().add(i)).to_string(),
        DUCKDB_TYPE_DUCKDB_TYPE_UINTEGER => (*data.cast::<u32>().add(i)).to_string(),
        _ => (*data.cast::<u64>().add(i)).to_string(),
    }
}

/// # Safety
/// `r` is a successful result with `width` columns, not read in chunks.
unsafe fn rows_of_values(r: &mut ffi::duckdb_result, width: u64) -> Rows {
    let height = ffi::duckdb_row_count(r);
    (0..height).map(|row| (0..width).map(|col| cell(r, col, row)).collect()).collect()
}

/// # Safety
/// `r` is a successful result with this column and row.
unsafe fn cell(r: &mut ffi::duckdb_result, col: u64, row: u64) -> Option<String> {
    if ffi::duckdb_value_is_null(r, col, row) {
        return None;
    }
    let text = ffi::duckdb_value_varchar(r, col, row);
    if text.is_null() {
        return None;
    }
    let s = CStr::from_ptr(text).to_string_lossy().into_owned();
    ffi::duckdb_free(text.cast());
    Some(s)
}

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: filled by `duckdb_query`, destroyed once.
        unsafe { ffi::duckdb_destroy_result(&mut self.0) }
    }
}

fn failure(message: String) -> duckdb::Error {
    duckdb::Error::DuckDBFailure(ffi::Error::new(ffi::DuckDBError), Some(message))
}
