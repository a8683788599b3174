//! `vss-agent serve` against clients that never finish or lie about where they are sending:
//! hundreds of idle sockets (the user's own and another OS user's), heads dribbled byte by byte,
//! kept-alive connections left open, bodies sent in half — and through all of it the portal's
//! request is answered at once; every connection in a waiting phase is closed at its deadline.
//! Duplicate Host or Origin headers, request targets that are not a path and Host values that
//! are not exactly this listener are refused with a stable code before anything runs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
#[cfg(target_os = "linux")]
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use vss_protocol::limits::{
    HTTP_BODY_READ_TIMEOUT, HTTP_HEADER_READ_TIMEOUT, HTTP_IDLE_TIMEOUT, HTTP_MAX_CONNECTIONS,
};
use vss_testkit::fixture::Fixture;
#[cfg(target_os = "linux")]
use vss_testkit::serve::parse_reply;
use vss_testkit::serve::ServeAgent;

const PORTAL: &str = "https://gddt.baohiemxahoi.gov.vn";

/// The portal's `list-certificates`, as Chrome sends it; (status, code, time taken).
fn portal_request(agent: &ServeAgent) -> (u16, String, Duration) {
    let started = Instant::now();
    let body = json!({"id": "portal", "command": "list-certificates"}).to_string();
    let reply = agent.request(
        "POST",
        "/v1/request",
        &[
            agent.host(),
            ("Origin", PORTAL.into()),
            ("Content-Type", "application/json".into()),
        ],
        &body,
    );
    (reply.status, reply.code(), started.elapsed())
}

/// Blocks until the agent closes `stream` (EOF or reset); how long that took.
fn time_to_close(mut stream: TcpStream, limit: Duration) -> Duration {
    let started = Instant::now();
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return started.elapsed(),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return started.elapsed(),
            Err(e) => panic!("not closed within {limit:?}: {e}"),
        }
    }
}

/// A head that is never finished, one byte every `every`, until the agent stops taking it.
fn dribble(mut stream: TcpStream, every: Duration) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for byte in b"POST /v1/request HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".iter().cycle() {
            if stream.write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(every);
        }
    })
}

/// A request answered with the connection kept alive, then nothing more.
fn kept_alive(agent: &ServeAgent) -> TcpStream {
    let mut stream = agent.connect();
    let head = format!(
        "GET /v1/version HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: {PORTAL}\r\n\r\n",
        agent.port
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0;
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        line.clear();
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).unwrap();
    assert!(String::from_utf8_lossy(&body).contains("\"protocol\":1"));
    stream
}

/// A head announcing 1000 bytes of body, and 10 of them.
fn half_body(agent: &ServeAgent) -> TcpStream {
    let mut stream = agent.connect();
    let head = format!(
        "POST /v1/request HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: {PORTAL}\r\nContent-Length: 1000\r\n\r\n{{\"id\":\"x\"",
        agent.port
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream
}

#[test]
fn idle_dribbling_and_half_sent_clients_cannot_starve_the_portal() {
    let f = Fixture::new("demo");
    let agent = ServeAgent::start(&f, &[]);
    let (status, code, cold) = portal_request(&agent);
    assert_eq!((status, code.as_str()), (200, "<ok>"), "before any attack");

    let mut held = Vec::new();
    let mut dribblers = Vec::new();
    for i in 0..200 {
        held.push(agent.connect());
        if i % 10 == 0 {
            dribblers.push(dribble(agent.connect(), Duration::from_millis(200)));
            held.push(kept_alive(&agent));
            held.push(half_body(&agent));
        }
    }
    // Four times the cap of connections are open or were opened; the portal still gets in,
    // again and again, at once.
    for round in 0..5 {
        let (status, code, took) = portal_request(&agent);
        assert_eq!((status, code.as_str()), (200, "<ok>"), "round {round}");
        assert!(
            took < Duration::from_secs(2),
            "round {round}: {took:?} (cold {cold:?})"
        );
        for _ in 0..HTTP_MAX_CONNECTIONS {
            held.push(agent.connect());
        }
    }
    println!(
        "# portal list-certificates with {} hostile connections opened: answered",
        held.len() + dribblers.len()
    );
    drop(held);
    for d in dribblers {
        d.join().unwrap();
    }
}

#[test]
fn each_waiting_connection_is_closed_at_its_deadline() {
    let f = Fixture::new("empty");
    let agent = ServeAgent::start(&f, &[]);
    let slack = Duration::from_secs(3);
    let silent = agent.connect();
    let dribbling = agent.connect();
    let dribbler = dribble(dribbling.try_clone().unwrap(), Duration::from_millis(300));
    let idle = kept_alive(&agent);
    let half = half_body(&agent);
    let limit = HTTP_IDLE_TIMEOUT + slack;
    let waits: Vec<_> = [silent, dribbling, idle, half]
        .into_iter()
        .map(|s| std::thread::spawn(move || time_to_close(s, limit)))
        .collect();
    let [silent, dribbling, idle, half]: [Duration; 4] = waits
        .into_iter()
        .map(|w| w.join().unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    dribbler.join().unwrap();
    let around = |took: Duration, deadline: Duration, what: &str| {
        assert!(
            took + Duration::from_millis(500) >= deadline && took <= deadline + slack,
            "{what}: closed after {took:?}, deadline {deadline:?}"
        );
    };
    around(
        silent,
        HTTP_HEADER_READ_TIMEOUT,
        "a connection that sends nothing",
    );
    around(
        dribbling,
        HTTP_HEADER_READ_TIMEOUT,
        "a head dribbled byte by byte",
    );
    around(idle, HTTP_IDLE_TIMEOUT, "a kept-alive connection left idle");
    around(half, HTTP_BODY_READ_TIMEOUT, "a body sent in half");
}

/// Runs `script` in bash as the `nobody` user (only root can); `None` when not root.
#[cfg(target_os = "linux")]
fn as_other_user(script: &str) -> Option<std::process::Child> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    use std::os::unix::process::CommandExt;
    Some(
        Command::new("bash")
            .args(["-c", script])
            .uid(65534)
            .gid(65534)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("bash as nobody"),
    )
}

/// Linux: the agent reads the peer's user from /proc/net/tcp.
#[cfg(target_os = "linux")]
#[test]
fn another_users_sockets_cannot_crowd_out_the_users_own() {
    let f = Fixture::new("demo");
    let agent = ServeAgent::start(&f, &[]);
    let port = agent.port;
    let hold = format!(
        "for i in $(seq 300); do exec {{fd}}<>/dev/tcp/127.0.0.1/{port} || exit 1; done; echo held; sleep 60"
    );
    let Some(mut holder) = as_other_user(&hold) else {
        eprintln!(
            "not root: cannot open connections as another user; only the user's own are tried"
        );
        return;
    };
    let mut line = String::new();
    BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "held", "nobody opened 300 connections");
    let (status, code, took) = portal_request(&agent);
    assert_eq!((status, code.as_str()), (200, "<ok>"));
    assert!(took < Duration::from_secs(2), "{took:?}");

    // What another user's request is told, whatever its Origin.
    let ask = format!(
        "exec 3<>/dev/tcp/127.0.0.1/{port}; printf 'GET /v1/version HTTP/1.1\\r\\nHost: 127.0.0.1:{port}\\r\\nOrigin: {PORTAL}\\r\\nConnection: close\\r\\n\\r\\n' >&3; cat <&3"
    );
    let out = as_other_user(&ask).unwrap().wait_with_output().unwrap();
    let reply = parse_reply(&out.stdout);
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (403, "origin_not_allowed"),
        "{reply:?}"
    );
    assert!(reply.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("người dùng khác"));
    let _ = holder.kill();
    let _ = holder.wait();
}

/// A request head (with `head` lines as given) and a sign-hash body that, if it ever ran,
/// would open the consent dialog (and the scripted pinentry would note it).
fn raw_request(f: &Fixture, request_line: &str, head: &[String]) -> Vec<u8> {
    let body = json!({"id": "attack", "command": "sign-hash", "arguments":
        {"certificate": f.cert_id("an-sinh"), "hash": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
         "hash_algorithm": "SHA-256"}})
    .to_string();
    let mut bytes = format!("{request_line}\r\n");
    for line in head {
        bytes.push_str(line);
        bytes.push_str("\r\n");
    }
    bytes.push_str(&format!(
        "Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    bytes.into_bytes()
}

/// What is tried, the request line, the head lines, and the expected status, code and
/// `details.refused`.
type Refusal<'a> = (&'a str, String, Vec<String>, u16, &'a str, &'a str);

#[test]
fn duplicate_headers_and_request_targets_that_are_not_a_path_are_refused() {
    let f = Fixture::new("demo");
    let agent = ServeAgent::start(&f, &[]);
    let p = agent.port;
    let host = format!("Host: 127.0.0.1:{p}");
    let origin = format!("Origin: {PORTAL}");
    let post = "POST /v1/request HTTP/1.1";
    let cases: Vec<Refusal> = vec![
        (
            "two identical Hosts",
            post.into(),
            vec![host.clone(), host.clone(), origin.clone()],
            400,
            "bad_request",
            "duplicate_host",
        ),
        (
            "a second Host of another site",
            post.into(),
            vec![host.clone(), "Host: evil.example".into(), origin.clone()],
            400,
            "bad_request",
            "duplicate_host",
        ),
        (
            "a second Host in other case",
            post.into(),
            vec![host.clone(), format!("hOsT: localhost:{p}"), origin.clone()],
            400,
            "bad_request",
            "duplicate_host",
        ),
        (
            "two Origins",
            post.into(),
            vec![
                host.clone(),
                origin.clone(),
                "Origin: https://evil.example".into(),
            ],
            400,
            "bad_request",
            "duplicate_origin",
        ),
        (
            "two identical Origins",
            post.into(),
            vec![host.clone(), origin.clone(), origin.to_uppercase()],
            400,
            "bad_request",
            "duplicate_origin",
        ),
        (
            "absolute-form target",
            format!("POST http://127.0.0.1:{p}/v1/request HTTP/1.1"),
            vec![host.clone(), origin.clone()],
            400,
            "bad_request",
            "request_target",
        ),
        (
            "absolute-form to another host",
            "POST http://evil.example/v1/request HTTP/1.1".into(),
            vec![host.clone(), origin.clone()],
            400,
            "bad_request",
            "request_target",
        ),
        (
            "absolute-form https",
            format!("POST https://localhost:{p}/v1/request HTTP/1.1"),
            vec![host.clone(), origin.clone()],
            400,
            "bad_request",
            "request_target",
        ),
        (
            "authority-form target",
            format!("CONNECT 127.0.0.1:{p} HTTP/1.1"),
            vec![host.clone(), origin.clone()],
            400,
            "bad_request",
            "request_target",
        ),
        (
            "asterisk-form target",
            "OPTIONS * HTTP/1.1".into(),
            vec![host.clone(), origin.clone()],
            400,
            "bad_request",
            "request_target",
        ),
        (
            "Host with userinfo",
            post.into(),
            vec![format!("Host: user@127.0.0.1:{p}"), origin.clone()],
            403,
            "bad_request",
            "host",
        ),
        (
            "Host in mixed case",
            post.into(),
            vec![format!("Host: LocalHost:{p}"), origin.clone()],
            403,
            "bad_request",
            "host",
        ),
        (
            "Host without the port",
            post.into(),
            vec!["Host: 127.0.0.1".into(), origin.clone()],
            403,
            "bad_request",
            "host",
        ),
        (
            "Host with a trailing dot",
            post.into(),
            vec![format!("Host: localhost.:{p}"), origin.clone()],
            403,
            "bad_request",
            "host",
        ),
        (
            "Host of another port",
            post.into(),
            vec![format!("Host: 127.0.0.1:{}", p + 1), origin.clone()],
            403,
            "bad_request",
            "host",
        ),
        (
            "no Host at all",
            post.into(),
            vec![origin.clone()],
            403,
            "bad_request",
            "host",
        ),
    ];
    for (what, line, head, status, code, refused) in &cases {
        let reply = agent.raw(&raw_request(&f, line, head));
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (*status, *code),
            "{what}: {reply:?}"
        );
        assert_eq!(
            reply.json()["error"]["details"]["refused"],
            *refused,
            "{what}"
        );
        assert_eq!(
            reply.json()["id"],
            "",
            "{what}: nothing of the body was read"
        );
        assert!(
            !reply.head.contains("access-control-allow-origin"),
            "{what}"
        );
    }
    // What HTTP/1.1 forbids outright the parser refuses (400, no body), before the guard.
    let folded: Vec<(&str, Vec<String>)> = vec![
        (
            "a folded Host",
            vec![host.clone(), " evil.example".into(), origin.clone()],
        ),
        (
            "a folded Origin",
            vec![
                host.clone(),
                "Origin: https://evil.example".into(),
                format!("\t{PORTAL}"),
            ],
        ),
        (
            "a tab-folded Host",
            vec![
                format!("Host: evil.example"),
                format!("\t127.0.0.1:{p}"),
                origin.clone(),
            ],
        ),
        (
            "Content-Length and chunked",
            vec![
                host.clone(),
                origin.clone(),
                "Transfer-Encoding: chunked".into(),
            ],
        ),
        (
            "a space before the colon",
            vec![format!("Host : 127.0.0.1:{p}"), origin.clone()],
        ),
    ];
    for (what, head) in &folded {
        let reply = agent.raw(&raw_request(&f, post, head));
        assert_eq!(reply.status, 400, "{what}: {reply:?}");
    }
    assert_eq!(f.dialogs(), "", "no request ever reached a dialog");
    // The same request, well formed, does reach it: the refusals above were the refusals.
    let reply = agent.raw(&raw_request(&f, post, &[host.clone(), origin.clone()]));
    assert_eq!(
        (reply.status, reply.json()["ok"].clone()),
        (200, json!(true)),
        "{reply:?}"
    );
    assert!(!f.dialogs().is_empty());
    let (status, code, _) = portal_request(&agent);
    assert_eq!((status, code.as_str()), (200, "<ok>"), "still serving");
}
