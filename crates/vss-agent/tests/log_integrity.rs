//! Log lines cannot be forged through `vss-agent serve` (issue 17 item 5): a page's request id
//! or command holding a newline, CR, ANSI sequence, BEL, C1 control, line separator or bidi
//! override is written into the agent's log file as one escaped field of one line. Real agent,
//! real TCP client, the real log file.

use std::time::{Duration, Instant};

use serde_json::json;
use vss_testkit::fixture::Fixture;
use vss_testkit::serve::ServeAgent;

const PORTAL: &str = "https://gddt.baohiemxahoi.gov.vn";

/// The attacks: each would, written raw, start a line of its own claiming a signature was made.
const FORGED: &str = "2026-12-02T10:00:00.000000Z  INFO request id=forged command=sign-hash origin=https://gddt.baohiemxahoi.gov.vn outcome=ok";

fn variants() -> Vec<(&'static str, String)> {
    vec![
        ("newline", format!("r1\n{FORGED}")),
        ("carriage return", format!("r2\r{FORGED}")),
        ("CRLF", format!("r3\r\n{FORGED}")),
        ("ANSI", format!("r4\u{1b}[2K\u{1b}[1G{FORGED}")),
        ("BEL and backspace", format!("r5\u{7}\u{8}\u{8}{FORGED}")),
        ("C1 CSI and NEL", format!("r6\u{9b}2K\u{85}{FORGED}")),
        ("line separator", format!("r7\u{2028}{FORGED}\u{2029}")),
        ("bidi override", "r8\u{202e}ko=emoctuo".to_string()),
        ("fake field", "r9 outcome=ok command=sign-hash".to_string()),
    ]
}

/// The agent's log file text once it holds `lines` request lines (the writer is asynchronous).
fn log_text(dir: &std::path::Path, lines: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text: String = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| std::fs::read(e.path()).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .collect();
        if text.lines().filter(|l| l.contains(" request ")).count() >= lines
            || Instant::now() > deadline
        {
            return text;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn request_ids_and_commands_cannot_forge_or_repaint_a_log_line() {
    let f = Fixture::new("demo");
    let logs = f.dir.join("logs");
    f.write_config(&format!("[log]\ndir = \"{}\"\n", logs.display()));
    let s = ServeAgent::start(&f, &[]);
    let headers = [s.host(), ("Origin", PORTAL.to_string())];
    let mut sent = 0;
    for (name, evil) in variants() {
        // As the id of a good request, and as the command itself.
        for body in [
            json!({"id": evil, "command": "version"}),
            json!({"id": format!("c-{name}"), "command": evil}),
        ] {
            let reply = s.request("POST", "/v1/request", &headers, &body.to_string());
            assert_eq!(reply.status, 200, "{name}: {}", reply.body);
            sent += 1;
        }
    }
    let text = log_text(&logs, sent);
    let lines: Vec<&str> = text.lines().collect();
    let requests: Vec<Vec<(String, String)>> = lines
        .iter()
        .filter(|l| l.contains(" INFO request "))
        .map(|l| fields(l))
        .collect();
    assert_eq!(requests.len(), sent, "one line per request:\n{text}");
    for line in &lines {
        assert!(
            !line
                .chars()
                .any(|c| c.is_control()
                    || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202e}' | '\u{85}')),
            "a control, separator or bidi character reached the log: {line:?}"
        );
        assert!(
            line.starts_with("20") && (line.contains(" INFO ") || line.contains(" WARN ")),
            "every line is an event of its own: {line:?}"
        );
    }
    for request in &requests {
        let names: Vec<&str> = request.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names.iter().filter(|n| **n == "id").count(),
            1,
            "one id field, none forged: {request:?}"
        );
        assert_eq!(names.iter().filter(|n| **n == "outcome").count(), 1);
        assert_eq!(names.iter().filter(|n| **n == "command").count(), 1);
        assert!(request.iter().all(|(_, v)| v != "forged"), "{request:?}");
    }
    let value = |id_prefix: &str, name: &str| -> String {
        requests
            .iter()
            .find(|r| r.iter().any(|(n, v)| n == "id" && v.starts_with(id_prefix)))
            .and_then(|r| r.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()))
            .unwrap_or_else(|| panic!("no request {id_prefix}: {text}"))
    };
    // Each attack is there, escaped inside its own field: visible, not obeyed.
    assert!(
        value("r1", "id").starts_with("r1\\u{a}2026-12-02T10"),
        "{text}"
    );
    assert!(
        value("r3", "id").starts_with("r3\\u{d}\\u{a}2026"),
        "{text}"
    );
    assert!(
        value("r4", "id").starts_with("r4\\u{1b}[2K\\u{1b}[1G"),
        "{text}"
    );
    assert!(
        value("r6", "id").starts_with("r6\\u{9b}2K\\u{85}"),
        "{text}"
    );
    assert!(value("r7", "id").starts_with("r7\\u{2028}"), "{text}");
    assert_eq!(value("r8", "id"), "r8\\u{202e}ko=emoctuo");
    assert_eq!(value("r9", "id"), "r9 outcome=ok command=sign-hash");
    for id in ["r1", "r9"] {
        assert_eq!(value(id, "outcome"), "ok", "the real outcome of {id}");
        assert_eq!(value(id, "command"), "version");
    }
    assert!(value("c-newline", "command").starts_with("r1\\u{a}2026"));
    assert_eq!(value("c-fake field", "outcome"), "unknown_command");
}

/// The `name=value` fields of a log line after its message (values may be quoted, with `\"`
/// and `\\` inside).
fn fields(line: &str) -> Vec<(String, String)> {
    let rest = line
        .split_once(" INFO request ")
        .map(|(_, r)| r)
        .unwrap_or("");
    let mut out = Vec::new();
    let mut chars = rest.chars().peekable();
    while chars.peek().is_some() {
        let name: String = chars.by_ref().take_while(|c| *c != '=').collect();
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    // `\\` and `\"` stand for themselves; `\u{…}` stays as written.
                    '\\' if matches!(chars.peek(), Some('\\' | '"')) => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
            chars.next(); // the space after the closing quote
        } else {
            value = chars.by_ref().take_while(|c| *c != ' ').collect();
        }
        out.push((name.trim().to_string(), value));
    }
    out
}
