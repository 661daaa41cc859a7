//! Network namespaces the tests make for themselves: loopback only, so that
//! nothing leaves the machine, and where a test needs one, an address whose
//! packets go nowhere.

use super::{ext_dir, Out, Project};
use std::process::Command;
use std::time::{Duration, Instant};

/// An address in the namespace that never answers: its frames go out of one
/// end of a veth pair to a hardware address nothing has, and are dropped, so
/// a connection attempt hears nothing (no refusal, no unreachable host) until
/// the client gives up.
pub const SILENT: &str = "10.254.0.2";

/// A network namespace with loopback only, removed when dropped.
pub struct Netns(String);

impl Netns {
    pub fn new() -> Netns {
        static MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("duckalog-netns-{}-{n}", std::process::id());
        ip(&["netns", "add", &name]);
        let ns = Netns(name);
        ip(&["netns", "exec", &ns.0, "ip", "link", "set", "lo", "up"]);
        ns
    }

    /// Adds the route to [`SILENT`].
    pub fn with_silent_host(self) -> Netns {
        let ns = self.0.as_str();
        for args in [
            &["link", "add", "silent0", "type", "veth", "peer", "name", "silent1"][..],
            &["addr", "add", "10.254.0.1/24", "dev", "silent0"],
            &["link", "set", "silent0", "up"],
            &["link", "set", "silent1", "up"],
            &[
                "neigh",
                "add",
                SILENT,
                "lladdr",
                "02:00:00:00:00:99",
                "dev",
                "silent0",
                "nud",
                "permanent",
            ],
        ] {
            ip(&[&["netns", "exec", ns, "ip"][..], args].concat());
        }
        self
    }

    pub fn command(&self, p: &Project, args: &[&str]) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.0, env!("CARGO_BIN_EXE_duckalog")])
            .args(args)
            .current_dir(p.dir.path());
        cmd.env_remove("RUST_LOG");
        cmd
    }

    pub fn run(&self, p: &Project, args: &[&str], env: &[(&str, &str)]) -> (Out, Duration) {
        let mut cmd = self.command(p, args);
        cmd.env("DUCKALOG_EXTENSION_DIR", ext_dir());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let start = Instant::now();
        let out = cmd.output().unwrap();
        let took = start.elapsed();
        (Out::of(out), took)
    }

    /// Runs duckalog with no extension directory anywhere: none configured,
    /// none in the environment, and a home folder that holds none.
    pub fn run_bare(&self, p: &Project, args: &[&str], input: &str) -> Out {
        let mut cmd = self.command(p, args);
        cmd.env_remove("DUCKALOG_EXTENSION_DIR")
            .env("HOME", p.dir.path())
            .env_remove("XDG_CACHE_HOME");
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
        Out::of(child.wait_with_output().unwrap())
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).output();
    }
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("iproute2's ip runs");
    assert!(out.status.success(), "ip {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}
