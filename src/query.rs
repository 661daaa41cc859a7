//! Running one user statement on a restored session.

use crate::error::{Error, Result};
use duckdb::arrow::array::RecordBatch;
use duckdb::arrow::datatypes::DataType;
use duckdb::{Arrow, Connection, Params};
use std::time::Duration;

pub struct Answer {
    pub columns: Vec<String>,
    pub types: Vec<DataType>,
    pub batches: Vec<RecordBatch>,
}

impl Answer {
    fn from_arrow(arrow: Arrow<'_>) -> Answer {
        let schema = arrow.get_schema();
        Answer {
            columns: schema.fields().iter().map(|f| f.name().clone()).collect(),
            types: schema.fields().iter().map(|f| f.data_type().clone()).collect(),
            batches: arrow.collect(),
        }
    }

    /// Whether the statement returns nothing: DuckDB answers a SET or a
    /// CREATE VIEW with an empty `Success` column, and a CREATE TABLE with an
    /// empty `Count` column.
    pub fn is_nothing(&self) -> bool {
        let empty = self.batches.iter().all(|b| b.num_rows() == 0);
        let marker = match (self.columns.as_slice(), self.types.as_slice()) {
            ([name], [DataType::Boolean]) => name == "Success",
            ([name], [DataType::Int64]) => name == "Count",
            _ => false,
        };
        self.columns.is_empty() || (empty && marker)
    }
}

/// Runs `sql`; with a timeout, a watchdog interrupts it when the time passes.
pub fn run(conn: &Connection, sql: &str, timeout: Option<Duration>) -> Result<Answer> {
    let fail = |e: duckdb::Error| Error::database("query", e);
    let mut stmt = conn.prepare(sql).map_err(fail)?;
    let (answer, timed_out) = match timeout {
        Some(t) => {
            let (r, fired) = crate::attach::within(conn, t, || stmt.query_arrow([]).map(Answer::from_arrow));
            (r, fired.then_some(t))
        }
        None => (stmt.query_arrow([]).map(Answer::from_arrow), None),
    };
    match (answer, timed_out) {
        (Ok(a), _) => Ok(a),
        (Err(_), Some(t)) => Err(Error::database("query", format!("interrupted after {t:?} (--query-timeout)"))),
        (Err(e), None) => Err(fail(e)),
    }
}

/// Runs a statement of duckalog's own, with its values bound as parameters.
pub fn with_params(conn: &Connection, sql: &str, params: impl Params) -> Result<Answer> {
    let fail = |e: duckdb::Error| Error::database("query", e);
    let mut stmt = conn.prepare(sql).map_err(fail)?;
    let arrow = stmt.query_arrow(params).map_err(fail)?;
    Ok(Answer::from_arrow(arrow))
}
