//! A pinentry (Assuan protocol) client: SETTITLE/SETDESC/SETPROMPT/SETOK/SETCANCEL/SETTIMEOUT,
//! then GETPIN (or CONFIRM for PIN-pad tokens). Cancel → `user_cancelled`, timeout →
//! `user_timeout`. The transcript is never logged and the PIN line is zeroized. Options that
//! would let pinentry cache the PIN (allow-external-password-cache, SETKEYINFO) are never sent.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use vss_protocol::{limits, Error, ErrorCode, Result};
use zeroize::Zeroizing;

use crate::{Prompt, PromptAnswer, PromptRequest};

/// Assuan lines are at most 1000 bytes; leave room for the command word.
const MAX_ASSUAN_LINE: usize = 1000;
/// libgpg-error codes (low 16 bits of an Assuan ERR).
const GPG_ERR_TIMEOUT: u32 = 62;
const GPG_ERR_CANCELED: u32 = 99;
const GPG_ERR_NOT_CONFIRMED: u32 = 114;

/// Runs a pinentry program for each dialog.
#[derive(Debug, Clone)]
pub struct Pinentry {
    program: PathBuf,
}

impl Pinentry {
    /// `program` from config or `VSS_PINENTRY`, else `pinentry` on PATH.
    pub fn new(program: Option<PathBuf>) -> Self {
        Pinentry {
            program: program.unwrap_or_else(|| PathBuf::from("pinentry")),
        }
    }

    fn unavailable(&self, reason: impl std::fmt::Display) -> Error {
        Error::new(ErrorCode::DialogUnavailable)
            .arg("reason", format!("{}: {reason}", self.program.display()))
            .cause(format!("{}: {reason}", self.program.display()))
    }
}

/// Percent-escapes text for an Assuan command argument and cuts it to fit one line.
pub fn assuan_escape(text: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let piece = match c {
            '%' => "%25".to_string(),
            '\n' => "%0A".to_string(),
            '\r' => "%0D".to_string(),
            c => c.to_string(),
        };
        if out.len() + piece.len() > max_bytes {
            break;
        }
        out.push_str(&piece);
    }
    out
}

fn percent_decode(data: &str) -> Zeroizing<String> {
    let bytes = data.as_bytes();
    let mut out = Zeroizing::new(Vec::with_capacity(bytes.len()));
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Zeroizing::new(String::from_utf8_lossy(&out).into_owned())
}

/// A running pinentry with its reply lines arriving on a channel (so a hung program can be
/// abandoned at the deadline).
struct Session {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<Zeroizing<String>>,
}

enum Reply {
    Ok(Option<Zeroizing<String>>),
    Err(u32, String),
}

impl Session {
    fn send(&mut self, line: &str) -> std::io::Result<()> {
        self.stdin.write_all(line.as_bytes())?;
        self.stdin.write_all(b"\n")?;
        self.stdin.flush()
    }

    /// Reads until OK or ERR; collects D lines (the PIN) zeroized.
    fn reply(&mut self, timeout: Duration) -> std::result::Result<Reply, ReadFailure> {
        let mut data: Option<Zeroizing<String>> = None;
        loop {
            let line = match self.lines.recv_timeout(timeout) {
                Ok(line) => line,
                Err(mpsc::RecvTimeoutError::Timeout) => return Err(ReadFailure::Timeout),
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(ReadFailure::Closed),
            };
            if line.starts_with("OK") {
                return Ok(Reply::Ok(data));
            }
            if let Some(rest) = line.strip_prefix("ERR ") {
                let mut parts = rest.splitn(2, ' ');
                let code = parts
                    .next()
                    .and_then(|c| c.parse::<u32>().ok())
                    .unwrap_or(0)
                    & 0xFFFF;
                return Ok(Reply::Err(code, parts.next().unwrap_or("").to_string()));
            }
            if let Some(d) = line.strip_prefix("D ") {
                let decoded = percent_decode(d);
                let mut acc = data.take().unwrap_or_default();
                acc.push_str(&decoded);
                data = Some(acc);
            }
            // S (status), # (comment) and INQUIRE lines are ignored.
        }
    }
}

enum ReadFailure {
    Timeout,
    Closed,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.send("BYE");
        // A well-behaved pinentry answers BYE and exits, which closes its stdout: the reader
        // thread sees EOF and drops its end of the channel. Waiting for that wakes up the moment
        // it happens (no polling); only a program that keeps its stdout open past the grace
        // period is killed.
        let deadline = std::time::Instant::now() + vss_protocol::limits::PINENTRY_EXIT_GRACE;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(_) => continue, // "OK closing connection" and anything else it still says
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    break;
                }
            }
        }
        // Stdout closed: the program is exiting (or was killed). Reap it; a program that closed
        // its stdout yet lingers gets the rest of the grace period, then is killed.
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) if std::time::Instant::now() >= deadline => break,
                Ok(None) => std::thread::sleep(Duration::from_micros(200)),
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Pinentry {
    fn start(&self) -> Result<Session> {
        let mut child = Command::new(&self.program)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| self.unavailable(e))?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| self.unavailable("no stdin"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| self.unavailable("no stdout"))?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = Zeroizing::new(String::new());
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let trimmed =
                            Zeroizing::new(line.trim_end_matches(['\n', '\r']).to_string());
                        if tx.send(trimmed).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Ok(Session {
            child,
            stdin,
            lines: rx,
        })
    }
}

impl Prompt for Pinentry {
    fn ask(&self, request: &PromptRequest) -> Result<PromptAnswer> {
        let mut session = self.start()?;
        let short = Duration::from_secs(10);
        let deadline = request.timeout + vss_protocol::limits::DIALOG_GRACE;
        let io_err = |e: std::io::Error| self.unavailable(e);
        let expect_ok = |session: &mut Session, what: &str| -> Result<()> {
            match session.reply(short) {
                Ok(Reply::Ok(_)) => Ok(()),
                Ok(Reply::Err(_, msg)) => Err(self.unavailable(format!("{what}: {msg}"))),
                Err(ReadFailure::Timeout) => Err(self.unavailable(format!("{what}: no answer"))),
                Err(ReadFailure::Closed) => {
                    Err(self.unavailable(format!("{what}: program exited")))
                }
            }
        };
        expect_ok(&mut session, "greeting")?;
        let mut commands = vec![
            format!("SETTITLE {}", assuan_escape(&request.title, 200)),
            format!(
                "SETDESC {}",
                assuan_escape(
                    &request
                        .consent
                        .render(request.lang, limits::MAX_CONSENT_BYTES),
                    MAX_ASSUAN_LINE - 10
                )
            ),
            format!("SETPROMPT {}", assuan_escape(&request.prompt, 100)),
            format!("SETOK {}", assuan_escape(&request.ok, 100)),
            format!("SETCANCEL {}", assuan_escape(&request.cancel, 100)),
            format!("SETTIMEOUT {}", request.timeout.as_secs()),
        ];
        if let Some(hwnd) = request
            .parent_window
            .as_deref()
            .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            commands.insert(0, format!("OPTION parent-wid={hwnd}"));
        }
        for command in &commands {
            session.send(command).map_err(io_err)?;
            let word = command.split(' ').next().unwrap_or_default().to_string();
            match session.reply(short) {
                Ok(Reply::Ok(_)) => {}
                // Older pinentries lack SETTIMEOUT or parent-wid; the dialog still works.
                Ok(Reply::Err(_, _)) if word == "SETTIMEOUT" || word == "OPTION" => {}
                Ok(Reply::Err(_, msg)) => return Err(self.unavailable(format!("{word}: {msg}"))),
                Err(_) => return Err(self.unavailable(format!("{word}: no answer"))),
            }
        }
        session
            .send(if request.want_pin {
                "GETPIN"
            } else {
                "CONFIRM"
            })
            .map_err(io_err)?;
        match session.reply(deadline) {
            Ok(Reply::Ok(Some(pin))) if request.want_pin && !pin.is_empty() => {
                Ok(PromptAnswer::Pin(pin))
            }
            Ok(Reply::Ok(_)) if request.want_pin => {
                Err(Error::new(ErrorCode::UserCancelled).cause("empty PIN"))
            }
            Ok(Reply::Ok(_)) => Ok(PromptAnswer::Confirmed),
            Ok(Reply::Err(GPG_ERR_CANCELED | GPG_ERR_NOT_CONFIRMED, _)) => {
                Err(Error::new(ErrorCode::UserCancelled))
            }
            Ok(Reply::Err(GPG_ERR_TIMEOUT, _)) | Err(ReadFailure::Timeout) => {
                Err(crate::timed_out(request.timeout))
            }
            Ok(Reply::Err(_, msg)) => Err(self.unavailable(msg)),
            Err(ReadFailure::Closed) => Err(self.unavailable("program exited")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_lines_whole_and_short() {
        assert_eq!(assuan_escape("a%b\nc\r", 100), "a%25b%0Ac%0D");
        let long = "ế".repeat(1000);
        let escaped = assuan_escape(&long, 990);
        assert!(escaped.len() <= 990);
        assert!(escaped.chars().all(|c| c == 'ế'));
    }

    #[test]
    fn data_lines_are_decoded() {
        assert_eq!(percent_decode("12%2534%0A").as_str(), "12%34\n");
        assert_eq!(percent_decode("abc%").as_str(), "abc%");
    }
}
