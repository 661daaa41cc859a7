//! `run --interactive`: the SQL shell, fed through a pipe as scripts feed it,
//! and through a pseudo-terminal as a person types.

use crate::common;
use common::Project;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const CONFIG: &str = r#"
version = 1

[duckdb]
database = "cat.duckdb"

[[views]]
name = "people"
source = "csv"
uri = "data/people.csv"
options = { header = true }
description = "who is who"

[[views]]
name = "named"
db_schema = "reports"
sql = "SELECT name FROM people ORDER BY id"
"#;

fn project() -> Project {
    let p = Project::new();
    p.write("duckalog.toml", CONFIG);
    p.write("data/people.csv", "id,name\n1,ann\n2,bob\n");
    p
}

/// A statement that runs for minutes unless interrupted.
const LONG: &str = "SELECT sum(range % 7) FROM range(1000000000000);";

#[test]
fn piped_statements_span_lines_and_dot_commands_list_the_catalog() {
    let p = project();
    let out = p.run_stdin(
        &["run", "-i"],
        "SELECT 1 AS one; SELECT 'two;' AS \"t;\";\n\
         SELECT name\n  FROM people -- a comment; not the end\n  WHERE name = 'ann;bob' OR id = 2\n;\n\
         CREATE TABLE scratch AS SELECT 42 AS x;\n\
         ATTACH ':memory:' AS other; CREATE TABLE other.side (a INTEGER);\n\
         .views\n.tables\n.schema reports.NAMED\n.schema scratch\n.schema side\n\
         .mode csv\nSELECT * FROM reports.named;\n",
    );
    out.ok();
    let o = &out.stdout;
    assert!(o.contains("| one |") && o.contains("|   1 |"), "{o}");
    assert!(o.contains("| t;   |") && o.contains("| two; |"), "{o}");
    // CREATE TABLE and ATTACH return nothing to print; CREATE TABLE AS says how many rows.
    assert_eq!(o.matches("| Count |").count(), 1, "{o}");
    assert!(o.contains("| bob  |") && !o.contains("| ann  |"), "{o}");
    // .views: the configured views, with their descriptions, and nothing of DuckDB's or duckalog's own.
    assert!(o.contains("| cat "), "{o}");
    assert!(o.contains("| people ") && o.contains("who is who") && o.contains("| named "), "{o}");
    assert!(
        !o.contains("duckdb_") && !o.contains("sqlite_master") && !o.contains("_duckalog"),
        "{o}"
    );
    assert!(o.contains("| scratch "), "{o}");
    assert!(o.contains("CREATE VIEW") && o.contains("FROM people ORDER BY id;"), "{o}");
    assert!(o.contains("CREATE TABLE scratch"), "{o}");
    // A table of another database: its statement does not say which, the shell does.
    assert!(o.contains("| other    | main   | side "), "{o}");
    assert!(o.contains("-- other.main.side\nCREATE TABLE side(a INTEGER);"), "{o}");
    assert!(o.ends_with("name\nann\nbob\n"), "{o}");
    // Nothing but results on standard output: no prompt, no banner, no summary.
    assert!(!o.contains("duckalog>") && !o.contains("catalog up to date"), "{o}");
    assert!(out.stderr.contains("catalog up to date: 2 created"), "{}", out.stderr);
    assert!(!out.stderr.contains("error"), "{}", out.stderr);
}

#[test]
fn an_error_is_one_line_and_the_shell_goes_on() {
    let p = project();
    let out = p.run_stdin(
        &["run", "-i"],
        "SELECT * FROM nowhere;\n.frobnicate\nSELECT 'after' AS s;\nSELECT 'tail' AS last",
    );
    // Two failures in a script: the exit code says so.
    out.fails(
        3,
        &[
            "error: query: Catalog Error: Table with name nowhere does not exist",
            "unknown command .frobnicate",
        ],
    );
    let errors: Vec<_> =
        out.stderr.lines().filter(|l| !l.starts_with("catalog up to date")).collect();
    assert_eq!(errors.len(), 2, "{}", out.stderr);
    assert!(out.stdout.contains("after"), "{}", out.stdout);
    // The last statement had no ';': the end of input ends it.
    assert!(out.stdout.contains("tail"), "{}", out.stdout);
}

#[test]
fn input_that_is_not_utf8_stops_the_script_with_a_failure() {
    let p = project();
    let mut child = p
        .command(&["run", "-i"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"SELECT 'before' AS s;\nSELECT 'caf\xe9' AS s;\nSELECT 'never' AS s;\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("error: reading standard input") && stderr.contains("UTF-8"),
        "{stderr}"
    );
    assert!(stdout.contains("before") && !stdout.contains("never"), "{stdout}");
}

#[test]
fn quit_and_exit_stop_reading() {
    let p = project();
    let out = p.run_stdin(&["run", "-i"], "SELECT 'before' AS s;\n.quit\nSELECT 'never';\n");
    out.ok();
    assert!(out.stdout.contains("before") && !out.stdout.contains("never"), "{}", out.stdout);
    let out = p.run_stdin(
        &["run", "-i", "--read-only", "--format", "json"],
        "SELECT count(*) AS n FROM people;\nexit\n",
    );
    out.ok();
    assert_eq!(out.stdout, "[{\"n\":2}]\n");
}

#[test]
fn the_shell_prints_no_secret_value() {
    let p = project();
    p.write(
        "duckalog.toml",
        &format!("{CONFIG}\n[[duckdb.secrets]]\ntype = \"s3\"\nkey_id = \"MKshellkey1\"\nsecret = \"MKshellsecret2\"\n"),
    );
    let out = p.run_stdin(
        &["run", "-i"],
        "SELECT name, secret_string FROM duckdb_secrets();\nSELECT * FROM \"MKshellsecret2\";\nSELECT 'MKshellkey1' AS k;\n",
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    for m in ["MKshellkey1", "MKshellsecret2"] {
        assert!(
            !out.stdout.contains(m) && !out.stderr.contains(m),
            "{m} printed:\n{}\n{}",
            out.stdout,
            out.stderr
        );
    }
    assert!(
        out.stdout.contains("***") && out.stderr.contains("***"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
}

#[test]
fn interactive_goes_with_neither_query_nor_dry_run() {
    let p = project();
    p.run(&["run", "-i", "-q", "SELECT 1"]).fails(2, &["--interactive"]);
    p.run(&["run", "-i", "--dry-run"]).fails(2, &["--interactive"]);
}

/// Kills the child if the test fails before it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Each line `from` gives, sent as it comes.
fn lines(from: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for(rx: &Receiver<String>, what: &str, seen: &mut Vec<String>) {
    assert!(
        seen_within(rx, what, seen, Duration::from_secs(60)),
        "no {what:?} within a minute; saw:\n{}",
        seen.join("\n")
    );
}

fn seen_within(rx: &Receiver<String>, what: &str, seen: &mut Vec<String>, time: Duration) -> bool {
    let deadline = Instant::now() + time;
    while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        seen.push(line);
        if seen.last().unwrap().contains(what) {
            return true;
        }
    }
    false
}

/// Repeats `press_ctrl_c` (which says whether the shell reported the
/// interruption) until it works: on a busy machine the statement may not
/// have started at the first press, and a press between statements is ignored.
fn interrupt(mut press_ctrl_c: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if press_ctrl_c() {
            return;
        }
    }
    panic!("Ctrl-C did not interrupt the statement within a minute");
}

fn sigint(child: &Child) {
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn ctrl_c_interrupts_the_running_statement_and_the_shell_answers_the_next() {
    let p = project();
    let mut child = Running(
        p.command(&["run", "-i", "-vv"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let errors = lines(child.0.stderr.take().unwrap());
    let results = lines(child.0.stdout.take().unwrap());
    let mut stdin = child.0.stdin.take().unwrap();
    let mut seen = Vec::new();
    // On one line, so that the long statement starts as soon as `go` prints:
    // Ctrl-C while the piped shell waits for input would end it.
    writeln!(stdin, "SELECT 'go' AS s; {LONG}").unwrap();
    wait_for(&results, "go", &mut Vec::new());
    wait_for(&errors, "statement 2 started", &mut seen);
    // Once the statement runs, the shell repeats the interrupt until it lands.
    sigint(&child.0);
    wait_for(&errors, "interrupted", &mut seen);
    assert!(child.0.try_wait().unwrap().is_none(), "the shell ended");
    writeln!(stdin, "SELECT 'still here' AS s;").unwrap();
    drop(stdin);
    let mut out = Vec::new();
    wait_for(&results, "still here", &mut out);
    let status = child.0.wait().unwrap();
    // The interrupted statement counts as failed.
    assert_eq!(status.code(), Some(3), "{}", seen.join("\n"));
}

#[test]
fn ctrl_c_while_piped_input_is_awaited_ends_the_shell() {
    let p = project();
    let mut child = Running(
        p.command(&["run", "-i"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let results = lines(child.0.stdout.take().unwrap());
    let mut stdin = child.0.stdin.take().unwrap();
    writeln!(stdin, "SELECT 'ready' AS s;").unwrap();
    wait_for(&results, "ready", &mut Vec::new());
    // The input stays open: without Ctrl-C the shell would wait for ever.
    sigint(&child.0);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "Ctrl-C did not end a shell waiting for input");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(130));
    drop(stdin);
}

const PROMPT: &str = "duckalog> ";

/// Runs the shell in a pseudo-terminal (util-linux `script`), types into it
/// and collects what the terminal shows.
struct Terminal {
    child: Running,
    stdin: std::process::ChildStdin,
    screen: Receiver<String>,
    seen: String,
}

impl Terminal {
    /// Opens the shell; `flags` go after `run -i`.
    fn open(p: &Project, state_home: &std::path::Path, flags: &str) -> Terminal {
        let bin = env!("CARGO_BIN_EXE_duckalog");
        let mut cmd = std::process::Command::new("script");
        // `exec`: a shell left between `script` and duckalog gets Ctrl-C's
        // SIGINT too, and dash then ends with status 130 whatever duckalog did.
        cmd.args(["-qfec", &format!("exec '{bin}' run -i {flags}"), "/dev/null"])
            .current_dir(p.dir.path())
            .env_remove("RUST_LOG")
            .env("DUCKALOG_EXTENSION_DIR", common::ext_dir())
            .env("XDG_STATE_HOME", state_home)
            .env("TERM", "xterm")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child =
            Running(cmd.spawn().expect("util-linux `script` runs the shell in a pseudo-terminal"));
        let stdin = child.0.stdin.take().unwrap();
        let mut out = child.0.stdout.take().unwrap();
        // The terminal's output has no reliable line ends while a prompt
        // waits: pass it on in whatever pieces it comes.
        let (tx, screen) = channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 || tx.send(String::from_utf8_lossy(&buf[..n]).into_owned()).is_err() {
                    break;
                }
            }
        });
        let mut t = Terminal { child, stdin, screen, seen: String::new() };
        t.expect(PROMPT);
        t
    }

    /// Types `line` and Enter, and waits for `shown` and the next prompt.
    fn ask(&mut self, line: &str, shown: &str) {
        self.typed(&format!("{line}\r"));
        self.expect(shown);
        self.expect(PROMPT);
    }

    /// Types `keys` that end the shell, and checks that it ended well.
    fn leave(mut self, keys: &str) {
        self.typed(keys);
        let status = self.child.0.wait().unwrap();
        let mut rest = self.seen;
        while let Ok(piece) = self.screen.recv_timeout(Duration::from_secs(5)) {
            rest.push_str(&piece);
        }
        assert!(status.success(), "the shell ended with {status}; the terminal shows:\n{rest}");
    }

    /// Waits until the screen shows `what` after everything awaited so far.
    fn expect(&mut self, what: &str) {
        assert!(
            self.shows_within(what, Duration::from_secs(60)),
            "the terminal shows no {what:?} within a minute; it shows:\n{}",
            self.seen
        );
    }

    fn shows_within(&mut self, what: &str, time: Duration) -> bool {
        let deadline = Instant::now() + time;
        loop {
            if let Some(at) = self.seen.find(what) {
                self.seen.drain(..at + what.len());
                return true;
            }
            match self.screen.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(piece) => self.seen.push_str(&piece),
                Err(_) => return false,
            }
        }
    }

    fn typed(&mut self, keys: &str) {
        self.stdin.write_all(keys.as_bytes()).unwrap();
        self.stdin.flush().unwrap();
    }
}

#[test]
fn at_a_terminal_the_shell_prompts_edits_keeps_history_and_survives_ctrl_c() {
    let p = project();
    let state = tempfile::tempdir().unwrap();
    // -vv: the log says when a statement starts, so Ctrl-C can wait for it.
    let mut t = Terminal::open(&p, state.path(), "-vv");
    // A statement over two lines gets the continuation prompt.
    t.typed("SELECT 40 + 2\r");
    t.expect("...> ");
    t.ask("AS answer;", "42");
    // Ctrl-C at the prompt drops the line, and the shell goes on.
    t.typed("SELECT 'dropped'\x03");
    t.expect(PROMPT);
    // Ctrl-C during a statement interrupts that statement only.
    t.typed(&format!("{LONG}\r"));
    t.expect("statement 2 started");
    interrupt(|| {
        t.typed("\x03");
        t.shows_within("interrupted", Duration::from_secs(3))
    });
    t.expect(PROMPT);
    t.ask("SELECT 'still' || ' here' AS s;", "still here");
    t.leave(".quit\r");
    let history = std::fs::read_to_string(state.path().join("duckalog/history")).unwrap();
    assert!(history.contains("SELECT 40 + 2") && history.contains(".quit"), "{history}");
    assert!(!history.contains("dropped"), "{history}");
}

#[test]
fn the_history_masks_secret_values() {
    let p = project();
    p.write("duckalog.toml", &format!("{CONFIG}\n[[duckdb.secrets]]\ntype = \"s3\"\nkey_id = \"MKhistkey1\"\nsecret = \"MKhistsecret2\"\n"));
    let state = tempfile::tempdir().unwrap();
    let mut t = Terminal::open(&p, state.path(), "");
    t.ask("SELECT 'MKhistsecret2' AS s;", "| ***");
    t.leave(".exit\r");
    let history = std::fs::read_to_string(state.path().join("duckalog/history")).unwrap();
    assert!(history.contains("SELECT '***' AS s;") && !history.contains("MKhist"), "{history}");
}

#[test]
fn a_history_file_that_cannot_be_written_costs_nothing() {
    let p = project();
    // A file where the history folder should be.
    let state = tempfile::tempdir().unwrap();
    std::fs::write(state.path().join("duckalog"), "not a folder").unwrap();
    let mut t = Terminal::open(&p, state.path(), "");
    t.ask("SELECT 6 * 7 AS answer;", "42");
    t.leave("\x04");
}
