//! Running one user statement on a restored session.

use crate::error::{Error, Result};
use duckdb::arrow::array::RecordBatch;
use duckdb::arrow::datatypes::DataType;
use duckdb::Connection;

pub struct Answer {
    pub columns: Vec<String>,
    pub types: Vec<DataType>,
    pub batches: Vec<RecordBatch>,
}

pub fn run(conn: &Connection, sql: &str) -> Result<Answer> {
    let fail = |e: duckdb::Error| Error::database("query", e);
    let mut stmt = conn.prepare(sql).map_err(fail)?;
    let arrow = stmt.query_arrow([]).map_err(fail)?;
    let schema = arrow.get_schema();
    let batches: Vec<RecordBatch> = arrow.collect();
    Ok(Answer {
        columns: schema.fields().iter().map(|f| f.name().clone()).collect(),
        types: schema.fields().iter().map(|f| f.data_type().clone()).collect(),
        batches,
    })
}
