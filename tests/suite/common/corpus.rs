//! Bad inputs: each case is a small config (or environment, or file
//! layout), the exit code duckalog must give, and the words its error must
//! hold. `tests/corpus.rs` runs every case; `tests/secret_hygiene.rs` runs
//! the failing ones again with a secret in the config and the environment.
//!
//! A case's text may hold `@S@` where a secret can go in its format; TOML
//! cases without it get the secret appended.

use super::Project;
use std::collections::BTreeMap;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// A secret key id and an environment value that must never be printed.
pub const MARKER_KEY: &str = "MKcorpusKeyId30";
pub const MARKER_ENV: &str = "MKcorpusEnvSecret31";
const MARKER_VAR: &str = "DKL_CORPUS_SECRET";

/// No case may take longer, the 100,000-view config included.
const LIMIT: Duration = Duration::from_secs(120);

type Setup = Box<dyn Fn(&Project) + Send + Sync>;

pub struct Case {
    pub name: &'static str,
    file: &'static str,
    text: Vec<u8>,
    /// The command line; `{config}` is the config file.
    args: Vec<String>,
    env: Vec<(String, String)>,
    setup: Option<Setup>,
    pub code: i32,
    words: Vec<String>,
    /// For cases that must work: (schema, view) pairs the catalog must hold.
    views: Vec<(String, String)>,
}

fn case(
    name: &'static str,
    file: &'static str,
    text: impl Into<Vec<u8>>,
    code: i32,
    words: &[&str],
) -> Case {
    Case {
        name,
        file,
        text: text.into(),
        args: ["run", "{config}", "--db", "cat.duckdb"].map(String::from).to_vec(),
        env: Vec::new(),
        setup: None,
        code,
        words: words.iter().map(|w| w.to_string()).collect(),
        views: Vec::new(),
    }
}

impl Case {
    fn args(mut self, args: &[&str]) -> Self {
        self.args = args.iter().map(|a| a.to_string()).collect();
        self
    }
    fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }
    fn setup(mut self, f: impl Fn(&Project) + Send + Sync + 'static) -> Self {
        self.setup = Some(Box::new(f));
        self
    }
    fn holds(mut self, schema: &str, view: &str) -> Self {
        self.views.push((schema.into(), view.into()));
        self
    }

    /// The config text, with the secret put in when `secret` is set; says
    /// whether the secret went into the config.
    fn text(&self, secret: bool) -> (Vec<u8>, bool) {
        let block = match Path::new(self.file).extension().and_then(|e| e.to_str()) {
            Some("toml") => format!(
                "\n[[duckdb.secrets]]\ntype = \"s3\"\nname = \"corpus_marker\"\nkey_id = \"{MARKER_KEY}\"\n\
                 secret = \"${{env:{MARKER_VAR}}}\"\nregion = \"eu-west-1\"\n"
            ),
            Some("yaml") => format!(
                "duckdb:\n  secrets:\n    - {{type: s3, name: corpus_marker, key_id: {MARKER_KEY}, secret: \"${{env:{MARKER_VAR}}}\"}}\n"
            ),
            Some("json") => format!(
                "\"duckdb\": {{\"secrets\": [{{\"type\": \"s3\", \"name\": \"corpus_marker\", \"key_id\": \"{MARKER_KEY}\", \"secret\": \"${{env:{MARKER_VAR}}}\"}}]}},"
            ),
            _ => String::new(),
        };
        let at = self.text.windows(3).position(|w| w == b"@S@");
        match at {
            Some(i) => {
                let mut out = self.text[..i].to_vec();
                if secret {
                    out.extend_from_slice(block.trim_start().as_bytes());
                }
                out.extend_from_slice(&self.text[i + 3..]);
                (out, secret)
            }
            None if secret && self.file.ends_with(".toml") => {
                let mut out = self.text.clone();
                out.extend_from_slice(block.as_bytes());
                (out, true)
            }
            None => (self.text.clone(), false),
        }
    }

    /// Runs the case in a new project folder. With `secret`, the config and
    /// the environment carry the marker secrets and the run logs at -vv.
    pub fn run(&self, secret: bool) -> Ran {
        let p = Project::new();
        let (text, secret_in_config) = self.text(secret);
        if let Some(setup) = &self.setup {
            setup(&p);
        }
        if !p.path(self.file).exists() && std::fs::symlink_metadata(p.path(self.file)).is_err() {
            std::fs::write(p.path(self.file), &text).unwrap();
        }
        let before = tree(p.dir.path());
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_duckalog"));
        cmd.args(self.args.iter().map(|a| a.replace("{config}", self.file)))
            .current_dir(p.dir.path())
            .env_remove("RUST_LOG")
            .env("DUCKALOG_EXTENSION_DIR", super::ext_dir())
            .env(MARKER_VAR, MARKER_ENV)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if secret {
            cmd.arg("-vv");
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        let pid = child.id();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait_with_output());
        });
        let out = match rx.recv_timeout(LIMIT) {
            Ok(out) => out.unwrap(),
            Err(_) => {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
                panic!("{}: still running after {LIMIT:?}", self.name);
            }
        };
        let after = tree(p.dir.path());
        Ran {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            unchanged: before == after,
            secret_in_config,
            project: p,
        }
    }

    /// What is wrong with a run of this case, if anything.
    pub fn check(&self, r: &Ran) -> Result<(), String> {
        let all = format!("{}{}", r.stdout, r.stderr);
        if all.contains("panicked at") || r.code == 101 {
            return Err("panicked".into());
        }
        if r.code != self.code {
            return Err(format!("exit code {} instead of {}", r.code, self.code));
        }
        if self.code == 0 {
            for w in &self.words {
                if !all.contains(w.as_str()) {
                    return Err(format!("output lacks {w:?}"));
                }
            }
            let listed = r.project.views("cat.duckdb");
            for (schema, view) in &self.views {
                if !listed.iter().any(|(s, v, _)| s == schema && v == view) {
                    return Err(format!("the catalog lacks view {schema:?}.{view:?}: {listed:?}"));
                }
                // Read in a duckalog session, which restores the view's attachments.
                let q = format!(
                    "SELECT count(*) FROM \"{}\".\"{}\"",
                    schema.replace('"', "\"\""),
                    view.replace('"', "\"\"")
                );
                let read = r.project.run(&["run", self.file, "--db", "cat.duckdb", "-q", &q]);
                if read.code != 0 {
                    return Err(format!("reading view {schema:?}.{view:?}: {}", read.stderr));
                }
            }
            return Ok(());
        }
        let errors: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("error: ")).collect();
        let [error] = errors[..] else {
            return Err(format!("{} error lines instead of one", errors.len()));
        };
        for w in &self.words {
            if !error.contains(w.as_str()) {
                return Err(format!("the error lacks {w:?}"));
            }
        }
        // A config error names the file it is in.
        let config_error =
            self.code == 2 && !self.args.iter().any(|a| a.starts_with("--") && a != "--db");
        let config = self
            .args
            .iter()
            .find(|a| a.contains("{config}") || a.contains(".toml"))
            .map(|a| a.replace("{config}", self.file));
        if config_error && !config.is_some_and(|c| error.contains(&c)) {
            return Err("the error does not name the config file".into());
        }
        if !r.unchanged {
            return Err(
                "a failing run changed files (a database or an attachment was written)".into()
            );
        }
        Ok(())
    }
}

pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Every file of the project folder is as it was before the run.
    pub unchanged: bool,
    pub secret_in_config: bool,
    pub project: Project,
}

/// Every file under `dir` with its content (directories as empty entries).
fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let path = e.path();
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            let kind = e.file_type().unwrap();
            if kind.is_dir() {
                todo.push(path);
                out.insert(name, None);
            } else if kind.is_fifo() {
                // Reading a named pipe would wait for a writer.
                out.insert(name, Some(b"fifo".to_vec()));
            } else {
                out.insert(name, std::fs::read(&path).ok());
            }
        }
    }
    out
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

/// Builds a catalog with one view, `kept`, before the case runs.
fn existing_catalog(p: &Project) {
    p.write("good.toml", "[[views]]\nname = \"kept\"\nsql = \"SELECT 42 AS answer\"\n");
    p.run(&["run", "good.toml", "--db", "cat.duckdb"]).ok();
    std::fs::remove_file(p.path("good.toml")).unwrap();
}

fn view(name: &str, sql: &str) -> String {
    format!("[[views]]\nname = \"{name}\"\nsql = \"{sql}\"\n")
}

fn nested(open: &str, close: &str, depth: usize) -> String {
    format!("{}{}", open.repeat(depth), close.repeat(depth))
}

pub fn cases() -> Vec<Case> {
    let one = view("a", "SELECT 1");
    let mut cases = vec![
        // Syntax.
        case("toml unclosed table header", "c.toml", "version = 1\n[duckdb\n", 2, &["(line 2, column"]),
        case("toml unterminated string", "c.toml", "[[views]]\nname = \"a\nsql = \"SELECT 1\"\n", 2, &["(line 2"]),
        case("toml duplicate key", "c.toml", "version = 1\nversion = 2\n", 2, &["(line 2", "duplicate key"]),
        case("toml missing value", "c.toml", "[[views]]\nname =\n", 2, &["(line 2"]),
        case("yaml bad indentation", "c.yaml", "@S@views:\n  - name: a\n   sql: SELECT 1\n", 2, &["(line 3", "expected"]),
        case("yaml unclosed flow sequence", "c.yaml", "@S@views: [\n", 2, &["(line"]),
        case("yaml tab indentation", "c.yaml", "@S@views:\n\t- name: a\n", 2, &["cannot start any token"]),
        case("json trailing comma", "c.json", "{@S@\"version\": 1,}", 2, &["(line 1, column"]),
        case("json unclosed", "c.json", "{@S@\"views\": [", 2, &["(line 1"]),
        case("json trailing garbage", "c.json", "{@S@\"version\": 1} {}", 2, &["trailing characters"]),
        // Wrong types.
        case("toml name is a number", "c.toml", "[[views]]\nname = 3\nsql = \"SELECT 1\"\n", 2, &["views[0].name (line 2", "invalid type"]),
        case("yaml views is not a list", "c.yaml", "@S@views: hello\n", 2, &["views", "invalid type"]),
        case("json settings is a number", "c.json", "{\"duckdb\": {\"settings\": 5}}", 2, &["duckdb.settings", "a SET statement"]),
        case("toml version is text", "c.toml", "version = \"one\"\n", 2, &["version (line 1", "whole number"]),
        case(
            "toml read_only is not a boolean",
            "c.toml",
            "[[attachments.duckdb]]\nalias = \"a\"\npath = \"a.duckdb\"\nread_only = \"maybe\"\n",
            2,
            &["attachments.duckdb[0].read_only", "boolean"],
        ),
        case(
            "toml negative timeout",
            "c.toml",
            "[[attachments.duckdb]]\nalias = \"a\"\npath = \"a.duckdb\"\ntimeout = -1\n",
            2,
            &["attachments.duckdb[0].timeout", "expected a number of seconds"],
        ),
        case(
            "toml negative retries",
            "c.toml",
            "[[attachments.duckdb]]\nalias = \"a\"\npath = \"a.duckdb\"\nretries = -3\n",
            2,
            &["attachments.duckdb[0].retries", "whole number"],
        ),
        case("yaml null option", "c.yaml", "@S@views:\n  - {name: a, source: csv, uri: x.csv, options: {header: null}}\n", 2, &["views[0].options", "null"]),
        // Unknown keys.
        case(
            "toml unknown view key",
            "c.toml",
            "version = 1\n\n[[views]]\nname = \"a\"\nsql = \"SELECT 1\"\nsql_fil = \"x.sql\"\n",
            2,
            &["views[0].sql_fil (line 6, column 1)", "unknown field `sql_fil`"],
        ),
        // Found by fuzzing: a key with a line break made the error span two lines.
        case("yaml key with a line break", "c.yaml", "@S@\"bad\\nkey\": 1\n", 2, &["bad\\nkey", "unknown field"]),
        case("view names with line breaks", "c.toml", format!("{}{}", view("a\\nb", "SELECT 1"), view("a\\nb", "SELECT 2")), 2, &["views[1].name", "a\\nb", "already defined"]),
        case("yaml unknown duckdb key", "c.yaml", "duckdb:\n  databse: x\n", 2, &["duckdb.databse", "unknown field `databse`"]),
        case("json unknown top-level key", "c.json", "{@S@\"veiws\": []}", 2, &["veiws", "unknown field `veiws`"]),
        case(
            "toml unknown attachment key",
            "c.toml",
            "[[attachments.duckdb]]\nalias = \"a\"\npath = \"a.duckdb\"\nreadonly = true\n",
            2,
            &["attachments.duckdb[0].readonly", "unknown field `readonly`"],
        ),
        case("toml unknown attachment kind", "c.toml", "[[attachments.oracle]]\nalias = \"o\"\n", 2, &["attachments.oracle", "no connector"]),
        // Imports.
        case("a config that imports itself", "c.toml", "imports = [\"c.toml\"]\n", 2, &["c.toml: imports[0]", "import cycle", "c.toml -> "]),
        case("an import cycle through another file", "c.yaml", "@S@imports: [other.yaml]\n", 2, &["other.yaml: imports[0]", "import cycle"])
            .setup(|p| {
                p.write("other.yaml", "imports: [c.yaml]\n");
            }),
        case("an imported file that does not exist", "c.toml", "imports = [\"missing.toml\"]\n", 2, &["imports[0]", "missing.toml not found"]),
        case("an import glob that matches nothing", "c.toml", "imports = [\"parts/*.toml\"]\n", 2, &["imports[0]", "no file matches"]),
        case("imports by section", "c.yaml", "@S@imports:\n  views: [v.yaml]\n", 2, &["imports (line 2", "by section are not supported"]),
        case("a view defined in two files", "c.toml", "imports = [\"v.toml\"]\n[[views]]\nname = \"v\"\nsql = \"SELECT 2\"\n", 2, &["views[0]", "already defined in", "v.toml"])
            .setup(|p| {
                p.write("v.toml", "[[views]]\nname = \"v\"\nsql = \"SELECT 1\"\n");
            }),
        case("catalogs that attach each other", "c.toml", "[duckdb]\ndatabase = \"c.duckdb\"\n[[attachments.duckalog]]\nalias = \"o\"\nconfig_path = \"o.toml\"\n", 2, &["attachments.duckalog[0].config_path", "in a cycle"])
            .setup(|p| {
                p.write("o.toml", "[duckdb]\ndatabase = \"o.duckdb\"\n[[attachments.duckalog]]\nalias = \"c\"\nconfig_path = \"c.toml\"\n");
            }),
        case(
            "toml misspelt secret parameter",
            "c.toml",
            "[[duckdb.secrets]]\ntype = \"s3\"\nkey_id = \"k\"\nsecret = \"s\"\nregoin = \"x\"\n",
            2,
            &["duckdb.secrets[0].regoin", "not a parameter"],
        ),
        // Empty names.
        case("empty view name", "c.toml", view("", "SELECT 1"), 2, &["views[0].name", "must not be empty"]),
        case("blank view name", "c.toml", view("   ", "SELECT 1"), 2, &["views[0].name", "must not be empty"]),
        case("empty schema", "c.toml", "[[views]]\nname = \"a\"\ndb_schema = \"\"\nsql = \"SELECT 1\"\n", 2, &["views[0].db_schema", "must not be empty"]),
        case("empty alias", "c.toml", "[[attachments.duckdb]]\nalias = \"\"\npath = \"a.duckdb\"\n", 2, &["attachments.duckdb[0].alias", "must not be empty"]),
        case("empty secret name", "c.toml", "[[duckdb.secrets]]\ntype = \"s3\"\nname = \"\"\n", 2, &["duckdb.secrets[0].name", "must not be empty"]),
        case("empty database path", "c.toml", "[duckdb]\ndatabase = \"\"\n", 2, &["duckdb.database", "must not be empty"]),
        case("empty attachment path", "c.toml", "[[attachments.sqlite]]\nalias = \"a\"\npath = \"\"\n", 2, &["attachments.sqlite[0].path", "must not be empty"]),
        // NUL bytes.
        case("NUL in a view name", "c.toml", view("a\\u0000b", "SELECT 1"), 2, &["views[0].name", "NUL"]),
        case("NUL in a schema", "c.toml", "[[views]]\nname = \"a\"\nschema = \"s\\u0000\"\nsql = \"SELECT 1\"\n", 2, &["views[0].db_schema", "NUL"]),
        case("NUL in an alias", "c.toml", "[[attachments.duckdb]]\nalias = \"a\\u0000\"\npath = \"a.duckdb\"\n", 2, &["attachments.duckdb[0].alias", "NUL"]),
        case(
            "NUL in a table name",
            "c.toml",
            "[[attachments.duckdb]]\nalias = \"a\"\npath = \"a.duckdb\"\n[[views]]\nname = \"v\"\nsource = \"duckdb\"\ndatabase = \"a\"\ntable = \"t\\u0000\"\n",
            2,
            &["views[0].table", "NUL"],
        ),
        case("NUL in a view's SQL", "c.toml", view("a", "SELECT 1\\u0000; DROP TABLE x"), 2, &["views[0]", "NUL byte"]),
        case(
            "NUL in an option value",
            "c.toml",
            "[[views]]\nname = \"a\"\nsource = \"csv\"\nuri = \"x.csv\"\noptions = { delim = \"\\u0000\" }\n",
            2,
            &["views[0]", "NUL byte"],
        ),
        // Option keys and other words written unquoted.
        case(
            "option key with a quote",
            "c.toml",
            "[[views]]\nname = \"a\"\nsource = \"csv\"\nuri = \"x.csv\"\noptions = { \"head'er\" = true }\n",
            2,
            &["views[0].options.head'er", "plain words"],
        ),
        case(
            "option key with a semicolon",
            "c.toml",
            "[[views]]\nname = \"a\"\nsource = \"csv\"\nuri = \"x.csv\"\noptions = { \"a=1); DROP TABLE t; --\" = 1 }\n",
            2,
            &["views[0].options", "plain words"],
        ),
        case(
            "option key with a block comment",
            "c.yaml",
            "@S@views:\n  - {name: a, source: csv, uri: x.csv, options: {\"/* x */\": 1}}\n",
            2,
            &["views[0].options", "plain words"],
        ),
        case(
            "option key with a double quote",
            "c.json",
            "{@S@\"views\": [{\"name\": \"a\", \"source\": \"csv\", \"uri\": \"x.csv\", \"options\": {\"a\\\"b\": 1}}]}",
            2,
            &["views[0].options", "plain words"],
        ),
        case("setting name with a semicolon", "c.toml", "[duckdb]\nsettings = { \"threads; DROP TABLE t\" = 1 }\n", 2, &["duckdb.settings", "plain words"]),
        case("setting that is not SET", "c.toml", "[duckdb]\nsettings = [\"DROP TABLE t\"]\n", 2, &["duckdb.settings[0]", "SET statements"]),
        case(
            "secret parameter with a space",
            "c.toml",
            "[[duckdb.secrets]]\ntype = \"s3\"\n\"key id\" = \"x\"\n",
            2,
            &["duckdb.secrets[0].key id", "plain words"],
        ),
        case("extension name with a semicolon", "c.toml", "[duckdb]\nload_extensions = [\"x; DROP TABLE t\"]\n", 2, &["duckdb.load_extensions[0]", "not an extension name"]),
        // Names with quotes, semicolons and comment markers are quoted and work.
        case("view and schema names with quotes", "c.toml", "[[views]]\nname = 'we\"ird'\ndb_schema = \"sch'ema\"\nsql = \"SELECT 1 AS x\"\n", 0, &["1 created"])
            .holds("sch'ema", "we\"ird"),
        case("view name with a semicolon and a comment", "c.toml", view("x'; DROP TABLE t; --", "SELECT 1 AS x"), 0, &["1 created"])
            .holds("main", "x'; DROP TABLE t; --"),
        case("schema with a block comment and a dot", "c.toml", "[[views]]\nname = \"/* c */ v\"\ndb_schema = \"a.b\"\nsql = \"SELECT 1 AS x\"\n", 0, &["1 created"])
            .holds("a.b", "/* c */ v"),
        case(
            "alias and table with quotes",
            "c.toml",
            "[[attachments.duckdb]]\nalias = 'sh\"op; --'\npath = \"data/shop.duckdb\"\n[[views]]\nname = \"items\"\nsource = \"duckdb\"\ndatabase = 'sh\"op; --'\ntable = \"items\"\n",
            0,
            &["1 created"],
        )
        .setup(|p| p.fixtures())
        .holds("main", "items"),
        case(
            "setting value with a quote",
            "c.toml",
            "[duckdb]\nsettings = { memory_limit = \"1GB'; DROP TABLE t; --\" }\n",
            3,
            &["setting memory_limit"],
        ),
        // The environment.
        case("missing environment variable", "c.toml", view("a", "SELECT ${env:DKL_CORPUS_MISSING}"), 2, &["views[0].sql", "DKL_CORPUS_MISSING is not set", "${env:DKL_CORPUS_MISSING:default}"]),
        case(
            "environment variable of the wrong type",
            "c.toml",
            "[[attachments.duckdb]]\nalias = \"a\"\npath = \"a.duckdb\"\nretries = \"${env:DKL_CORPUS_WORD}\"\n",
            2,
            &["attachments.duckdb[0].retries", "whole number"],
        )
        .env("DKL_CORPUS_WORD", "several"),
        // Files that are missing, unreadable or not files.
        case("config file missing", "c.toml", one.clone(), 2, &["nope.toml", "not found"]).args(&["run", "nope.toml", "--db", "cat.duckdb"]),
        case("config file is a directory", "c.toml", "", 2, &["is a directory"]).setup(|p| std::fs::create_dir(p.path("c.toml")).unwrap()),
        case("config file of unknown format", "c.txt", one.clone(), 2, &["unknown config format", ".toml"]),
        case("config file unreadable", "c.toml", "", 2, &["cannot read"])
            .setup(|p| std::os::unix::fs::symlink("/proc/self/mem", p.path("c.toml")).unwrap()),
        case("SQL file missing", "c.toml", "[[views]]\nname = \"a\"\nsql_file = \"nope.sql\"\n", 2, &["views[0].sql_file", "nope.sql not found"]),
        case("SQL file is a directory", "c.toml", "[[views]]\nname = \"a\"\nsql_file = \"sql\"\n", 2, &["views[0].sql_file", "is a directory"])
            .setup(|p| std::fs::create_dir(p.path("sql")).unwrap()),
        case("SQL file is a device", "c.toml", "[[views]]\nname = \"a\"\nsql_file = \"/dev/zero\"\n", 2, &["views[0].sql_file", "not a regular file"]),
        case("SQL file unreadable", "c.toml", "[[views]]\nname = \"a\"\nsql_file = \"/proc/self/mem\"\n", 2, &["views[0].sql_file", "cannot read SQL file"]),
        case("SQL file not UTF-8", "c.toml", "[[views]]\nname = \"a\"\nsql_file = \"a.sql\"\n", 2, &["views[0].sql_file", "not valid UTF-8"])
            .setup(|p| std::fs::write(p.path("a.sql"), b"SELECT '\xff\xfe'").unwrap()),
        // Attachments.
        case("DuckDB attachment missing", "c.toml", "[[attachments.duckdb]]\nalias = \"a\"\npath = \"missing.duckdb\"\n", 3, &["attachment \"a\"", "missing.duckdb does not exist", "create = true"]),
        case("SQLite attachment missing", "c.toml", "[[attachments.sqlite]]\nalias = \"a\"\npath = \"missing.sqlite\"\n", 3, &["attachment \"a\"", "missing.sqlite does not exist", "create = true"]),
        case("attachment is a directory", "c.toml", "[[attachments.duckdb]]\nalias = \"a\"\npath = \"data\"\n", 3, &["attachment \"a\"", "is a directory"])
            .setup(|p| std::fs::create_dir(p.path("data")).unwrap()),
        case("attachment is not a DuckDB file", "c.toml", "[[attachments.duckdb]]\nalias = \"a\"\npath = \"notes.duckdb\"\n", 3, &["attachment \"a\"", "not a valid DuckDB database file"])
            .setup(|p| {
                p.write("notes.duckdb", "just some notes\n");
            }),
        case(
            "created attachment must be writable",
            "c.toml",
            "[[attachments.duckdb]]\nalias = \"a\"\npath = \"new.duckdb\"\ncreate = true\n",
            2,
            &["attachments.duckdb[0].create", "read_only = false"],
        ),
        case("attachment created on request", "c.toml", "[[attachments.duckdb]]\nalias = \"a\"\npath = \"new.duckdb\"\ncreate = true\nread_only = false\n", 0, &["catalog up to date"]),
        // The database file.
        case("database is a directory", "c.toml", one.clone(), 3, &["cat.duckdb", "is a directory"]).setup(|p| std::fs::create_dir(p.path("cat.duckdb")).unwrap()),
        case("database is not a DuckDB file", "c.toml", one.clone(), 3, &["cat.duckdb", "not a DuckDB database file"]).setup(|p| {
            p.write("cat.duckdb", "just some notes, not a database\n");
        }),
        case("database is a SQLite file", "c.toml", one.clone(), 3, &["legacy.sqlite", "not a DuckDB database file"])
            .args(&["run", "{config}", "--db", "data/legacy.sqlite"])
            .setup(|p| p.fixtures()),
        case("database below a file", "c.toml", one.clone(), 3, &["plain/cat.duckdb"])
            .args(&["run", "{config}", "--db", "plain/cat.duckdb"])
            .setup(|p| {
                p.write("plain", "a file, not a folder");
            }),
        case("database is a named pipe", "c.toml", one.clone(), 3, &["cat.duckdb", "not a regular file"]).setup(|p| {
            assert!(std::process::Command::new("mkfifo").arg(p.path("cat.duckdb")).status().unwrap().success());
        }),
        case("read-only database missing", "c.toml", one.clone(), 6, &["cat.duckdb", "does not exist"]).args(&["run", "{config}", "--db", "cat.duckdb", "--read-only"]),
        case("view with invalid SQL over a catalog", "c.toml", view("broken", "SELEC 1"), 2, &["views[0]", "invalid SQL"]).setup(existing_catalog),
        case("view over a missing table", "c.toml", format!("{}{}", view("kept", "SELECT 42 AS answer"), view("dangling", "SELECT * FROM nowhere")), 3, &["view \"main\".\"dangling\"", "nowhere"])
            .setup(existing_catalog),
        case("view over a missing Parquet file", "c.toml", "[[views]]\nname = \"p\"\nsource = \"parquet\"\nuri = \"none/*.parquet\"\n", 3, &["view \"main\".\"p\""]),
        case("unknown setting", "c.toml", "[duckdb]\nsettings = { no_such_setting = 1 }\n", 3, &["setting no_such_setting"]),
        case("extension not installed", "c.toml", "[duckdb]\nload_extensions = [\"spatial\"]\n", 3, &["extension spatial", "spatial.duckdb_extension does not exist"]),
        case("invalid pragma", "c.toml", "[duckdb]\npragmas = [\"PRAGMA no_such_pragma\"]\n", 3, &["pragma 1"]),
        // Sizes and depths.
        case("100,000 views", "c.toml", huge(100_000), 0, &["100000 to create"]).args(&["plan", "{config}", "--db", "cat.duckdb"]),
        case("deeply nested TOML", "c.toml", format!("semantic_models = {}\n", nested("[", "]", 1000)), 2, &["recursion limit"]),
        case("deeply nested YAML", "c.yaml", format!("semantic_models: {}\n", nested("[", "]", 1000)), 2, &["recursion limit"]),
        case("deeply nested JSON", "c.json", format!("{{\"semantic_models\": {}}}", nested("[", "]", 1000)), 2, &["recursion limit"]),
        // Bytes that are not UTF-8.
        case("TOML with a byte that is not UTF-8", "c.toml", b"version = 1\n\n[[views]]\nname = \"caf\xe9\"\n".to_vec(), 2, &["line 4, column 12", "not valid UTF-8"]),
        case("YAML in Latin-1", "c.yaml", b"views:\n  - name: \xe9t\xe9\n".to_vec(), 2, &["line 2", "not valid UTF-8"]),
        case("JSON in UTF-16", "c.json", b"\xff\xfe{\x00}\x00".to_vec(), 2, &["line 1, column 1", "not valid UTF-8"]),
        // Rules the config must keep.
        case("duplicate views", "c.toml", format!("{one}{}", view("A", "SELECT 2")), 2, &["views[1].name", "already defined by views[0]"]),
        case("reserved schema", "c.toml", "[[views]]\nname = \"a\"\ndb_schema = \"_duckalog\"\nsql = \"SELECT 1\"\n", 2, &["views[0].db_schema", "reserved"]),
        case("reserved alias", "c.toml", "[[attachments.duckdb]]\nalias = \"main\"\npath = \"a.duckdb\"\n", 2, &["attachments.duckdb[0].alias", "reserved"]),
        case("view over an unknown alias", "c.toml", "[[views]]\nname = \"v\"\nsource = \"duckdb\"\ndatabase = \"nope\"\ntable = \"t\"\n", 2, &["views[0].database", "no attachment has alias"]),
        case("file view without a uri", "c.toml", "[[views]]\nname = \"v\"\nsource = \"parquet\"\n", 2, &["views[0].uri", "needs a uri"]),
        case("version 0", "c.toml", "version = 0\n", 2, &["version", "must be 1 or more"]),
        case("unknown secret type", "c.toml", "[[duckdb.secrets]]\ntype = \"vault\"\n", 2, &["duckdb.secrets[0].type", "unknown secret type"]),
        case("key id without a secret", "c.toml", "[[duckdb.secrets]]\ntype = \"s3\"\nkey_id = \"k\"\n", 2, &["duckdb.secrets[0]", "give both or neither"]),
        case("view that is not a SELECT", "c.toml", view("a", "DROP TABLE t"), 2, &["views[0]", "exactly one SELECT"]).args(&["validate", "{config}"]),
        // The command line.
        case("negative attach timeout", "c.toml", one.clone(), 2, &["is not a positive number of seconds"]).args(&["run", "{config}", "--attach-timeout", "-1"]),
        case("negative lock timeout", "c.toml", one.clone(), 2, &["is not a positive number of seconds"]).args(&["run", "{config}", "--lock-timeout", "-5"]),
        case("unknown option", "c.toml", one.clone(), 2, &["--bogus", "--help"]).args(&["run", "{config}", "--bogus"]),
        case("config given twice", "c.toml", one.clone(), 2, &["not both"]).args(&["run", "{config}", "--config", "{config}"]),
    ];
    if !is_root() {
        // Root reads a file whatever its mode; /proc/self/mem stands in above.
        cases.push(
            case(
                "config file without read permission",
                "c.toml",
                one.clone(),
                2,
                &["cannot read", "ermission denied"],
            )
            .setup(|p| {
                use std::os::unix::fs::PermissionsExt;
                p.write("c.toml", "version = 1\n");
                std::fs::set_permissions(p.path("c.toml"), std::fs::Permissions::from_mode(0o000))
                    .unwrap();
            }),
        );
    }
    cases
}

/// Runs `cases` on a few threads; returns the failures, one line each.
pub fn run_all(cases: &[Case], check: impl Fn(&Case) -> Result<(), String> + Sync) -> Vec<String> {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(c) = cases.get(i) else { break };
                if let Err(why) = check(c) {
                    failures.lock().unwrap().push(format!("{}: {why}", c.name));
                }
            });
        }
    });
    failures.into_inner().unwrap()
}

fn huge(n: usize) -> String {
    let mut s = String::with_capacity(n * 48);
    for i in 0..n {
        s.push_str(&format!("[[views]]\nname = \"v{i}\"\nsql = \"SELECT {i} AS x\"\n"));
    }
    s
}
