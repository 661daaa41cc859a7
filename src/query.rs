//! Running one user statement on a restored session.
//!
//! A result is printed as DuckDB's shell prints it, so DuckDB itself turns
//! each value into text: a query is bound first (`DESCRIBE`) for its columns
//! and types, then run inside a projection that renders each column, as
//! `CAST(.. AS VARCHAR)` for tables and CSV, or as the shell's JSON.
//! Statements that are not queries (SET, COPY, PRAGMA, ...) run as they are.

use crate::error::{Error, Result};
use duckdb::arrow::array::{Array, RecordBatch};
use duckdb::arrow::datatypes::DataType;
use duckdb::arrow::util::display::{ArrayFormatter, FormatOptions};
use duckdb::{Connection, Params};
use std::time::Duration;

/// How the cells of a result are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cells {
    /// As DuckDB casts them to VARCHAR.
    Text,
    /// Each a JSON value, as DuckDB's shell writes it in `-json` mode.
    Json,
}

/// A result, rendered.
pub struct Answer {
    pub columns: Vec<String>,
    /// Which columns hold numbers (right-aligned in a table).
    pub numeric: Vec<bool>,
    /// `None` is SQL NULL.
    pub rows: Vec<Vec<Option<String>>>,
    pub cells: Cells,
    /// The statement returns nothing to show: DuckDB answers a SET or a
    /// CREATE VIEW with an empty `Success` column, and a CREATE TABLE with
    /// an empty `Count` column.
    pub nothing: bool,
}

/// A column of a query, as DESCRIBE gives it.
struct Column {
    name: String,
    ty: String,
}

/// Runs `sql`; with a timeout, a watchdog interrupts it when the time passes.
pub fn run(
    conn: &Connection,
    sql: &str,
    timeout: Option<Duration>,
    cells: Cells,
) -> Result<Answer> {
    let body = body(sql);
    let rendered_query = describe(conn, body).and_then(|columns| {
        let stmt = conn.prepare(&rendering(body, &columns, cells)).ok()?;
        Some((stmt, columns))
    });
    let (answer, timed_out) = match rendered_query {
        Some((mut stmt, columns)) => {
            watched(conn, timeout, || rendered(&mut stmt, &columns, cells))
        }
        // Not a query, or one whose values DuckDB cannot render: as it is.
        None => watched(conn, timeout, || as_arrow(conn, sql, [])),
    };
    match (answer, timed_out) {
        (Ok(a), _) => Ok(a),
        (Err(_), Some(t)) => {
            Err(Error::database("query", format!("interrupted after {t:?} (--query-timeout)")))
        }
        (Err(e), None) => Err(Error::database("query", e)),
    }
}

/// Runs a statement of duckalog's own, with its values bound as parameters.
pub fn with_params(conn: &Connection, sql: &str, params: impl Params) -> Result<Answer> {
    as_arrow(conn, sql, params).map_err(|e| Error::database("query", e))
}

fn watched(
    conn: &Connection,
    timeout: Option<Duration>,
    work: impl FnOnce() -> duckdb::Result<Answer>,
) -> (duckdb::Result<Answer>, Option<Duration>) {
    match timeout {
        Some(t) => {
            let (r, fired) = crate::attach::within(conn, t, work);
            (r, fired.then_some(t))
        }
        None => (work(), None),
    }
}

/// The statement without the `;` and blanks that may end it.
fn body(sql: &str) -> &str {
    sql.trim_end_matches(|c: char| c == ';' || c.is_whitespace())
}

/// The columns of `body` when it is a query; `None` for other statements.
fn describe(conn: &Connection, body: &str) -> Option<Vec<Column>> {
    // The line break keeps a comment that ends the statement from ending this one.
    let mut stmt = conn.prepare(&format!("DESCRIBE {body}\n")).ok()?;
    let rows = stmt.query_map([], |r| Ok(Column { name: r.get(0)?, ty: r.get(1)? })).ok()?;
    rows.collect::<duckdb::Result<Vec<_>>>().ok()
}

/// A query that renders each column of `body` as text.
fn rendering(body: &str, columns: &[Column], cells: Cells) -> String {
    let exprs: Vec<String> = (1..=columns.len())
        .zip(columns)
        .map(|(i, c)| match cells {
            Cells::Text => format!("CAST(#{i} AS VARCHAR)"),
            // The shell writes these as strings: JSON readers would round them.
            // A JSON value is written as its text, as the shell does.
            Cells::Json if c.ty == "JSON" => format!("CAST(#{i} AS VARCHAR)"),
            Cells::Json if is_wide_number(&c.ty) => {
                format!("CAST(to_json(CAST(#{i} AS VARCHAR)) AS VARCHAR)")
            }
            Cells::Json => format!("CAST(to_json(#{i}) AS VARCHAR)"),
        })
        .collect();
    if exprs.is_empty() {
        return format!("SELECT * FROM (\n{body}\n)");
    }
    format!("SELECT {} FROM (\n{body}\n)", exprs.join(", "))
}

fn rendered(
    stmt: &mut duckdb::Statement<'_>,
    columns: &[Column],
    cells: Cells,
) -> duckdb::Result<Answer> {
    let width = columns.len();
    let rows =
        stmt.query_map([], |r| (0..width).map(|i| r.get::<_, Option<String>>(i)).collect())?;
    Ok(Answer {
        columns: columns.iter().map(|c| c.name.clone()).collect(),
        numeric: columns.iter().map(|c| is_number(&c.ty)).collect(),
        rows: rows.collect::<duckdb::Result<_>>()?,
        cells,
        nothing: false,
    })
}

/// DuckDB's numeric types, by the names DESCRIBE gives them.
fn is_number(ty: &str) -> bool {
    let base = ty.split('(').next().unwrap_or(ty);
    matches!(
        base,
        "TINYINT"
            | "SMALLINT"
            | "INTEGER"
            | "BIGINT"
            | "HUGEINT"
            | "UTINYINT"
            | "USMALLINT"
            | "UINTEGER"
            | "UBIGINT"
            | "UHUGEINT"
            | "FLOAT"
            | "DOUBLE"
            | "DECIMAL"
            | "BIGNUM"
    )
}

/// Numbers that DuckDB's shell writes as JSON strings.
fn is_wide_number(ty: &str) -> bool {
    let base = ty.split('(').next().unwrap_or(ty);
    matches!(base, "HUGEINT" | "UBIGINT" | "UHUGEINT" | "DECIMAL" | "BIGNUM")
}

/// Runs a statement as it is, its result read through Arrow.
fn as_arrow(conn: &Connection, sql: &str, params: impl Params) -> duckdb::Result<Answer> {
    let mut stmt = conn.prepare(sql)?;
    let arrow = stmt.query_arrow(params)?;
    let schema = arrow.get_schema();
    let columns: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let types: Vec<DataType> = schema.fields().iter().map(|f| f.data_type().clone()).collect();
    let batches: Vec<RecordBatch> = arrow.collect();
    let rows = arrow_rows(&batches)?;
    let marker = match (columns.as_slice(), types.as_slice()) {
        ([name], [DataType::Boolean]) => name == "Success",
        ([name], [DataType::Int64]) => name == "Count",
        _ => false,
    };
    Ok(Answer {
        nothing: columns.is_empty() || (rows.is_empty() && marker),
        numeric: types.iter().map(DataType::is_numeric).collect(),
        columns,
        rows,
        cells: Cells::Text,
    })
}

fn arrow_rows(batches: &[RecordBatch]) -> duckdb::Result<Vec<Vec<Option<String>>>> {
    let opts = FormatOptions::default();
    let mut rows = Vec::new();
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| duckdb::Error::ToSqlConversionFailure(Box::new(e)))?;
        for r in 0..batch.num_rows() {
            let row = batch.columns().iter().zip(&formatters);
            rows.push(
                row.map(|(col, f)| (!col.is_null(r)).then(|| f.value(r).to_string())).collect(),
            );
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_comment_or_semicolon_stays_inside_the_query() {
        let conn = Connection::open_in_memory().unwrap();
        let a = run(&conn, "SELECT 1 AS a -- the answer\n;", None, Cells::Text).unwrap();
        assert_eq!(a.rows, vec![vec![Some("1".to_string())]]);
        assert!(a.numeric[0]);
    }

    #[test]
    fn statements_that_are_not_queries_run_as_they_are() {
        let conn = Connection::open_in_memory().unwrap();
        assert!(run(&conn, "CREATE TABLE t (x INTEGER)", None, Cells::Text).unwrap().nothing);
        assert!(run(&conn, "SET threads = 1", None, Cells::Text).unwrap().nothing);
        let pragma = run(&conn, "PRAGMA table_info('t')", None, Cells::Text).unwrap();
        assert_eq!(pragma.rows[0][1].as_deref(), Some("x"));
    }

    #[test]
    fn duplicate_column_names_keep_their_order() {
        let conn = Connection::open_in_memory().unwrap();
        let a = run(&conn, "SELECT 1 AS a, 'x' AS a ORDER BY 1", None, Cells::Json).unwrap();
        assert_eq!(a.columns, ["a", "a"]);
        assert_eq!(a.rows, vec![vec![Some("1".to_string()), Some("\"x\"".to_string())]]);
    }
}
