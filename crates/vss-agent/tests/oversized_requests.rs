//! A request over the size limit is answered promptly with `message_too_large` under the
//! request's own id — read from the first bytes, without buffering the rest — so the extension
//! can route the answer to the page that sent it; through the native host as Chrome drives it
//! and through `vss-agent serve`. Where the id is not in those first bytes (missing, or after
//! the payload) the answer carries an empty id, and the port or server keeps serving.

use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use vss_protocol::limits::{MAX_ID_PREFIX_BYTES, MAX_REQUEST_BYTES};
use vss_testkit::fixture::Fixture;
use vss_testkit::native_host::NativeHost;
use vss_testkit::serve::ServeAgent;

const PORTAL: &str = "https://gddt.baohiemxahoi.gov.vn";

/// A sign-xml request of `size` bytes whose `id` sits where `place` says.
fn oversized(size: usize, place: &str) -> Vec<u8> {
    let filler = |n: usize| "PD94".repeat(n / 4 + 1);
    let text = match place {
        "first" => format!(
            r#"{{"id":"x7","command":"sign-xml","origin":"{PORTAL}","lang":"vi","arguments":{{"certificate":"00","xml":"{}"}}}}"#,
            filler(size)
        ),
        // After a few kilobytes of other fields, still within the first bytes.
        "early" => format!(
            r#"{{"command":"sign-xml","origin":"{PORTAL}","document":{{"title":"{}"}},"id":"x7","arguments":{{"xml":"{}"}}}}"#,
            "T".repeat(MAX_ID_PREFIX_BYTES / 2),
            filler(size)
        ),
        "after-payload" => format!(
            r#"{{"command":"sign-xml","arguments":{{"xml":"{}"}},"id":"x7"}}"#,
            filler(size)
        ),
        "missing" => format!(
            r#"{{"command":"sign-xml","arguments":{{"xml":"{}"}}}}"#,
            filler(size)
        ),
        "not-json" => "A".repeat(size),
        other => panic!("{other}"),
    };
    text.into_bytes()
}

fn limit_plus(extra: usize) -> usize {
    MAX_REQUEST_BYTES + extra
}

#[test]
fn native_host_answers_an_oversized_frame_under_its_id() {
    let f = Fixture::new("demo");
    let mut host = NativeHost::start(&f, &[]);
    for (place, extra, expected_id) in [
        ("first", 1, "x7"),
        ("first", 1024 * 1024, "x7"),
        ("early", 10, "x7"),
        ("after-payload", 1, ""),
        ("missing", 1, ""),
        ("not-json", 1, ""),
    ] {
        let frame = oversized(limit_plus(extra), place);
        assert!(frame.len() > MAX_REQUEST_BYTES, "{place}");
        let started = Instant::now();
        host.send_raw(&frame);
        let reply = host.read();
        let took = started.elapsed();
        assert_eq!(
            reply["error"]["code"], "message_too_large",
            "{place}: {reply}"
        );
        assert_eq!(reply["id"], expected_id, "{place}");
        assert_eq!(
            reply["error"]["details"]["limit"], MAX_REQUEST_BYTES,
            "{place}"
        );
        assert!(
            reply["error"]["hint"]
                .as_str()
                .unwrap()
                .contains("vss sign-xml"),
            "{place}"
        );
        assert!(took < Duration::from_secs(3), "{place}: {took:?}");
        // The rest of the frame was drained: the next request is read from its own start.
        let after = host.request(&format!("after-{place}"), "version", PORTAL, json!({}));
        assert_eq!(after["ok"], true, "{place}: {after}");
    }
    // Exactly at the limit is not too large (it is read, and fails for what it is).
    let mut at_limit = br#"{"id":"edge","command":"version","origin":""#.to_vec();
    at_limit.extend_from_slice(PORTAL.as_bytes());
    at_limit.extend_from_slice(br#"","pad":""#);
    at_limit.resize(MAX_REQUEST_BYTES - 2, b'A');
    at_limit.extend_from_slice(b"\"}");
    host.send_raw(&at_limit);
    let reply = host.read();
    assert_eq!(
        (reply["id"].clone(), reply["ok"].clone()),
        (json!("edge"), json!(true)),
        "{reply}"
    );
}

#[test]
fn native_host_oversized_frame_cut_off_ends_the_session_cleanly() {
    let f = Fixture::new("empty");
    let mut host = NativeHost::start(&f, &[]);
    let frame = oversized(limit_plus(1), "first");
    let input = host.input();
    input
        .write_all(&(frame.len() as u32).to_ne_bytes())
        .unwrap();
    input.write_all(&frame[..frame.len() / 2]).unwrap();
    host.stdin = None;
    assert!(host.try_read().is_none(), "no reply to half a frame");
    assert!(host.child.wait().unwrap().success(), "exits cleanly");
}

fn post(
    agent: &ServeAgent,
    body: &[u8],
    chunked: bool,
) -> (vss_testkit::serve::HttpReply, Duration) {
    let mut head = format!(
        "POST /v1/request HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: {PORTAL}\r\nContent-Type: application/json\r\nConnection: close\r\n",
        agent.port
    );
    let mut bytes = Vec::new();
    if chunked {
        head.push_str("Transfer-Encoding: chunked\r\n\r\n");
        bytes.extend_from_slice(head.as_bytes());
        for part in body.chunks(256 * 1024) {
            bytes.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
            bytes.extend_from_slice(part);
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"0\r\n\r\n");
    } else {
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        bytes.extend_from_slice(head.as_bytes());
        bytes.extend_from_slice(body);
    }
    let started = Instant::now();
    let reply = agent.raw(&bytes);
    (reply, started.elapsed())
}

#[test]
fn http_answers_413_under_the_id_of_an_oversized_body() {
    let f = Fixture::new("demo");
    let agent = ServeAgent::start(&f, &[]);
    for chunked in [false, true] {
        for (place, expected_id) in [
            ("first", "x7"),
            ("early", "x7"),
            ("after-payload", ""),
            ("missing", ""),
            ("not-json", ""),
        ] {
            let what = format!("{place}, chunked {chunked}");
            let (reply, took) = post(&agent, &oversized(limit_plus(1024 * 1024), place), chunked);
            assert_eq!(
                (reply.status, reply.code().as_str()),
                (413, "message_too_large"),
                "{what}: {reply:?}"
            );
            let body: Value = reply.json();
            assert_eq!(body["id"], expected_id, "{what}");
            assert_eq!(
                body["error"]["details"]["limit"], MAX_REQUEST_BYTES,
                "{what}"
            );
            assert!(
                reply
                    .head
                    .contains("access-control-allow-origin: https://gddt"),
                "{what}: the page may read it: {}",
                reply.head
            );
            assert!(took < Duration::from_secs(3), "{what}: {took:?}");
        }
    }
    let (reply, _) = post(
        &agent,
        json!({"id": "ok", "command": "version"})
            .to_string()
            .as_bytes(),
        true,
    );
    assert_eq!(
        (reply.status, reply.json()["id"].clone()),
        (200, json!("ok")),
        "{reply:?}"
    );
}
