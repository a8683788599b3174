//! The real `vss-agent serve` of a fixture on a free loopback port, spoken to over raw TCP: the
//! tests write the request bytes themselves, so they can send what no HTTP library would
//! (duplicate headers, absolute-form targets, a head dribbled byte by byte, half a body).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fixture::Fixture;

/// A running `vss-agent serve`; killed when dropped.
pub struct ServeAgent {
    pub child: Child,
    pub port: u16,
}

impl ServeAgent {
    /// Starts `vss-agent serve` of `f` on a free port and waits until it accepts.
    pub fn start(f: &Fixture, env: &[(&str, &str)]) -> ServeAgent {
        let port = free_port();
        let child = f
            .command("vss-agent")
            .args(["serve", "--port", &port.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("vss-agent serve starts");
        let agent = ServeAgent { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "vss-agent serve did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        agent
    }

    /// `Host: 127.0.0.1:<port>`, as a browser writes it.
    pub fn host(&self) -> (&'static str, String) {
        ("Host", format!("127.0.0.1:{}", self.port))
    }

    /// A new connection to the agent.
    pub fn connect(&self) -> TcpStream {
        connect(self.port)
    }

    /// One request with `Connection: close` and a Content-Length, on a new connection.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &str,
    ) -> HttpReply {
        request(self.port, method, path, headers, body)
    }

    /// Sends `bytes` as they are on a new connection and reads until the agent closes it.
    pub fn raw(&self, bytes: &[u8]) -> HttpReply {
        raw(self.port, bytes)
    }
}

/// A new connection to 127.0.0.1:`port` (reads time out after 30 s).
pub fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("read timeout");
    stream
}

/// One request with `Connection: close` and a Content-Length, on a new connection.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &str,
) -> HttpReply {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.push_str(body);
    raw(port, head.as_bytes())
}

/// Sends `bytes` as they are on a new connection and reads until the agent closes it.
pub fn raw(port: u16, bytes: &[u8]) -> HttpReply {
    let mut stream = connect(port);
    stream.write_all(bytes).expect("send");
    read_reply(&mut stream)
}

impl Drop for ServeAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// What came back: status (0 when nothing did), the head in lowercase, the body.
#[derive(Debug, Clone)]
pub struct HttpReply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl HttpReply {
    /// The body as JSON (`Null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// `error.code` of the body, or `<ok>`.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("<ok>")
            .to_string()
    }
}

/// Reads everything until the peer closes (or the read times out) and splits it.
pub fn read_reply(stream: &mut TcpStream) -> HttpReply {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
        }
    }
    parse_reply(&bytes)
}

/// Splits a raw HTTP/1.1 response.
pub fn parse_reply(bytes: &[u8]) -> HttpReply {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    HttpReply {
        status,
        head: head.to_ascii_lowercase(),
        body: body.to_string(),
    }
}
