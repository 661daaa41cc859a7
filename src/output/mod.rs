//! Printing query results as an aligned table, CSV or JSON.

use crate::engine::query::{Answer, Cells};
use crate::error::Error;
use crate::secrets::scrub;
use std::io::{self, Write};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Table,
    Csv,
    Json,
}

impl Format {
    /// How DuckDB renders the cells of a result for this format.
    pub(crate) fn cells(self) -> Cells {
        match self {
            Format::Json => Cells::Json,
            Format::Table | Format::Csv => Cells::Text,
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            other => Err(format!("unknown format {other:?}: use table, csv or json")),
        }
    }
}

/// A result held as text, plus what is needed to print it faithfully.
/// Configured secret values are masked even here: DuckDB's own
/// `duckdb_secrets()` shows some of them (an S3 `key_id`).
pub(crate) struct Grid {
    pub(crate) columns: Vec<String>,
    pub(crate) numeric: Vec<bool>,
    /// `None` is SQL NULL.
    pub(crate) rows: Vec<Vec<Option<String>>>,
    pub(crate) cells: Cells,
}

impl Grid {
    pub(crate) fn from_answer(answer: Answer) -> Grid {
        let Answer { columns, numeric, rows, cells, .. } = answer;
        let rows = rows
            .into_iter()
            .map(|row| row.into_iter().map(|c| c.map(|v| scrub(&v))).collect())
            .collect();
        Grid { columns, numeric, rows, cells }
    }

    pub(crate) fn write(&self, format: Format, out: &mut dyn Write) -> io::Result<()> {
        match format {
            Format::Table => self.table(out),
            Format::Csv => self.csv(out),
            Format::Json => self.json(out),
        }
    }

    fn table(&self, out: &mut dyn Write) -> io::Result<()> {
        let shown = |c: &Option<String>| c.clone().unwrap_or_else(|| "NULL".into());
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(shown(cell).chars().count());
            }
        }
        let rule: String =
            widths.iter().map(|w| format!("+{}", "-".repeat(w + 2))).collect::<String>() + "+";
        let line = |cells: Vec<String>, numeric: &[bool]| -> String {
            let mut s = String::new();
            for ((cell, w), num) in cells.iter().zip(&widths).zip(numeric) {
                let pad = " ".repeat(w - cell.chars().count());
                if *num {
                    s.push_str(&format!("| {pad}{cell} "));
                } else {
                    s.push_str(&format!("| {cell}{pad} "));
                }
            }
            s + "|"
        };
        writeln!(out, "{rule}")?;
        writeln!(out, "{}", line(self.columns.clone(), &vec![false; widths.len()]))?;
        writeln!(out, "{rule}")?;
        for row in &self.rows {
            writeln!(out, "{}", line(row.iter().map(shown).collect(), &self.numeric))?;
        }
        writeln!(out, "{rule}")?;
        writeln!(out, "({} row{})", self.rows.len(), if self.rows.len() == 1 { "" } else { "s" })
    }

    fn csv(&self, out: &mut dyn Write) -> io::Result<()> {
        // Quoted where DuckDB's shell quotes: control characters, quotes,
        // the separator, and every byte outside printable ASCII.
        let field = |s: &str| {
            if s.bytes().any(|b| !(b' '..0x7f).contains(&b) || matches!(b, b',' | b'"' | b'\'')) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        writeln!(out, "{}", self.columns.iter().map(|c| field(c)).collect::<Vec<_>>().join(","))?;
        for row in &self.rows {
            let cells: Vec<String> =
                row.iter().map(|c| c.as_deref().map_or_else(|| "NULL".into(), field)).collect();
            writeln!(out, "{}", cells.join(","))?;
        }
        Ok(())
    }

    /// One object a row, its keys in column order, laid out as DuckDB's
    /// shell writes them. Values that DuckDB rendered as JSON are written as
    /// they are; text is written as a number where the column is numeric, so
    /// that no digit of a DECIMAL or a HUGEINT is lost through a float.
    fn json(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.rows.is_empty() {
            return writeln!(out, "[]");
        }
        let string = |text: &str| serde_json::Value::from(text).to_string();
        for (r, row) in self.rows.iter().enumerate() {
            let fields =
                self.columns.iter().zip(row).zip(&self.numeric).map(|((name, cell), num)| {
                    let value = match (cell, self.cells) {
                        (None, _) => "null".to_string(),
                        (Some(json), Cells::Json) => json.clone(),
                        (Some(text), Cells::Text)
                            if *num && serde_json::from_str::<serde_json::Number>(text).is_ok() =>
                        {
                            text.clone()
                        }
                        (Some(text), Cells::Text) => string(text),
                    };
                    format!("{}:{value}", string(name))
                });
            let open = if r == 0 { "[" } else { "" };
            let close = if r + 1 == self.rows.len() { "]" } else { "," };
            writeln!(out, "{open}{{{}}}{close}", fields.collect::<Vec<_>>().join(","))?;
        }
        Ok(())
    }
}

/// Prints duckalog's own report: rows of text under `columns`, as a table.
pub(crate) fn print_table(
    columns: &[&str],
    rows: Vec<Vec<Option<String>>>,
) -> crate::error::Result<()> {
    let grid = Grid {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        numeric: vec![false; columns.len()],
        rows,
        cells: Cells::Text,
    };
    let mut out = std::io::stdout().lock();
    grid.write(Format::Table, &mut out).and_then(|()| out.flush()).map_err(Error::output)
}

/// Prints a statement's result.
pub(crate) fn print(
    answer: Answer,
    format: Format,
    out: &mut dyn Write,
) -> crate::error::Result<()> {
    let grid = Grid::from_answer(answer);
    grid.write(format, out).and_then(|()| out.flush()).map_err(Error::output)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        Grid {
            columns: vec!["id".into(), "name".into()],
            numeric: vec![true, false],
            rows: vec![vec![Some("1".into()), Some("a,b".into())], vec![Some("22".into()), None]],
            cells: Cells::Text,
        }
    }

    fn text(f: Format) -> String {
        let mut buf = Vec::new();
        grid().write(f, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn formats() {
        assert_eq!(
            text(Format::Table),
            "+----+------+\n| id | name |\n+----+------+\n|  1 | a,b  |\n| 22 | NULL |\n+----+------+\n(2 rows)\n"
        );
        assert_eq!(text(Format::Csv), "id,name\n1,\"a,b\"\n22,NULL\n");
        let json: serde_json::Value = serde_json::from_str(&text(Format::Json)).unwrap();
        assert_eq!(json, serde_json::json!([{"id": 1, "name": "a,b"}, {"id": 22, "name": null}]));
    }

    #[test]
    fn json_keeps_every_digit_and_the_column_order() {
        let g = Grid {
            columns: vec!["z".into(), "d".into(), "h".into(), "nan".into(), "q\"".into()],
            numeric: vec![false, true, true, true, false],
            rows: vec![vec![
                Some("x".into()),
                Some("123456789012345.678".into()),
                Some("12345678901234567890123".into()),
                Some("nan".into()),
                Some("a\nb".into()),
            ]],
            cells: Cells::Text,
        };
        let mut buf = Vec::new();
        g.write(Format::Json, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "[{\"z\":\"x\",\"d\":123456789012345.678,\"h\":12345678901234567890123,\"nan\":\"nan\",\"q\\\"\":\"a\\nb\"}]\n"
        );
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
        let empty = Grid {
            columns: vec!["a".into()],
            numeric: vec![true],
            rows: vec![],
            cells: Cells::Text,
        };
        let mut buf = Vec::new();
        empty.write(Format::Json, &mut buf).unwrap();
        assert_eq!(buf, b"[]\n");
    }
}
