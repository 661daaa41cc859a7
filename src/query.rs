//! Running one user statement on a restored session.

use crate::error::{Error, Result};
use duckdb::arrow::array::RecordBatch;
use duckdb::arrow::datatypes::DataType;
use duckdb::Connection;
use std::time::Duration;

pub struct Answer {
    pub columns: Vec<String>,
    pub types: Vec<DataType>,
    pub batches: Vec<RecordBatch>,
}

/// Runs `sql`; with a timeout, a watchdog interrupts it when the time passes.
pub fn run(conn: &Connection, sql: &str, timeout: Option<Duration>) -> Result<Answer> {
    let fail = |e: duckdb::Error| Error::database("query", e);
    let mut stmt = conn.prepare(sql).map_err(fail)?;
    let (arrow, timed_out) = match timeout {
        Some(t) => {
            let (r, fired) = crate::attach::within(conn, t, || stmt.query_arrow([]).map(|a| (a.get_schema(), a.collect::<Vec<_>>())));
            (r, fired.then_some(t))
        }
        None => (stmt.query_arrow([]).map(|a| (a.get_schema(), a.collect::<Vec<_>>())), None),
    };
    let (schema, batches) = match (arrow, timed_out) {
        (Ok(r), _) => r,
        (Err(_), Some(t)) => return Err(Error::database("query", format!("interrupted after {t:?} (--query-timeout)"))),
        (Err(e), None) => return Err(fail(e)),
    };
    Ok(Answer {
        columns: schema.fields().iter().map(|f| f.name().clone()).collect(),
        types: schema.fields().iter().map(|f| f.data_type().clone()).collect(),
        batches,
    })
}
