//! The one error type of the library, and the exit code each kind maps to.

use crate::secrets::scrub;
use std::path::Path;

/// Exit codes, kept from the Python tool so that scripts carry over.
/// How duckalog ends, as its exit code; the codes are kept from the Python
/// tool, so that scripts carry over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// A failure of no more specific kind.
    Other = 1,
    /// A problem in a config file or on the command line.
    Config = 2,
    /// DuckDB, a database file or an attached system failed.
    Database = 3,
    /// The run succeeded without one or more optional attachments; the views
    /// that read them were skipped.
    Partial = 4,
    /// Another process held the database's lock for longer than the run
    /// would wait.
    Locked = 5,
    /// The catalog's database file does not exist yet: nothing to read.
    NoCatalog = 6,
}

impl Exit {
    /// The process's exit code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Everything that can go wrong; each kind maps to an [`Exit`] code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A problem in a config file: where it is, what is wrong, and how to fix it.
    #[error("{file}: {place}{message}")]
    Config {
        /// The config file, shown with control characters escaped.
        file: String,
        /// Key path and/or line, ending in ": ", or empty when unknown.
        place: String,
        /// What is wrong, with secret values masked.
        message: String,
    },
    /// Bad command-line usage.
    #[error("{0}")]
    Usage(String),
    /// DuckDB, a database file or an attached system failed.
    #[error("{context}: {message}")]
    Database {
        /// What was being done, such as `view "v"` or `attaching "pg"`.
        context: String,
        /// The underlying error, on one line.
        message: String,
    },
    /// The database file stayed locked by another process for the whole wait.
    #[error(
        "database {database} is locked by another process and stayed locked for {secs}s; \
         wait for that process to finish, or wait longer with --lock-timeout SECONDS ({message})",
        secs = .waited.as_secs_f64()
    )]
    Locked {
        /// The database file.
        database: String,
        /// How long the run waited for the lock.
        waited: std::time::Duration,
        /// DuckDB's message.
        message: String,
    },
    /// A command that only reads found no database file.
    #[error("{}: the catalog does not exist yet; build it first with `duckalog run`", .0.display())]
    NoCatalog(std::path::PathBuf),
    /// Whoever read standard output stopped reading (`| head`): nothing more
    /// to say, to anyone.
    #[error("standard output was closed")]
    OutputClosed,
    /// Any other failure, with its message.
    #[error("{0}")]
    Other(String),
}

/// A result with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A problem at `key_path` (empty: the file as a whole) in config `file`;
    /// secret values in `message` are masked.
    pub fn config(file: &Path, key_path: &str, message: impl Into<String>) -> Self {
        Error::Config {
            file: printable(&file.display().to_string()),
            place: if key_path.is_empty() {
                String::new()
            } else {
                format!("{}: ", printable(key_path))
            },
            message: printable(&scrub(&message.into())),
        }
    }

    /// A failure of DuckDB or an attached system while doing `context`; `err`
    /// is put on one line, secret values masked.
    pub fn database(context: impl Into<String>, err: impl std::fmt::Display) -> Self {
        Error::Database {
            context: printable(&scrub(&context.into())),
            message: one_line(&err.to_string()),
        }
    }

    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> Exit {
        match self {
            Error::Config { .. } | Error::Usage(_) => Exit::Config,
            Error::Database { .. } => Exit::Database,
            Error::Locked { .. } => Exit::Locked,
            Error::NoCatalog(_) => Exit::NoCatalog,
            Error::Other(_) => Exit::Other,
            Error::OutputClosed => Exit::Ok,
        }
    }

    /// A failure to write results to standard output.
    pub fn output(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::BrokenPipe => Error::OutputClosed,
            _ => Error::Other(format!("writing the result: {e}")),
        }
    }
}

/// Writes `line` to standard error. Unlike `eprintln!`, it never panics:
/// with standard error closed there is no one to tell.
pub fn note(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Writes `text` to standard output, as `print!` does, but returns a closed
/// or failing output as an error instead of panicking.
pub fn print(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(Error::output)
}

/// Keys, names and paths come from config files and may hold line breaks
/// or other control characters: they are shown escaped (`\n`), so that an
/// error, or a comment, stays on one line.
pub fn printable(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}

/// DuckDB messages span several lines (a hint, the statement, a caret); errors
/// here are printed on one line. Secret values are masked first, while a
/// value holding a line break or a tab still matches.
pub fn one_line(text: &str) -> String {
    printable(&scrub(text).split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_multi_line_messages() {
        let e = Error::database(
            "view \"v\"",
            "Catalog Error: Table x does not exist!\n\nLINE 1: SELECT *\n   ^",
        );
        assert_eq!(
            e.to_string(),
            "view \"v\": Catalog Error: Table x does not exist! LINE 1: SELECT * ^"
        );
        assert_eq!(e.exit_code(), Exit::Database);
    }

    #[test]
    fn secret_values_with_line_breaks_are_masked_before_the_line_is_joined() {
        crate::secrets::Secret::new("MKerr\npass\tword");
        let e = Error::database(
            "attaching \"pg\"",
            "Unable to connect at \"password='MKerr\npass\tword'\"\n\x1b[1mhint",
        );
        assert_eq!(
            e.to_string(),
            r#"attaching "pg": Unable to connect at "password='***'" \u{1b}[1mhint"#
        );
        let e = Error::config(Path::new("c.toml"), "x", "value MKerr\npass\tword is wrong");
        assert_eq!(e.to_string(), "c.toml: x: value *** is wrong");
    }

    #[test]
    fn names_with_line_breaks_stay_on_one_line() {
        let e =
            Error::config(Path::new("c.yaml"), "views[0].a\nb", "view \"a\nb\" is\tdefined twice");
        assert_eq!(e.to_string(), r#"c.yaml: views[0].a\nb: view "a\nb" is\tdefined twice"#);
        assert_eq!(Error::database("view \"x\ny\"", "e").to_string(), r#"view "x\ny": e"#);
    }
}
