//! One catalog across machines: DuckLake with its metadata in PostgreSQL and
//! its data on S3 (a local S3-compatible server). Two projects in separate
//! folders stand for two machines: each has its own config, database file
//! and secret directory, and they share only the lake.

use crate::common;
use common::{Pg, Project, S3Server};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A project of its own that attaches the shared lake; `views` is added.
fn machine(pg: &Pg, s3: &S3Server, schema: &str, views: &str) -> Project {
    let p = Project::new();
    let config = format!(
        "[duckdb]\ndatabase = \"cat.duckdb\"\nsecret_directory = \"secrets\"\n\
         {secret}persistent = true\n\
         [[attachments.ducklake]]\nalias = \"lake\"\ndata_path = \"s3://lake/data/\"\n\
         metadata_schema = \"{schema}\"\n\
         postgres = {{ host = \"127.0.0.1\", port = {port}, database = \"postgres\", \
         user = \"{user}\", password = \"{password}\" }}\n{views}",
        secret = s3.secret_toml(),
        port = pg.port,
        user = pg.user,
        password = pg.password,
    );
    p.write("duckalog.toml", &config);
    p
}

const VIEW: &str = "[[views]]\nname = \"orders\"\nsource = \"ducklake\"\ndatabase = \"lake\"\n\
                    table = \"orders\"\n";

/// `SELECT count(*), count(DISTINCT writer)` over the view, as "n,w".
fn counts(p: &Project, filter: &str) -> String {
    let sql = format!("SELECT count(*) || ',' || count(DISTINCT writer) AS c FROM orders {filter}");
    let out = p.run(&["query", &sql, "--format", "csv"]);
    // CSV quotes the field: it holds a comma.
    out.ok().stdout.trim_start_matches("c\n").trim().trim_matches('"').to_string()
}

/// A shell on `p` that reads statements from a pipe; dropped, it is killed.
struct Shell(Child);

impl Shell {
    fn open(p: &Project) -> (Shell, std::process::ChildStdin, std::sync::mpsc::Receiver<String>) {
        let mut child = p
            .command(&["run", "-i", "--format", "csv"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (stdin, stdout) = (child.stdin.take().unwrap(), child.stdout.take().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        (Shell(child), stdin, rx)
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `batches` INSERTs of 10 rows by `writer`, each its own transaction.
fn inserts(writer: u32, batches: u32) -> String {
    (0..batches)
        .map(|b| {
            format!(
                "INSERT INTO lake.orders SELECT {writer}, i FROM range({}, {}) t(i);\n",
                b * 10,
                b * 10 + 10
            )
        })
        .collect()
}

#[test]
fn two_machines_share_one_lake_on_postgres_and_s3() {
    let pg = Pg::get();
    let s3 = S3Server::start();
    s3.create_bucket("lake");
    let schema = format!("shared_lake_{}", std::process::id());
    let a = machine(&pg, &s3, &schema, "");
    pg.execute(&a, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"));

    // Machine A makes the table and writes; machine B's view sees the rows.
    let create = "CREATE TABLE lake.orders (writer INTEGER, n BIGINT)";
    a.run(&["run", "-q", create]).ok();
    let b = machine(&pg, &s3, &schema, VIEW);
    let out = b.run(&["run"]);
    assert!(out.ok().stdout.contains("1 created"), "{}", out.stdout);
    a.run(&["run", "-q", &inserts(1, 1)]).ok();
    assert_eq!(counts(&b, ""), "10,1");
    // The rows are Parquet files on S3, not in either folder.
    for m in [&a, &b] {
        let files = std::fs::read_dir(m.dir.path()).unwrap().map(|e| e.unwrap().file_name());
        let names: Vec<_> = files.map(|n| n.to_string_lossy().into_owned()).collect();
        assert!(names.iter().all(|n| !n.ends_with(".parquet")), "{names:?}");
        assert!(m.path("secrets").read_dir().unwrap().count() > 0, "no persistent secret");
    }

    // Both write at once, while a third machine reads: every read sees whole
    // transactions. (A process that writes holds its own database file, so
    // the reads come from elsewhere.)
    let c = a_view(&pg, &s3, &schema);
    let mut writers = [(&a, 2), (&b, 3)].map(|(m, id)| {
        let mut w = m
            .command(&["run", "-i"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        w.stdin.take().unwrap().write_all(inserts(id, 10).as_bytes()).unwrap();
        Shell(w)
    });
    let mut seen = Vec::new();
    loop {
        let n: u32 = counts(&c, "").split(',').next().unwrap().parse().unwrap();
        assert_eq!(n % 10, 0, "a read saw part of a transaction: {n} rows");
        seen.push(n);
        if writers.iter_mut().all(|w| w.0.try_wait().unwrap().is_some()) {
            break;
        }
    }
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "rows went missing: {seen:?}");
    for mut w in writers {
        let status = w.0.wait().unwrap();
        let mut errors = String::new();
        std::io::Read::read_to_string(w.0.stderr.as_mut().unwrap(), &mut errors).unwrap();
        assert!(status.success(), "a writer failed: {errors}");
    }
    assert_eq!(counts(&b, ""), "210,3");
    assert_eq!(counts(&c, "WHERE writer = 2"), "100,1");

    // A writer killed in the middle of a transaction: the others see nothing
    // of it, and both machines go on reading and writing.
    let (mut killed, mut stdin, out) = Shell::open(&a);
    let open_transaction = "BEGIN; INSERT INTO lake.orders SELECT 4, i FROM range(5000) t(i); \
                            SELECT count(*) AS n FROM lake.orders WHERE writer = 4;\n";
    stdin.write_all(open_transaction.as_bytes()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while out.recv_timeout(Duration::from_secs(60)).unwrap() != "5000" {
        assert!(Instant::now() < deadline, "the transaction did not get its rows");
    }
    assert_eq!(counts(&b, ""), "210,3", "B sees an uncommitted transaction");
    killed.0.kill().unwrap();
    killed.0.wait().unwrap();
    assert_eq!(counts(&b, ""), "210,3");
    b.run(&["run", "-q", &inserts(5, 1)]).ok();
    a.run(&["run", "-q", &inserts(6, 1)]).ok();
    assert_eq!(counts(&b, ""), "230,5");
    assert_eq!(counts(&b, "WHERE writer = 4"), "0,0");
}

/// A third folder with the view: what any other machine would see.
fn a_view(pg: &Pg, s3: &S3Server, schema: &str) -> Project {
    let p = machine(pg, s3, schema, VIEW);
    p.run(&["run"]).ok();
    p
}
