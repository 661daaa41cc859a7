//! Where the shell's lines come from: a line editor with history at a
//! terminal, or standard input read as it is, without prompts, for scripts.

use crate::error::{Error, Result};
use crate::secrets::scrub;
use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;
use std::io::BufRead;
use std::path::PathBuf;

const PROMPT: &str = "duckalog> ";
/// As wide as the prompt, so that a statement's lines stay aligned.
const CONTINUATION: &str = "     ...> ";

pub(crate) enum Input {
    Line(String),
    /// Ctrl-C at the prompt: drop what was typed.
    Cancel,
    End,
    /// The input cannot be read on (not UTF-8, an I/O error): what it says.
    Unreadable(String),
}

pub(crate) trait Lines {
    /// The next line; `continuation` when a statement is pending.
    fn read(&mut self, continuation: bool) -> Input;
    /// Keeps a statement or command in the history.
    fn remember(&mut self, _entry: &str) {}
}

pub(crate) struct Piped {
    stdin: std::io::StdinLock<'static>,
}

impl Piped {
    pub(crate) fn new() -> Self {
        Piped { stdin: std::io::stdin().lock() }
    }
}

impl Lines for Piped {
    fn read(&mut self, _continuation: bool) -> Input {
        let mut line = String::new();
        match self.stdin.read_line(&mut line) {
            Ok(0) => Input::End,
            Ok(_) => Input::Line(line.trim_end_matches(['\n', '\r']).to_string()),
            Err(e) => Input::Unreadable(format!("reading standard input: {e}")),
        }
    }
}

pub(crate) struct Terminal {
    editor: DefaultEditor,
    history: Option<PathBuf>,
}

impl Terminal {
    pub(crate) fn open() -> Result<Self> {
        let mut editor = DefaultEditor::new()
            .map_err(|e| Error::Other(format!("cannot start the line editor: {e}")))?;
        let history = history_file();
        if let Some(path) = &history {
            // History is a convenience: a file that cannot be read or written
            // costs the user their history, never the shell.
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            if let Err(e) = editor.load_history(path) {
                log::debug!("no history read from {}: {e}", path.display());
            }
        }
        Ok(Terminal { editor, history })
    }
}

impl Lines for Terminal {
    fn read(&mut self, continuation: bool) -> Input {
        match self.editor.readline(if continuation { CONTINUATION } else { PROMPT }) {
            Ok(line) => Input::Line(line),
            Err(ReadlineError::Interrupted) => Input::Cancel,
            Err(ReadlineError::Eof) => Input::End,
            Err(e) => Input::Unreadable(format!("reading the terminal: {e}")),
        }
    }

    /// Configured secret values are masked in the history file too.
    fn remember(&mut self, entry: &str) {
        let _ = self.editor.add_history_entry(scrub(entry));
        if let Some(path) = &self.history {
            if let Err(e) = self.editor.append_history(path) {
                log::debug!("history not written to {}: {e}", path.display());
            }
        }
    }
}

/// `$XDG_STATE_HOME/duckalog/history`, or `~/.local/state/duckalog/history`.
fn history_file() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let state = std::env::var_os("XDG_STATE_HOME")
        .and_then(absolute)
        .or_else(|| std::env::var_os("HOME").and_then(absolute).map(|h| h.join(".local/state")))?;
    Some(state.join("duckalog").join("history"))
}
