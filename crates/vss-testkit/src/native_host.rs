//! The real `vss-agent` spawned as a browser spawns a native host, spoken to in framed JSON
//! (4-byte native-endian length + UTF-8 JSON), for the integration tests of every crate.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::fixture::Fixture;

/// The caller argument Chrome passes for the extension.
pub fn extension_caller() -> String {
    format!("chrome-extension://{}/", vss_protocol::EXTENSION_ID)
}

/// A running native host; killed when dropped.
pub struct NativeHost {
    pub child: Child,
    /// The browser's side of the port; `None` once closed.
    pub stdin: Option<ChildStdin>,
    stdout: ChildStdout,
}

impl NativeHost {
    /// `vss-agent` of the fixture, started for the extension.
    pub fn start(f: &Fixture, env: &[(&str, &str)]) -> NativeHost {
        NativeHost::start_as(f, &extension_caller(), env)
    }

    /// `vss-agent` of the fixture, started with `caller` as its argument.
    pub fn start_as(f: &Fixture, caller: &str, env: &[(&str, &str)]) -> NativeHost {
        let mut command = f.command("vss-agent");
        command.arg(caller).envs(env.iter().copied());
        NativeHost::spawn(command)
    }

    /// Spawns `command` (a `vss-agent` command line) with its stdio as the port.
    pub fn spawn(mut command: Command) -> NativeHost {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("agent starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        NativeHost {
            child,
            stdin,
            stdout,
        }
    }

    pub fn input(&mut self) -> &mut ChildStdin {
        self.stdin.as_mut().expect("port open")
    }

    /// Sends one frame holding `body` as it is.
    pub fn send_raw(&mut self, body: &[u8]) {
        let input = self.input();
        input.write_all(&(body.len() as u32).to_ne_bytes()).unwrap();
        input.write_all(body).unwrap();
        input.flush().unwrap();
    }

    pub fn send(&mut self, value: &Value) {
        self.send_raw(&serde_json::to_vec(value).unwrap());
    }

    /// The next frame, or `None` when the agent closed its side (it exited). Every frame must
    /// stay under Chrome's 1 MiB limit and be JSON: anything else means a corrupt channel.
    pub fn try_read(&mut self) -> Option<Value> {
        let mut len = [0u8; 4];
        self.stdout.read_exact(&mut len).ok()?;
        let len = u32::from_ne_bytes(len) as usize;
        assert!(
            len <= 1024 * 1024,
            "frame length {len}: frames stay under Chrome's 1 MiB limit"
        );
        let mut body = vec![0u8; len];
        self.stdout.read_exact(&mut body).expect("a whole frame");
        Some(serde_json::from_slice(&body).unwrap_or_else(|_| {
            panic!(
                "a frame that is not JSON: {:?}",
                String::from_utf8_lossy(&body)
            )
        }))
    }

    /// The next frame.
    pub fn read(&mut self) -> Value {
        self.try_read().expect("a reply frame")
    }

    /// Sends a request and reads its (single-frame) reply.
    pub fn request(&mut self, id: &str, command: &str, origin: &str, arguments: Value) -> Value {
        self.send(&json!({"id": id, "command": command, "origin": origin, "arguments": arguments}));
        let reply = self.read();
        assert_eq!(reply["id"], id, "{reply}");
        reply
    }

    /// Closes the port and waits (at most `limit`) for the agent to exit.
    pub fn close_and_wait(&mut self, limit: Duration) -> Option<ExitStatus> {
        self.stdin = None;
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for NativeHost {
    /// Closes the port as Chrome does and gives the agent a moment to end by itself (so its
    /// log writer flushes what it was given); kills it if it does not.
    fn drop(&mut self) {
        self.stdin = None;
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
