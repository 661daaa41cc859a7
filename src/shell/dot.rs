//! The shell's own commands, which start with a dot: what the catalog holds,
//! how results print, help, and leaving.

use crate::config::resolve::STATE_SCHEMA;
use crate::engine::query::{self, Answer};
use crate::error::{Error, Result};
use crate::output::Format;
use duckdb::Connection;

pub(crate) const HELP: &str = "\
SQL statements end with ';' and may span lines. Ctrl-C interrupts a running
statement, or clears the line at the prompt.

.tables              the tables, of every attached database
.views               the views (DuckDB's own and duckalog's state left out)
.schema [NAME]       the CREATE statement of a view or table ([db.][schema.]NAME),
                     or of all of them
.mode table|csv|json how results print
.help                this text
.quit, .exit         leave (also Ctrl-D)
";

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    Tables,
    Views,
    Schema(Option<Vec<String>>),
    Mode(Format),
    Help,
    Quit,
}

/// What a command prints.
pub(crate) enum Shown {
    Grid(Answer),
    Text(String),
}

pub(crate) fn parse(line: &str) -> std::result::Result<Command, String> {
    let (word, arg) =
        line.split_once(char::is_whitespace).map_or((line, ""), |(w, a)| (w, a.trim()));
    let no_arg =
        |c: Command| if arg.is_empty() { Ok(c) } else { Err(format!("{word} takes no argument")) };
    match word {
        ".tables" => no_arg(Command::Tables),
        ".views" => no_arg(Command::Views),
        ".schema" if arg.is_empty() => Ok(Command::Schema(None)),
        ".schema" => name_parts(arg).map(|p| Command::Schema(Some(p))),
        ".mode" => arg.parse().map(Command::Mode),
        ".help" => no_arg(Command::Help),
        ".quit" | ".exit" | "quit" | "exit" => no_arg(Command::Quit),
        other => Err(format!("unknown command {other}: .help lists the commands")),
    }
}

/// `a.b.c` into its parts, each maybe in double quotes (`"my.schema".v`).
fn name_parts(text: &str) -> std::result::Result<Vec<String>, String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                parts.last_mut().expect("never empty").push('"');
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(String::new()),
            c => parts.last_mut().expect("never empty").push(c),
        }
    }
    if quoted || parts.len() > 3 || parts.iter().any(String::is_empty) {
        return Err(format!(
            "{text} is not a name: give NAME, SCHEMA.NAME or DATABASE.SCHEMA.NAME"
        ));
    }
    Ok(parts)
}

/// The user's tables and views. duckalog's state schema and DuckDB's
/// internal objects are left out.
const OBJECTS: &str = "
    SELECT database_name, schema_name, table_name AS name, 'table' AS kind, sql, comment
    FROM duckdb_tables() WHERE NOT internal AND schema_name <> $1
    UNION ALL
    SELECT database_name, schema_name, view_name, 'view', sql, comment
    FROM duckdb_views() WHERE NOT internal AND schema_name <> $1";

pub(crate) fn run(conn: &Connection, cmd: &Command) -> Result<Shown> {
    let list = |kind: &str| {
        let sql = format!(
            "SELECT database_name AS database, schema_name AS schema, name, coalesce(comment, '') AS comment FROM ({OBJECTS}) \
             WHERE kind = $2 ORDER BY ALL"
        );
        query::with_params(conn, &sql, [STATE_SCHEMA, kind]).map(Shown::Grid)
    };
    match cmd {
        Command::Tables => list("table"),
        Command::Views => list("view"),
        Command::Schema(name) => schema(conn, name.as_deref()),
        Command::Mode(_) | Command::Help | Command::Quit => {
            unreachable!("the shell handles {cmd:?} itself")
        }
    }
}

/// The CREATE statements of the objects `name` matches (all without a
/// name), compared without case as DuckDB compares names. An object DuckDB
/// has no statement for (a table of an attached PostgreSQL database) shows
/// its columns instead.
fn schema(conn: &Connection, name: Option<&[String]>) -> Result<Shown> {
    let part = |back: usize| name.and_then(|p| p.len().checked_sub(back).map(|i| p[i].clone()));
    let sql = format!(
        "SELECT o.sql, o.database_name || '.' || o.schema_name || '.' || o.name, o.database_name = current_database(),
                (SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY column_index) FROM duckdb_columns() c
                 WHERE c.database_name = o.database_name AND c.schema_name = o.schema_name AND c.table_name = o.name)
         FROM ({OBJECTS}) o
         WHERE ($2 IS NULL OR lower(o.name) = lower($2)) AND ($3 IS NULL OR lower(o.schema_name) = lower($3))
           AND ($4 IS NULL OR lower(o.database_name) = lower($4))
         ORDER BY o.database_name <> current_database(), 2"
    );
    let mut stmt = conn.prepare(&sql).map_err(|e| Error::database("schema", e))?;
    let rows = stmt
        .query_map(duckdb::params![STATE_SCHEMA, part(1), part(2), part(3)], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })
        .and_then(|rows| rows.collect::<duckdb::Result<Vec<_>>>())
        .map_err(|e| Error::database("schema", e))?;
    if rows.is_empty() {
        let what = name.map_or("no tables or views".to_string(), |p| {
            format!("no table or view named {}", p.join("."))
        });
        return Err(Error::database("schema", what));
    }
    let mut text = String::new();
    for (create, qualified, here, columns) in rows {
        match create.filter(|s| !s.trim().is_empty()) {
            Some(s) => {
                // DuckDB's statement does not name the database: say which it is.
                if !here {
                    text.push_str(&format!("-- {qualified}\n"));
                }
                text.push_str(&format!("{};\n", s.trim_end().trim_end_matches(';')));
            }
            None => text
                .push_str(&format!("-- {qualified} (columns): {}\n", columns.unwrap_or_default())),
        }
    }
    Ok(Shown::Text(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands_and_names() {
        assert_eq!(parse(".tables"), Ok(Command::Tables));
        assert_eq!(parse(".mode csv"), Ok(Command::Mode(Format::Csv)));
        assert_eq!(parse(".schema"), Ok(Command::Schema(None)));
        assert_eq!(
            parse(r#".schema "my.db".Main."a""b""#),
            Ok(Command::Schema(Some(vec!["my.db".into(), "Main".into(), "a\"b".into()])))
        );
        assert!(parse(".schema a..b").is_err());
        assert!(parse(".views x").is_err());
        assert!(parse(".frobnicate").unwrap_err().contains(".help"));
    }
}
