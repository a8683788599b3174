//! The scripted pinentry of tests/pinentry/scripted-pinentry as a compiled program, for the
//! benchmarks (scripts/bench.sh): the same environment interface and dialog log, but it costs
//! what a real compiled pinentry costs (one exec, buffered reads) rather than what bash costs
//! (its startup and a read(2) per byte of every SETDESC), so that a benchmark of the agent does
//! not measure the shell that stands in for the person.
//!   VSS_TEST_PINENTRY_MODE  pin (default) | cancel | hang | timeout | error
//!   VSS_TEST_PIN            the PIN to answer (default 123456)
//!   VSS_TEST_PINENTRY_LOG   file to which each dialog shown is appended, as the shell script does

use std::io::{BufRead, Write};

/// Undoes the Assuan percent escapes of a command's argument.
fn unescape(arg: &str) -> String {
    let bytes = arg.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Escapes data sent back in a `D` line.
fn escape_data(data: &str) -> String {
    data.replace('%', "%25")
        .replace('\n', "%0A")
        .replace('\r', "%0D")
}

fn main() {
    let mode = std::env::var("VSS_TEST_PINENTRY_MODE").unwrap_or_else(|_| "pin".into());
    let pin = std::env::var("VSS_TEST_PIN").unwrap_or_else(|_| "123456".into());
    let log = std::env::var_os("VSS_TEST_PINENTRY_LOG");
    let (mut title, mut desc, mut prompt, mut options) =
        (String::new(), String::new(), String::new(), String::new());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let reply = |out: &mut std::io::StdoutLock, line: &str| {
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    };
    reply(&mut out, "OK Pleased to meet you (scripted pinentry)");
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { return };
        let (cmd, arg) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        match cmd {
            "SETTITLE" => title = unescape(arg),
            "SETDESC" => desc = unescape(arg),
            "SETPROMPT" => prompt = unescape(arg),
            "OPTION" => {
                options.push(' ');
                options.push_str(arg);
            }
            "GETPIN" | "CONFIRM" => {
                if let Some(log) = &log {
                    let mut entry = format!("TITLE {title}\nPROMPT {prompt}\nCOMMAND {cmd}\n");
                    if !options.is_empty() {
                        entry.push_str(&format!("OPTIONS{options}\n"));
                    }
                    entry.push_str(&format!("{}\n----\n", desc.trim_end_matches('\n')));
                    if let Ok(mut file) = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(log)
                    {
                        let _ = file.write_all(entry.as_bytes());
                    }
                }
                match mode.as_str() {
                    "cancel" => reply(&mut out, "ERR 83886179 Operation cancelled <Pinentry>"),
                    "timeout" => reply(&mut out, "ERR 83886142 Timeout <Pinentry>"),
                    "error" => reply(&mut out, "ERR 83886360 No pinentry <Pinentry>"),
                    "hang" => std::thread::sleep(std::time::Duration::from_secs(3600)),
                    _ => {
                        if cmd == "GETPIN" {
                            reply(&mut out, &format!("D {}", escape_data(&pin)));
                        }
                        reply(&mut out, "OK");
                    }
                }
                continue;
            }
            "BYE" => {
                reply(&mut out, "OK closing connection");
                return;
            }
            _ => {}
        }
        reply(&mut out, "OK");
    }
}
