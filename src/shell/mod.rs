//! The SQL shell of `run --interactive`: statements typed at a prompt (with
//! line editing and history) or piped on standard input, run on the restored
//! session, their results printed as the rest of duckalog prints them.
//!
//! Ctrl-C interrupts the running statement and leaves the shell alone; at
//! the prompt it clears the line. Errors are printed on one line and the
//! shell goes on.

mod dot;
mod input;
mod split;

pub(crate) use split::statements;

use crate::engine::direct::{Direct, InterruptHandle};
use crate::engine::Instance;
use crate::error::{note, print, Error, Result};
use crate::output::{self, Format};
use crate::secrets::scrub;
use duckdb::Connection;
use input::{Input, Lines};
use split::Splitter;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Runs the shell until `.quit` or the end of input. Returns how many
/// statements failed when the input was piped, for the exit code of a
/// script; at a terminal the user has seen each error, and it is 0.
pub(crate) fn run(instance: &Instance, format: Format) -> Result<usize> {
    let direct = instance.direct().map_err(|e| Error::database("opening a connection", e))?;
    let terminal = std::io::stdin().is_terminal();
    let mut lines: Box<dyn Lines> =
        if terminal { Box::new(input::Terminal::open()?) } else { Box::new(input::Piped::new()) };
    if terminal {
        note(&format!(
            "duckalog {} (DuckDB {}): SQL ends with ';'. .help for help, .quit or Ctrl-D to leave.",
            env!("CARGO_PKG_VERSION"),
            crate::extensions::DUCKDB_VERSION
        ));
    }
    let interrupts = Interrupts::install(direct.interrupt_handle(), !terminal);
    let mut shell = Shell { conn: instance, direct: &direct, format, interrupts, failed: 0 };
    let mut split = Splitter::default();
    loop {
        match lines.read(!split.is_idle()) {
            Input::End => {
                if let Some(stmt) = split.finish() {
                    lines.remember(&stmt);
                    shell.execute(&stmt)?;
                }
                break;
            }
            Input::Cancel => split.clear(),
            Input::Unreadable(message) => {
                // The statements after the unreadable input never run.
                note(&format!("error: {message}"));
                shell.failed += 1;
                break;
            }
            Input::Line(line) => {
                let command = line.trim();
                if split.is_idle()
                    && (command.starts_with('.') || ["exit", "quit"].contains(&command))
                {
                    lines.remember(command);
                    if shell.command(command)? == Flow::Quit {
                        break;
                    }
                    continue;
                }
                for stmt in split.push_line(&line) {
                    lines.remember(&stmt);
                    shell.execute(&stmt)?;
                }
            }
        }
    }
    Ok(if terminal { 0 } else { shell.failed })
}

#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Quit,
}

struct Shell<'c> {
    /// duckalog's own statements (the dot commands) run here.
    conn: &'c Connection,
    /// The user's statements run here.
    direct: &'c Direct,
    format: Format,
    interrupts: Interrupts,
    failed: usize,
}

impl Shell<'_> {
    /// Runs one statement and prints its result, or its error on one line.
    /// Only a failure to write the result ends the shell.
    fn execute(&mut self, sql: &str) -> Result<()> {
        let direct = self.direct;
        let cells = self.format.cells();
        let (answer, interrupted) =
            self.interrupts.around(|| crate::engine::query::run(direct, sql, None, cells));
        match answer {
            Ok(a) if a.nothing => Ok(()),
            Ok(a) => output::print(a, self.format, &mut std::io::stdout().lock()),
            Err(_) if interrupted => {
                self.failed += 1;
                note("interrupted");
                Ok(())
            }
            Err(e) => {
                self.failed += 1;
                note(&format!("error: {}", scrub(&e.to_string())));
                Ok(())
            }
        }
    }

    fn command(&mut self, line: &str) -> Result<Flow> {
        match dot::parse(line) {
            Ok(dot::Command::Quit) => return Ok(Flow::Quit),
            Ok(dot::Command::Help) => print(dot::HELP)?,
            Ok(dot::Command::Mode(f)) => self.format = f,
            Ok(cmd) => match dot::run(self.conn, &cmd) {
                Ok(dot::Shown::Grid(answer)) => {
                    output::print(answer, self.format, &mut std::io::stdout().lock())?
                }
                Ok(dot::Shown::Text(text)) => print(&scrub(&text))?,
                Err(e) => {
                    self.failed += 1;
                    note(&format!("error: {}", scrub(&e.to_string())));
                }
            },
            Err(message) => {
                self.failed += 1;
                note(&format!("error: {message}"));
            }
        }
        Ok(Flow::Continue)
    }
}

/// Ctrl-C while a statement runs interrupts that statement. Otherwise, at a
/// terminal it is ignored (at the prompt the line editor reads it as a key);
/// on piped input, where the shell may wait on a pipe that never ends, it
/// ends duckalog.
struct Interrupts {
    /// The statement running now, numbered from 1; 0 when none runs. The
    /// handler interrupts only while the number it saw is still current, so
    /// an interrupt never reaches the statement after.
    running: Arc<Mutex<u64>>,
    /// The number of the last statement Ctrl-C interrupted.
    interrupted: Arc<AtomicU64>,
    last: u64,
}

impl Interrupts {
    fn install(handle: InterruptHandle, idle_ends: bool) -> Interrupts {
        let running = Arc::new(Mutex::new(0u64));
        let interrupted = Arc::new(AtomicU64::new(0));
        let (r, i) = (running.clone(), interrupted.clone());
        if let Err(e) = ctrlc::set_handler(move || interrupt(&handle, &r, &i, idle_ends)) {
            log::warn!("Ctrl-C cannot be caught ({e}): it ends duckalog");
        }
        Interrupts { running, interrupted, last: 0 }
    }

    /// Runs `work` as the current statement; says whether Ctrl-C interrupted it.
    fn around<T>(&mut self, work: impl FnOnce() -> T) -> (T, bool) {
        self.last += 1;
        *lock(&self.running) = self.last;
        // From here Ctrl-C interrupts the statement instead of ending a piped shell.
        log::debug!("statement {} started", self.last);
        let out = work();
        *lock(&self.running) = 0;
        (out, self.interrupted.load(Ordering::Acquire) == self.last)
    }
}

fn interrupt(
    handle: &InterruptHandle,
    running: &Mutex<u64>,
    interrupted: &AtomicU64,
    idle_ends: bool,
) {
    let id = *lock(running);
    if id == 0 {
        if idle_ends {
            // 128 + SIGINT, as a shell reports a command Ctrl-C ended.
            std::process::exit(130);
        }
        return;
    }
    interrupted.store(id, Ordering::Release);
    // An interrupt that lands before DuckDB starts executing is lost: repeat
    // it until the statement returns.
    loop {
        {
            let now = lock(running);
            if *now != id {
                return;
            }
            handle.interrupt();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn lock(m: &Mutex<u64>) -> std::sync::MutexGuard<'_, u64> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
