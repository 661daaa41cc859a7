//! Printing query results as an aligned table, CSV or JSON.

use duckdb::arrow::array::Array;
use duckdb::arrow::datatypes::DataType;
use duckdb::arrow::util::display::{ArrayFormatter, FormatOptions};
use crate::error::Error;
use crate::query::Answer;
use crate::secret::scrub;
use std::io::{self, Write};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
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
pub struct Grid {
    pub columns: Vec<String>,
    pub numeric: Vec<bool>,
    /// `None` is SQL NULL.
    pub rows: Vec<Vec<Option<String>>>,
}

impl Grid {
    pub fn from_answer(answer: Answer) -> Result<Grid, String> {
        let Answer { columns, types, batches } = answer;
        let opts = FormatOptions::default();
        let mut rows = Vec::new();
        for batch in &batches {
            let formatters = batch
                .columns()
                .iter()
                .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts).map_err(|e| e.to_string()))
                .collect::<Result<Vec<_>, _>>()?;
            for r in 0..batch.num_rows() {
                rows.push(
                    batch
                        .columns()
                        .iter()
                        .zip(&formatters)
                        .map(|(col, f)| (!col.is_null(r)).then(|| scrub(&f.value(r).to_string())))
                        .collect(),
                );
            }
        }
        let numeric = types.iter().map(DataType::is_numeric).collect();
        Ok(Grid { columns, numeric, rows })
    }

    pub fn write(&self, format: Format, out: &mut dyn Write) -> io::Result<()> {
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
        let rule: String = widths.iter().map(|w| format!("+{}", "-".repeat(w + 2))).collect::<String>() + "+";
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
        let field = |s: &str| {
            if s.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        writeln!(out, "{}", self.columns.iter().map(|c| field(c)).collect::<Vec<_>>().join(","))?;
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|c| c.as_deref().map(field).unwrap_or_default()).collect();
            writeln!(out, "{}", cells.join(","))?;
        }
        Ok(())
    }

    /// One object a row, its keys in column order. Numbers are written as
    /// DuckDB shows them: read through a float, a DECIMAL(18,3) or a HUGEINT
    /// would lose digits.
    fn json(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.rows.is_empty() {
            return writeln!(out, "[]");
        }
        let string = |text: &str| serde_json::Value::from(text).to_string();
        writeln!(out, "[")?;
        for (r, row) in self.rows.iter().enumerate() {
            writeln!(out, "  {{")?;
            for (c, ((name, cell), num)) in self.columns.iter().zip(row).zip(&self.numeric).enumerate() {
                let value = match cell {
                    None => "null".to_string(),
                    Some(text) if *num && serde_json::from_str::<serde_json::Number>(text).is_ok() => text.clone(),
                    Some(text) => string(text),
                };
                let comma = if c + 1 < self.columns.len() { "," } else { "" };
                writeln!(out, "    {}: {value}{comma}", string(name))?;
            }
            writeln!(out, "  }}{}", if r + 1 < self.rows.len() { "," } else { "" })?;
        }
        writeln!(out, "]")
    }
}

/// Prints a statement's result.
pub fn print(answer: Answer, format: Format, out: &mut dyn Write) -> crate::Result<()> {
    let grid = Grid::from_answer(answer).map_err(Error::Other)?;
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
        assert_eq!(text(Format::Csv), "id,name\n1,\"a,b\"\n22,\n");
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
        };
        let mut buf = Vec::new();
        g.write(Format::Json, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "[\n  {\n    \"z\": \"x\",\n    \"d\": 123456789012345.678,\n    \"h\": 12345678901234567890123,\n    \"nan\": \"nan\",\n    \"q\\\"\": \"a\\nb\"\n  }\n]\n"
        );
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
        let empty = Grid { columns: vec!["a".into()], numeric: vec![true], rows: vec![] };
        let mut buf = Vec::new();
        empty.write(Format::Json, &mut buf).unwrap();
        assert_eq!(buf, b"[]\n");
    }
}
