//! A forwarder to the test PostgreSQL server that records what its clients
//! ask: one "startup" entry per connection, then the SQL text of each simple
//! query ('Q') and each parsed statement ('P').

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// libpq asks for TLS or GSS encryption in a packet of this form before the
/// startup packet; the server's one-byte answer is passed back unread.
const ENCRYPTION_REQUESTS: [i32; 2] = [80877103, 80877104];

pub struct PgLog {
    pub port: u16,
    entries: Arc<Mutex<Vec<String>>>,
}

impl PgLog {
    pub fn start(upstream: u16) -> PgLog {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let entries = Arc::new(Mutex::new(Vec::new()));
        let log = entries.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else { return };
                let (log, mut c, mut s) =
                    (log.clone(), client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut s, &mut c);
                    let _ = c.shutdown(Shutdown::Write);
                });
                std::thread::spawn(move || forward(client, server, &log));
            }
        });
        PgLog { port, entries }
    }

    /// What was recorded since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.entries.lock().unwrap())
    }
}

fn forward(mut client: TcpStream, mut server: TcpStream, log: &Mutex<Vec<String>>) {
    let (mut buf, mut chunk, mut startup) = (Vec::new(), [0u8; 65536], true);
    while let Ok(n) = client.read(&mut chunk) {
        if n == 0 || server.write_all(&chunk[..n]).is_err() {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        while let Some((entry, used)) = message(&buf, &mut startup) {
            if let Some(e) = entry {
                log.lock().unwrap().push(e);
            }
            buf.drain(..used);
        }
    }
    let _ = server.shutdown(Shutdown::Write);
}

/// The entry the first complete message of `buf` makes, and its length.
fn message(buf: &[u8], startup: &mut bool) -> Option<(Option<String>, usize)> {
    let int = |at: usize| i32::from_be_bytes(buf[at..at + 4].try_into().unwrap());
    if *startup {
        if buf.len() < 8 || buf.len() < int(0) as usize {
            return None;
        }
        *startup = ENCRYPTION_REQUESTS.contains(&int(4));
        let entry = (!*startup).then(|| "startup".to_string());
        return Some((entry, int(0) as usize));
    }
    if buf.len() < 5 || buf.len() < int(1) as usize + 1 {
        return None;
    }
    let body = &buf[5..int(1) as usize + 1];
    let text =
        |b: &[u8]| String::from_utf8_lossy(b.split(|c| *c == 0).next().unwrap()).into_owned();
    let entry = match buf[0] {
        b'Q' => Some(text(body)),
        // A Parse message: the statement's name, then its text.
        b'P' => body.iter().position(|c| *c == 0).map(|at| text(&body[at + 1..])),
        _ => None,
    };
    Some((entry, int(1) as usize + 1))
}
