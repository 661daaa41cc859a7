//! Running one user statement on a restored session.
//!
//! A result is printed as DuckDB's shell prints it, so DuckDB itself turns
//! each value into text: a query runs inside a projection that renders every
//! column (`CAST(.. AS VARCHAR)` for tables and CSV, the shell's JSON for
//! JSON) and names its type, bound and run once. Statements that are not
//! queries (SET, COPY, PRAGMA, ...) run as they are.

use super::direct::{Direct, Table};
use crate::error::{Error, Result};
use duckdb::arrow::array::{Array, RecordBatch};
use duckdb::arrow::datatypes::DataType;
use duckdb::arrow::util::display::{ArrayFormatter, FormatOptions};
use duckdb::{Connection, Params};
use std::time::Duration;

/// How the cells of a result are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cells {
    /// As DuckDB casts them to VARCHAR.
    Text,
    /// Each a JSON value, as DuckDB's shell writes it in `-json` mode.
    Json,
}

/// A result, rendered.
pub(crate) struct Answer {
    pub(crate) columns: Vec<String>,
    /// Which columns hold numbers (right-aligned in a table).
    pub(crate) numeric: Vec<bool>,
    /// `None` is SQL NULL.
    pub(crate) rows: Vec<Vec<Option<String>>>,
    pub(crate) cells: Cells,
    /// The statement returns nothing to show: DuckDB answers a SET or a
    /// CREATE VIEW with an empty `Success` column, and a CREATE TABLE with
    /// an empty `Count` column.
    pub(crate) nothing: bool,
}

/// Runs `sql` on `direct`; with a timeout, a watchdog interrupts it when
/// the time passes.
pub(crate) fn run(
    direct: &Direct,
    sql: &str,
    timeout: Option<Duration>,
    cells: Cells,
) -> Result<Answer> {
    let work = || match direct.query(&rendering(body(sql), cells)) {
        Ok(table) => Ok(rendered(table, cells)),
        // Not a query, or one whose values DuckDB cannot render: as it is.
        // Neither ran, so running the statement now runs it once.
        Err(f) if f.before_running() => direct.query(sql).map(as_is),
        Err(f) => Err(f),
    };
    let (answer, timed_out) = match timeout {
        Some(t) => {
            let handle = direct.interrupt_handle();
            let (r, fired) = crate::engine::attach::within(&|| handle.interrupt(), t, work);
            (r, fired.then_some(t))
        }
        None => (work(), None),
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
pub(crate) fn with_params(conn: &Connection, sql: &str, params: impl Params) -> Result<Answer> {
    as_arrow(conn, sql, params).map_err(|e| Error::database("query", e))
}

/// The statement without the `;` and blanks that may end it.
fn body(sql: &str) -> &str {
    sql.trim_end_matches(|c: char| c == ';' || c.is_whitespace())
}

/// A query that renders each column of `body`, then names each column's
/// type. The shell writes a JSON value as its text, and wide numbers as
/// strings (JSON readers would round them).
fn rendering(body: &str, cells: Cells) -> String {
    let value = match cells {
        Cells::Text => "CAST(COLUMNS(*) AS VARCHAR)".to_string(),
        Cells::Json => format!(
            "CASE WHEN typeof(COLUMNS(*)) = 'JSON' THEN CAST(COLUMNS(*) AS VARCHAR) \
             WHEN regexp_matches(typeof(COLUMNS(*)), '{WIDE}') \
             THEN CAST(to_json(CAST(COLUMNS(*) AS VARCHAR)) AS VARCHAR) \
             ELSE CAST(to_json(COLUMNS(*)) AS VARCHAR) END"
        ),
    };
    // The line breaks keep a comment that ends the statement from ending this one.
    format!("SELECT {value}, typeof(COLUMNS(*)) FROM (\n{body}\n)")
}

/// Numbers that DuckDB's shell writes as JSON strings.
const WIDE: &str = "^(HUGEINT|UBIGINT|UHUGEINT|DECIMAL|BIGNUM)";

/// Reads a rendered result: the values, then as many columns of types.
fn rendered(table: Table, cells: Cells) -> Answer {
    let width = table.columns.len() / 2;
    let types: Vec<String> = table
        .rows
        .first()
        .map(|row| row[width..].iter().map(|t| t.clone().unwrap_or_default()).collect())
        .unwrap_or_default();
    let mut columns = table.columns;
    columns.truncate(width);
    Answer {
        columns,
        numeric: types.iter().map(|t| is_number(t)).collect(),
        rows: table
            .rows
            .into_iter()
            .map(|mut r| {
                r.truncate(width);
                r
            })
            .collect(),
        cells,
        nothing: false,
    }
}

/// A result of a statement that is not a query, as DuckDB renders it.
fn as_is(table: Table) -> Answer {
    use duckdb::ffi::{
        DUCKDB_TYPE_DUCKDB_TYPE_BIGINT as BIGINT, DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN as BOOLEAN,
    };
    let marker = match (table.columns.as_slice(), table.types.as_slice()) {
        ([name], [BOOLEAN]) => name == "Success",
        ([name], [BIGINT]) => name == "Count",
        _ => false,
    };
    Answer {
        nothing: table.columns.is_empty() || (table.rows.is_empty() && marker),
        numeric: table.types.iter().map(|t| is_numeric_type(*t)).collect(),
        columns: table.columns,
        rows: table.rows,
        cells: Cells::Text,
    }
}

fn is_numeric_type(t: duckdb::ffi::duckdb_type) -> bool {
    use duckdb::ffi::*;
    (DUCKDB_TYPE_DUCKDB_TYPE_TINYINT..=DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE).contains(&t)
        || [
            DUCKDB_TYPE_DUCKDB_TYPE_HUGEINT,
            DUCKDB_TYPE_DUCKDB_TYPE_UHUGEINT,
            DUCKDB_TYPE_DUCKDB_TYPE_DECIMAL,
        ]
        .contains(&t)
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
        let db = crate::engine::instance::open(None, &[]).unwrap();
        let conn = db.direct().unwrap();
        let a = run(&conn, "SELECT 1 AS a -- the answer\n;", None, Cells::Text).unwrap();
        assert_eq!(a.rows, vec![vec![Some("1".to_string())]]);
        assert!(a.numeric[0]);
    }

    #[test]
    fn statements_that_are_not_queries_run_as_they_are() {
        let db = crate::engine::instance::open(None, &[]).unwrap();
        let conn = db.direct().unwrap();
        assert!(run(&conn, "CREATE TABLE t (x INTEGER)", None, Cells::Text).unwrap().nothing);
        assert!(run(&conn, "SET threads = 1", None, Cells::Text).unwrap().nothing);
        let pragma = run(&conn, "PRAGMA table_info('t')", None, Cells::Text).unwrap();
        assert_eq!(pragma.rows[0][1].as_deref(), Some("x"));
    }

    #[test]
    fn columns_keep_their_order_and_duckdbs_names() {
        let db = crate::engine::instance::open(None, &[]).unwrap();
        let conn = db.direct().unwrap();
        let a = run(&conn, "SELECT 1 AS a, 'x' AS a, 2.5 AS \"b c\"", None, Cells::Json).unwrap();
        assert_eq!(a.columns, ["a", "a_1", "b c"]);
        let row =
            vec![Some("1".to_string()), Some("\"x\"".to_string()), Some("\"2.5\"".to_string())];
        assert_eq!(a.rows, vec![row]);
        assert_eq!(a.numeric, [true, false, true]);
    }

    #[test]
    fn a_query_runs_once() {
        let db = crate::engine::instance::open(None, &[]).unwrap();
        let conn = db.direct().unwrap();
        db.execute_batch("CREATE SEQUENCE s").unwrap();
        let a = run(&conn, "SELECT nextval('s') AS n", None, Cells::Text).unwrap();
        assert_eq!(a.rows, vec![vec![Some("1".to_string())]]);
        let ordered =
            run(&conn, "SELECT range AS r FROM range(3) ORDER BY r DESC", None, Cells::Text);
        let rows: Vec<_> =
            ordered.unwrap().rows.into_iter().map(|r| r[0].clone().unwrap()).collect();
        assert_eq!(rows, ["2", "1", "0"]);
    }

    #[test]
    fn statements_see_the_sessions_connection_local_settings() {
        let db = crate::engine::instance::open(None, &[]).unwrap();
        db.execute_batch(
            "CREATE SCHEMA s; CREATE TABLE s.t AS SELECT 42 AS x; SET search_path = 's'",
        )
        .unwrap();
        let direct = db.direct().unwrap();
        let a = run(&direct, "SELECT x FROM t", None, Cells::Text).unwrap();
        assert_eq!(a.rows, vec![vec![Some("42".to_string())]]);
    }

    #[test]
    fn a_failing_query_runs_once() {
        let db = crate::engine::instance::open(None, &[]).unwrap();
        db.execute_batch("CREATE SEQUENCE s").unwrap();
        let direct = db.direct().unwrap();
        let e = run(&direct, "SELECT nextval('s') / 0 AS n, error('boom')", None, Cells::Text);
        assert!(e.is_err());
        let a = run(&direct, "SELECT currval('s') AS n", None, Cells::Text).unwrap();
        assert_eq!(a.rows, vec![vec![Some("1".to_string())]]);
    }
}
