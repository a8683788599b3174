//! `vss-agent serve` against a real client over TCP: Host (DNS rebinding), Origin, preflights
//! with and without the private-network header, and concurrent clients answered exactly once.

use serde_json::{json, Value};
use vss_testkit::fixture::Fixture;
use vss_testkit::serve::ServeAgent;

const PORTAL: &str = "https://gddt.baohiemxahoi.gov.vn";

fn start(f: &Fixture) -> ServeAgent {
    ServeAgent::start(f, &[])
}

/// One raw HTTP/1.1 request on its own connection; (status, head in lowercase, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &str,
) -> (u16, String, String) {
    let reply = vss_testkit::serve::request(port, method, path, headers, body);
    (reply.status, reply.head, reply.body)
}

fn host(port: u16) -> (&'static str, String) {
    ("Host", format!("127.0.0.1:{port}"))
}

fn code(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    v["error"]["code"].as_str().unwrap_or("<ok>").to_string()
}

#[test]
fn host_origin_and_preflights_are_checked_before_anything() {
    let f = Fixture::new("demo");
    let s = start(&f);
    let origin = |o: &str| ("Origin", o.to_string());
    let post = json!({"id": "1", "command": "version"}).to_string();

    let (status, head, body) = http(
        s.port,
        "POST",
        "/v1/request",
        &[host(s.port), origin(PORTAL)],
        &post,
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        head.contains(&format!("access-control-allow-origin: {PORTAL}")),
        "{head}"
    );
    assert!(!head.contains("access-control-allow-origin: *"));

    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host.
    let (status, _, body) = http(
        s.port,
        "POST",
        "/v1/request",
        &[("Host", format!("evil.example:{}", s.port)), origin(PORTAL)],
        &post,
    );
    assert_eq!((status, code(&body).as_str()), (403, "bad_request"));

    let (status, head, body) = http(
        s.port,
        "POST",
        "/v1/request",
        &[host(s.port), origin("https://evil.example")],
        &post,
    );
    assert_eq!((status, code(&body).as_str()), (403, "origin_not_allowed"));
    assert!(!head.contains("access-control-allow-origin"));

    let (status, _, body) = http(s.port, "POST", "/v1/request", &[host(s.port)], &post);
    assert_eq!(
        (status, code(&body).as_str()),
        (403, "origin_not_allowed"),
        "no Origin, no bearer token"
    );

    let (status, _, body) = http(
        s.port,
        "POST",
        "/v1/request",
        &[host(s.port), origin("http://gddt.baohiemxahoi.gov.vn")],
        &post,
    );
    assert_eq!((status, code(&body).as_str()), (403, "insecure_origin"));

    // Preflights: answered for the portal (with the private-network header when asked)...
    let preflight = |o: &str, pna: bool| {
        let mut h = vec![
            host(s.port),
            origin(o),
            ("Access-Control-Request-Method", "POST".to_string()),
            ("Access-Control-Request-Headers", "content-type".to_string()),
        ];
        if pna {
            h.push(("Access-Control-Request-Private-Network", "true".to_string()));
        }
        http(s.port, "OPTIONS", "/v1/request", &h, "")
    };
    let (status, head, _) = preflight(PORTAL, true);
    assert_eq!(status, 200);
    assert!(
        head.contains("access-control-allow-private-network: true"),
        "{head}"
    );
    let (status, head, _) = preflight(PORTAL, false);
    assert_eq!(status, 200);
    assert!(
        !head.contains("access-control-allow-private-network"),
        "{head}"
    );
    // ...and refused, with no CORS headers at all, for anyone else.
    let (status, head, _) = preflight("https://evil.example", true);
    assert_eq!(status, 403);
    assert!(!head.contains("access-control-allow"), "{head}");

    let (status, _, body) = http(
        s.port,
        "GET",
        "/v1/version",
        &[host(s.port), origin(PORTAL)],
        "",
    );
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["protocol"], 1);

    // The body's origin is ignored: the header decides.
    let forged =
        json!({"id": "2", "command": "version", "origin": "https://evil.example"}).to_string();
    let (status, _, body) = http(
        s.port,
        "POST",
        "/v1/request",
        &[host(s.port), origin(PORTAL)],
        &forged,
    );
    assert_eq!((status, code(&body).as_str()), (200, "<ok>"));
}

#[test]
fn local_programs_need_the_bearer_token() {
    let f = Fixture::new("demo");
    f.write_config("[serve]\nallow_local_apps = true\n");
    let s = start(&f);
    let post = json!({"id": "1", "command": "list-certificates"}).to_string();
    let (status, _, _) = http(
        s.port,
        "POST",
        "/v1/request",
        &[host(s.port), ("Authorization", "Bearer wrong".into())],
        &post,
    );
    assert_eq!(status, 403);
    let token_file = std::fs::read_dir(f.dir.join("home/.local/share"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path().join("serve-token")))
        .find(|p| p.exists())
        .expect("the agent created its bearer token file");
    let token = std::fs::read_to_string(&token_file)
        .unwrap_or_else(|_| panic!("{} exists", token_file.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let (status, _, body) = http(
        s.port,
        "POST",
        "/v1/request",
        &[host(s.port), ("Authorization", format!("Bearer {token}"))],
        &post,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(code(&body), "<ok>");
}

#[test]
fn concurrent_clients_are_each_answered_exactly_once() {
    let f = Fixture::new("demo");
    let s = start(&f);
    let port = s.port;
    let handles: Vec<_> = (0..24)
        .map(|i| {
            std::thread::spawn(move || {
                let body = json!({"id": format!("c{i}"), "command": if i % 3 == 0 { "status" } else { "list-certificates" }}).to_string();
                let (status, _, reply) = http(port, "POST", "/v1/request", &[host(port), ("Origin", PORTAL.to_string())], &body);
                assert_eq!(status, 200);
                serde_json::from_str::<Value>(&reply).unwrap()["id"].as_str().unwrap().to_string()
            })
        })
        .collect();
    let mut ids: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    ids.sort();
    let mut expected: Vec<String> = (0..24).map(|i| format!("c{i}")).collect();
    expected.sort();
    assert_eq!(ids, expected);
}

#[test]
fn an_oversized_body_is_message_too_large() {
    let f = Fixture::new("empty");
    let s = start(&f);
    let body = format!(
        "{{\"id\":\"x\",\"command\":\"version\",\"pad\":\"{}\"}}",
        "a".repeat(8 * 1024 * 1024 + 10)
    );
    let (status, _, reply) = http(
        s.port,
        "POST",
        "/v1/request",
        &[host(s.port), ("Origin", PORTAL.to_string())],
        &body,
    );
    assert_eq!((status, code(&reply).as_str()), (413, "message_too_large"));
}
