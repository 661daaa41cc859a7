//! Helpers for tests that run the real binary on real files.
#![allow(dead_code)]

pub mod corpus;
pub mod netns;
pub mod pgwire_log;

use std::path::PathBuf;
use std::process::Command;

/// The extension directory the tests use: `scripts/test` fills it.
pub fn ext_dir() -> PathBuf {
    let dir =
        std::env::var_os("DUCKALOG_TEST_EXTENSION_DIR").map(PathBuf::from).unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/duckalog/extensions")
        });
    let probe = dir.join("v1.5.5/linux_amd64/sqlite_scanner.duckdb_extension");
    assert!(
        probe.is_file(),
        "{} is missing: run scripts/fetch-extensions (scripts/test does)",
        probe.display()
    );
    dir
}

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn of(out: std::process::Output) -> Out {
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn fails(&self, code: i32, words: &[&str]) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        for w in words {
            assert!(self.stderr.contains(w), "stderr lacks {w:?}:\n{}", self.stderr);
        }
        assert!(!self.stderr.contains("panicked"), "panic:\n{}", self.stderr);
        self
    }
}

/// A scratch folder with a config in it.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Self {
        Project { dir: tempfile::tempdir().unwrap() }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Runs duckalog in the project folder with the test extension directory.
    pub fn run(&self, args: &[&str]) -> Out {
        self.run_env(args, &[])
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Out::of(cmd.output().unwrap())
    }

    /// Runs duckalog with `input` on its standard input.
    pub fn run_stdin(&self, args: &[&str], input: &str) -> Out {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        Out::of(child.wait_with_output().unwrap())
    }

    /// The duckalog command, in the project folder with the test extension directory.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_duckalog"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env_remove("RUST_LOG")
            .env("DUCKALOG_EXTENSION_DIR", ext_dir());
        cmd
    }

    /// A DuckDB connection with the test extensions available, for making
    /// fixtures and reading catalogs back.
    pub fn duckdb(&self, file: Option<&str>) -> duckdb::Connection {
        let cfg = duckdb::Config::default()
            .enable_autoload_extension(false)
            .unwrap()
            .with("extension_directory", ext_dir().display().to_string())
            .unwrap();
        match file {
            Some(f) => duckdb::Connection::open_with_flags(self.path(f), cfg).unwrap(),
            None => duckdb::Connection::open_in_memory_with_flags(cfg).unwrap(),
        }
    }

    /// Small data files of every local kind: data/orders.parquet (3 rows),
    /// data/people.csv (2 rows), data/events.json (4 rows), data/shop.duckdb
    /// (table items, 2 rows) and data/legacy.sqlite (table accounts, 3 rows).
    pub fn fixtures(&self) {
        std::fs::create_dir_all(self.path("data")).unwrap();
        let c = self.duckdb(None);
        let d = self.path("data");
        let d = d.display();
        c.execute_batch(&format!(
            "COPY (SELECT * FROM (VALUES (1, 10, 2.5), (2, 11, 4.0), (3, 10, 1.5)) t(id, item_id, amount)) TO '{d}/orders.parquet' (FORMAT parquet);
             COPY (SELECT * FROM (VALUES (1, 'ann'), (2, 'bob')) t(id, name)) TO '{d}/people.csv' (HEADER);
             COPY (SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')) t(id, kind)) TO '{d}/events.json' (FORMAT json, ARRAY true);
             ATTACH '{d}/shop.duckdb' AS shop;
             CREATE TABLE shop.items AS SELECT * FROM (VALUES (10, 'pen'), (11, 'ink')) t(item_id, name);
             DETACH shop;
             LOAD sqlite_scanner;
             ATTACH '{d}/legacy.sqlite' AS legacy (TYPE sqlite);
             CREATE TABLE legacy.accounts (id INTEGER, owner TEXT);
             INSERT INTO legacy.accounts VALUES (1, 'x'), (2, 'y'), (3, 'z');
             DETACH legacy;"
        ))
        .unwrap();
    }

    /// (schema, name, sql) of every non-internal view in a database file.
    pub fn views(&self, file: &str) -> Vec<(String, String, String)> {
        let c = self.duckdb(Some(file));
        let mut s = c
            .prepare("SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY ALL")
            .unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// Rows of duckalog's state table: (schema, name, fingerprint, applied_at).
    pub fn state(&self, file: &str) -> Vec<(String, String, String, String)> {
        let c = self.duckdb(Some(file));
        let mut s = c
            .prepare("SELECT schema_name, view_name, fingerprint, applied_at::VARCHAR FROM _duckalog.views ORDER BY ALL")
            .unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }
}

/// A local S3-compatible server (moto) on 127.0.0.1, stopped when dropped.
pub struct S3Server {
    child: std::process::Child,
    pub port: u16,
}

impl S3Server {
    pub fn start() -> S3Server {
        let bin = std::env::var("DUCKALOG_TEST_MOTO").unwrap_or_else(|_| {
            format!("{}/.cache/duckalog/venv/bin/moto_server", std::env::var("HOME").unwrap())
        });
        assert!(
            std::path::Path::new(&bin).exists(),
            "{bin} is missing: run the tests through scripts/test"
        );
        // moto binds the port itself, so another process may take it first:
        // then moto exits and another port is tried.
        for _ in 0..5 {
            let port = closed_port().port;
            let child = Command::new(&bin)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            let mut server = S3Server { child, port };
            if server.wait_until_up() {
                return server;
            }
        }
        panic!("moto_server did not start on any of 5 ports");
    }

    /// Waits until moto answers on its port; false when it exited.
    fn wait_until_up(&mut self) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if self.child.try_wait().unwrap().is_some() {
                return false;
            }
            assert!(std::time::Instant::now() < deadline, "moto_server did not start");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        true
    }

    pub fn endpoint(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Creates a bucket with an unsigned path-style request (moto does not check signatures).
    pub fn create_bucket(&self, bucket: &str) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(s, "PUT /{bucket} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", self.port).unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on 127.0.0.1 held by a socket that is bound but not listening:
/// connections to it are refused, and no other test or server can take it
/// while this lives (the socket does not share its address).
pub struct Reserved {
    socket: socket2::Socket,
    pub port: u16,
}

pub fn closed_port() -> Reserved {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    socket.bind(&any.into()).unwrap();
    let port = socket.local_addr().unwrap().as_socket().unwrap().port();
    Reserved { socket, port }
}

impl Reserved {
    /// Starts listening on the reserved port.
    pub fn listen(self) -> std::net::TcpListener {
        self.socket.listen(128).unwrap();
        self.socket.into()
    }
}

/// The PostgreSQL server `scripts/test` starts on 127.0.0.1.
pub struct Pg {
    pub port: String,
    pub user: String,
    pub password: String,
}

impl Pg {
    pub fn get() -> Pg {
        let var = |k: &str| {
            std::env::var(k).unwrap_or_else(|_| {
                panic!(
                    "{k} is not set: run the tests through scripts/test, which starts PostgreSQL"
                )
            })
        };
        Pg {
            port: var("DUCKALOG_TEST_PG_PORT"),
            user: var("DUCKALOG_TEST_PG_USER"),
            password: var("DUCKALOG_TEST_PG_PASSWORD"),
        }
    }

    pub fn dsn(&self, dbname: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user={} password={} dbname={dbname}",
            self.port, self.user, self.password
        )
    }

    /// Runs SQL on the server through DuckDB's postgres extension.
    pub fn execute(&self, project: &Project, sql: &str) {
        let c = project.duckdb(None);
        c.execute_batch(&format!(
            "LOAD postgres_scanner; ATTACH '{}' AS pg (TYPE postgres);",
            self.dsn("postgres")
        ))
        .unwrap();
        c.execute("CALL postgres_execute('pg', ?)", [sql]).unwrap();
    }
}

impl S3Server {
    /// Stores `body` at `bucket/key` with an unsigned request.
    pub fn put(&self, bucket: &str, key: &str, body: &[u8]) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "PUT /{bucket}/{key} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            body.len()
        )
        .unwrap();
        s.write_all(body).unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    }

    /// The config of an S3 secret for this server.
    pub fn secret_toml(&self) -> String {
        format!(
            "[[duckdb.secrets]]\ntype = \"s3\"\nkey_id = \"test-key\"\nsecret = \"test-secret\"\nregion = \"us-east-1\"\n\
             endpoint = \"{}\"\nurl_style = \"path\"\nuse_ssl = false\n",
            self.endpoint()
        )
    }
}

/// A TCP forwarder on the reserved port to `upstream`: it starts listening
/// after `listen_after` (refusing connections until then) and holds each new
/// connection for `delay` before passing it on (a slow network). Its threads
/// live as long as the test process.
pub fn proxy(
    port: Reserved,
    upstream: u16,
    delay: std::time::Duration,
    listen_after: std::time::Duration,
) {
    use std::io::copy;
    use std::net::{TcpListener, TcpStream};
    let bound = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        std::thread::sleep(listen_after);
        let listener: TcpListener = port.listen();
        let _ = bound.0.send(());
        for client in listener.incoming().flatten() {
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else { return };
                let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let up = std::thread::spawn(move || {
                    let _ = copy(&mut c2, &mut s2);
                    let _ = s2.shutdown(std::net::Shutdown::Write);
                });
                let (mut c, mut s) = (client, server);
                let _ = copy(&mut s, &mut c);
                let _ = c.shutdown(std::net::Shutdown::Write);
                let _ = up.join();
            });
        }
    });
    if listen_after.is_zero() {
        bound.1.recv().unwrap();
    }
}
