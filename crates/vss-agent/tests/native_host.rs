//! The real `vss-agent` binary spawned as Chrome spawns it, spoken to in framed JSON, against
//! real SoftHSM2 tokens and the scripted pinentry.

use std::io::Write;

use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use vss_testkit::fixture::Fixture;
use vss_testkit::native_host::NativeHost as Host;

const PORTAL: &str = "https://gddt.baohiemxahoi.gov.vn";

fn code(reply: &Value) -> &str {
    reply["error"]["code"].as_str().unwrap_or("<ok>")
}

fn b64_hash(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(data))
}

#[test]
fn every_command_from_the_portal() {
    let f = Fixture::new("standard");
    let mut host = Host::start(&f, &[]);
    let version = host.request("v", "version", PORTAL, json!({}));
    assert_eq!(version["result"]["protocol"], 1);

    let status = host.request("s", "status", PORTAL, json!({}));
    assert_eq!(status["result"]["tokens"].as_array().unwrap().len(), 2);
    let text = status.to_string();
    assert!(
        !text.contains("libsofthsm2"),
        "no module paths to a web origin: {text}"
    );
    let serials: Vec<String> = f.manifest["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["serial"].as_str().unwrap().to_string())
        .collect();
    for serial in &serials {
        assert!(
            !text.contains(serial.as_str()),
            "token serials are hashed per origin"
        );
    }

    let list = host.request(
        "l",
        "list-certificates",
        PORTAL,
        json!({"filter": {"mst": "0312345678-001"}}),
    );
    let ids: Vec<&str> = list["result"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&f.cert_id("an-sinh").as_str())
            && ids.contains(&f.cert_id("an-sinh-renewed").as_str()),
        "{list}"
    );
    assert!(
        !ids.contains(&f.cert_id("an-sinh-expired").as_str()),
        "expired left out by default"
    );

    let signed = host.request(
        "h",
        "sign-hash",
        PORTAL,
        json!({"certificate": f.cert_id("an-sinh"), "hash": b64_hash(b"dossier"), "hash_algorithm": "SHA-256",
               "document": {"title": "Đăng ký giao dịch điện tử\u{202E}txt.exe", "description": "Tờ khai\u{200B} 01"}}),
    );
    assert_eq!(signed["ok"], true, "{signed}");
    assert_eq!(
        signed["result"]["signature_algorithm"],
        "RSASSA-PKCS1-v1_5-SHA256"
    );

    let dialog = f.dialogs();
    for expected in [
        PORTAL,
        "CÔNG TY TNHH PHẦN MỀM AN SINH",
        "0312345678-001",
        "chưa được kiểm chứng",
        "Đăng ký giao dịch điện tửtxt.exe",
        "Giá trị băm SHA-256",
    ] {
        assert!(
            dialog.contains(expected),
            "dialog lacks {expected:?}: {dialog}"
        );
    }
    assert!(
        !dialog.contains('\u{202E}') && !dialog.contains('\u{200B}'),
        "bidi/zero-width stripped"
    );
}

#[test]
fn status_serials_differ_between_origins() {
    let f = Fixture::new("demo");
    let mut host = Host::start(&f, &[("VSS_ALLOWED_ORIGINS", "https://ivan.example.vn")]);
    let a = host.request("a", "status", PORTAL, json!({}));
    let b = host.request("b", "status", "https://ivan.example.vn", json!({}));
    assert_ne!(
        a["result"]["tokens"][0]["serial"],
        b["result"]["tokens"][0]["serial"]
    );
}

#[test]
fn refused_origins_get_stable_codes_and_the_process_keeps_serving() {
    let f = Fixture::new("demo");
    let mut host = Host::start(&f, &[]);
    for (origin, expected) in [
        ("https://evil.example.com", "origin_not_allowed"),
        (
            "https://gddt.baohiemxahoi.gov.vn.evil.com",
            "origin_not_allowed",
        ),
        ("http://gddt.baohiemxahoi.gov.vn", "insecure_origin"),
        ("null", "origin_not_allowed"),
    ] {
        let reply = host.request("x", "list-certificates", origin, json!({}));
        assert_eq!(code(&reply), expected, "{origin}: {reply}");
        assert!(!reply["error"]["hint"].as_str().unwrap().is_empty());
    }
    host.send(&json!({"id": "noorigin", "command": "version"}));
    assert_eq!(code(&host.read()), "origin_not_allowed");
    assert_eq!(host.request("ok", "version", PORTAL, json!({}))["ok"], true);
}

#[test]
fn an_unknown_extension_id_is_refused() {
    let f = Fixture::new("empty");
    let mut host = Host::start_as(
        &f,
        "chrome-extension://bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/",
        &[],
    );
    let reply = host.read();
    assert_eq!(code(&reply), "origin_not_allowed");
    assert!(!host.child.wait().unwrap().success());
}

#[test]
fn malformed_json_unknown_commands_and_bad_arguments_are_answered() {
    let f = Fixture::new("demo");
    let mut host = Host::start(&f, &[]);
    host.send_raw(b"{not json");
    assert_eq!(code(&host.read()), "bad_request");
    host.send_raw("\"just a string\"".as_bytes());
    assert_eq!(code(&host.read()), "bad_request");
    let reply = host.request("u", "format-c", PORTAL, json!({}));
    assert_eq!(code(&reply), "unknown_command");
    let reply = host.request("b", "sign-hash", PORTAL, json!({"certificate": 5}));
    assert_eq!(code(&reply), "bad_request");
    let reply = host.request(
        "m",
        "sign-hash",
        PORTAL,
        json!({"certificate": "00", "hash": b64_hash(b"x"), "hash_algorithm": "MD5"}),
    );
    assert_eq!(code(&reply), "unsupported_algorithm");
    let reply = host.request(
        "l",
        "sign-hash",
        PORTAL,
        json!({"certificate": "00", "hash": "AAAA", "hash_algorithm": "SHA-256"}),
    );
    assert_eq!(code(&reply), "hash_length_mismatch");
    assert_eq!(
        host.request("v", "version", PORTAL, json!({}))["ok"],
        true,
        "still serving"
    );
}

#[test]
fn oversized_frame_is_refused_and_a_truncated_one_ends_the_session_cleanly() {
    let f = Fixture::new("demo");
    let mut host = Host::start(&f, &[]);
    let big = vec![b' '; 8 * 1024 * 1024 + 1];
    host.send_raw(&big);
    let reply = host.read();
    assert_eq!(code(&reply), "message_too_large");
    assert!(reply["error"]["hint"]
        .as_str()
        .unwrap()
        .contains("vss sign-xml"));
    assert_eq!(host.request("v", "version", PORTAL, json!({}))["ok"], true);
    // A frame announcing 100 bytes that never come: the port closed mid-frame.
    host.input().write_all(&100u32.to_ne_bytes()).unwrap();
    host.input().write_all(b"{\"id\":").unwrap();
    host.stdin = None;
    assert!(
        host.child.wait().unwrap().success(),
        "exits cleanly, no panic"
    );
}

#[test]
fn an_absurd_length_closes_the_port_without_allocating() {
    let f = Fixture::new("empty");
    let mut host = Host::start(&f, &[]);
    host.input().write_all(&u32::MAX.to_ne_bytes()).unwrap();
    host.input().flush().unwrap();
    assert!(host.child.wait().unwrap().success());
}

#[test]
fn a_hundred_requests_in_one_process() {
    let f = Fixture::new("demo");
    let mut host = Host::start(&f, &[]);
    for i in 0..100 {
        host.send(&json!({"id": format!("r{i}"), "command": if i % 2 == 0 { "version" } else { "list-certificates" }, "origin": PORTAL}));
    }
    let mut seen: Vec<String> = (0..100)
        .map(|_| host.read()["id"].as_str().unwrap().to_string())
        .collect();
    seen.sort();
    let mut expected: Vec<String> = (0..100).map(|i| format!("r{i}")).collect();
    expected.sort();
    assert_eq!(seen, expected, "each request answered exactly once");
}

#[test]
fn wrong_unit_and_expired_certificate_are_refused_before_the_pin() {
    let f = Fixture::new("standard");
    let mut host = Host::start(&f, &[]);
    let reply = host.request(
        "w",
        "list-certificates",
        PORTAL,
        json!({"filter": {"mst": "0101010101"}}),
    );
    assert_eq!(code(&reply), "identity_mismatch");
    assert!(reply["error"]["hint"]
        .as_str()
        .unwrap()
        .contains("0101010101"));
    let reply = host.request(
        "m",
        "sign-hash",
        PORTAL,
        json!({"certificate": f.cert_id("bao-minh"), "hash": b64_hash(b"x"), "hash_algorithm": "SHA-256", "mst": "0312345678-001"}),
    );
    assert_eq!(code(&reply), "identity_mismatch");
    let reply = host.request("e", "sign-hash", PORTAL, json!({"certificate": f.cert_id("an-sinh-expired"), "hash": b64_hash(b"x"), "hash_algorithm": "SHA-256"}));
    assert_eq!(code(&reply), "certificate_expired");
    let reply = host.request("n", "sign-hash", PORTAL, json!({"certificate": "ab".repeat(32), "hash": b64_hash(b"x"), "hash_algorithm": "SHA-256"}));
    assert_eq!(code(&reply), "certificate_not_found");
    assert_eq!(f.dialogs(), "", "no dialog for any of these");
}

#[test]
fn blind_hash_signing_is_denied_to_admin_added_origins_unless_granted() {
    let f = Fixture::new("demo");
    let ivan = "https://ivan.example.vn";
    let args = json!({"certificate": f.cert_id("an-sinh"), "hash": b64_hash(b"x"), "hash_algorithm": "SHA-256"});
    let mut host = Host::start(&f, &[("VSS_ALLOWED_ORIGINS", ivan)]);
    assert_eq!(
        code(&host.request("d", "sign-hash", ivan, args.clone())),
        "capability_denied"
    );
    drop(host);
    f.write_config(&format!("hash_signing_origins = [\"{ivan}\"]\n"));
    let mut host = Host::start(&f, &[("VSS_ALLOWED_ORIGINS", ivan)]);
    assert_eq!(host.request("g", "sign-hash", ivan, args)["ok"], true);
}

#[test]
fn cancel_and_timeout_in_the_consent_dialog() {
    let f = Fixture::new("demo");
    let args = json!({"certificate": f.cert_id("an-sinh"), "hash": b64_hash(b"x"), "hash_algorithm": "SHA-256"});
    let mut host = Host::start(&f, &[("VSS_TEST_PINENTRY_MODE", "cancel")]);
    let reply = host.request("c", "sign-hash", PORTAL, args.clone());
    assert_eq!(code(&reply), "user_cancelled");
    assert_eq!(reply["error"]["message"], "Bạn đã hủy thao tác ký.");
    drop(host);
    let mut host = Host::start(&f, &[("VSS_TEST_PINENTRY_MODE", "timeout")]);
    assert_eq!(
        code(&host.request("t", "sign-hash", PORTAL, args)),
        "user_timeout"
    );
}

#[test]
fn version_is_answered_while_a_dialog_is_open() {
    let f = Fixture::new("demo");
    f.write_config("dialog_timeout_seconds = 10\n");
    let mut host = Host::start(&f, &[("VSS_TEST_PINENTRY_MODE", "hang")]);
    host.send(&json!({"id": "slow", "command": "sign-hash", "origin": PORTAL, "lang": "en",
        "arguments": {"certificate": f.cert_id("an-sinh"), "hash": b64_hash(b"x"), "hash_algorithm": "SHA-256"}}));
    host.send(&json!({"id": "fast", "command": "version", "origin": PORTAL}));
    let first = host.read();
    assert_eq!(first["id"], "fast", "not blocked behind the dialog");
    let second = host.read();
    assert_eq!(second["id"], "slow");
    assert_eq!(code(&second), "user_timeout");
    assert_eq!(
        second["error"]["message"],
        "The PIN window was not answered in time."
    );
}

#[test]
fn the_extension_popup_may_read_but_not_sign() {
    let f = Fixture::new("demo");
    let mut host = Host::start(&f, &[]);
    let popup = "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp";
    let status = host.request("p", "status", popup, json!({}));
    assert_eq!(status["ok"], true, "{status}");
    assert!(
        status.to_string().contains("libsofthsm2"),
        "the popup sees module paths like the CLI"
    );
    let args = json!({"certificate": f.cert_id("an-sinh"), "hash": b64_hash(b"x"), "hash_algorithm": "SHA-256"});
    assert_eq!(
        code(&host.request("q", "sign-hash", popup, args)),
        "capability_denied"
    );
}

fn dossier(mst: &str, padding_bytes: usize) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TK1-TS xmlns=\"http://ivan.baohiemxahoi.gov.vn/hoso\">\n  <ThongTinChung><MaThuTuc>TK1-TS</MaThuTuc><TenDoiTuong>CÔNG TY TNHH PHẦN MỀM AN SINH</TenDoiTuong><MaSoThue>{mst}</MaSoThue><KyKeKhai>11/2026</KyKeKhai></ThongTinChung>\n  <GhiChu>{}</GhiChu>\n  <Cky></Cky>\n</TK1-TS>\n",
        "Đ".repeat(padding_bytes / 2)
    )
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn sign_xml_shows_what_the_agent_read_and_a_large_reply_arrives_in_chunks() {
    let f = Fixture::new("demo");
    let mut host = Host::start(&f, &[]);
    // About 3 MiB of XML: the signed reply (base64) is far above Chrome's 1 MiB frame limit.
    let xml = dossier("0312345678-001", 3 * 1024 * 1024);
    host.send(&json!({"id": "x", "command": "sign-xml", "origin": PORTAL,
        "arguments": {"certificate": f.cert_id("an-sinh"), "xml": b64(&xml), "document": {"title": "Tờ khai TK1-TS"}}}));
    let mut chunks = Vec::new();
    loop {
        let frame = host.read();
        assert_eq!(frame["id"], "x");
        let last = frame["chunk"]["seq"].as_u64().unwrap() + 1
            == frame["chunk"]["total"].as_u64().unwrap();
        chunks.push(frame);
        if last {
            break;
        }
    }
    assert!(chunks.len() >= 4, "{} chunks", chunks.len());
    let payload: String = chunks.iter().map(|c| c["data"].as_str().unwrap()).collect();
    let last = chunks.last().unwrap();
    assert_eq!(last["chunk"]["field"], "xml");
    assert_eq!(
        hex::encode(Sha256::digest(payload.as_bytes())),
        last["chunk"]["sha256"].as_str().unwrap()
    );
    let signed = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert!(
        signed.contains("<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"sigid\">")
    );
    let path = f.dir.join("signed.xml");
    std::fs::write(&path, &signed).unwrap();
    let xmlsec = std::process::Command::new("xmlsec1")
        .args(["--verify", "--trusted-pem"])
        .arg(f.manifest["ca_pem"].as_str().unwrap())
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        xmlsec.status.success(),
        "{}",
        String::from_utf8_lossy(&xmlsec.stderr)
    );

    let dialog = f.dialogs();
    for expected in [
        "Mẫu hồ sơ (đọc từ tệp): TK1-TS",
        "Mã số thuế trong tệp: 0312345678-001",
        "Kỳ kê khai: 11/2026",
        "(do trang web cung cấp, chưa được kiểm chứng): Tờ khai TK1-TS",
    ] {
        assert!(
            dialog.contains(expected),
            "dialog lacks {expected:?}: {dialog}"
        );
    }
    assert_eq!(
        host.request("v", "version", PORTAL, json!({}))["ok"],
        true,
        "still serving"
    );
}

#[test]
fn sign_xml_refuses_a_doctype_from_a_page_and_another_units_dossier_before_the_pin() {
    let f = Fixture::new("demo");
    let mut host = Host::start(&f, &[]);
    let with_doctype = format!(
        "<!DOCTYPE TK1-TS [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n{}",
        dossier("0312345678-001", 10).replacen(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "",
            1
        )
    );
    let reply = host.request(
        "d",
        "sign-xml",
        PORTAL,
        json!({"certificate": f.cert_id("an-sinh"), "xml": b64(&with_doctype)}),
    );
    assert_eq!(code(&reply), "xml_dtd_forbidden");
    let reply = host.request(
        "m",
        "sign-xml",
        PORTAL,
        json!({"certificate": f.cert_id("an-sinh"), "xml": b64(&dossier("0109876543", 10))}),
    );
    assert_eq!(code(&reply), "identity_mismatch");
    let reply = host.request(
        "b",
        "sign-xml",
        PORTAL,
        json!({"certificate": f.cert_id("an-sinh"), "xml": b64("<TK1-TS><Cky>")}),
    );
    assert_eq!(code(&reply), "xml_malformed");
    assert_eq!(f.dialogs(), "");
}

#[test]
fn the_log_records_requests_but_never_the_pin_hash_or_document() {
    let f = Fixture::new("an-sinh");
    let mut host = Host::start(&f, &[]);
    let hash = b64_hash(b"secret dossier");
    let title = "Bảng lương tháng 11 — mật";
    let reply = host.request("log-1", "sign-hash", PORTAL, json!({"certificate": f.cert_id("binh-cccd"), "hash": hash, "hash_algorithm": "SHA-256", "document": {"title": title}}));
    assert_eq!(reply["ok"], true, "{reply}");
    host.request("log-2", "list-certificates", PORTAL, json!({}));
    drop(host);
    let mut log = String::new();
    let mut dirs = vec![f.dir.join("home")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "log") {
                log.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    assert!(
        log.contains("log-1") && log.contains("sign-hash") && log.contains(PORTAL),
        "requests are logged: {log}"
    );
    let hash_hex = hex::encode(
        base64::engine::general_purpose::STANDARD
            .decode(&hash)
            .unwrap(),
    );
    for secret in [
        vss_testkit::USER_PIN,
        hash.as_str(),
        hash_hex.as_str(),
        title,
        "001099012345",
    ] {
        assert!(!log.contains(secret), "the log holds {secret:?}: {log}");
    }
}

#[test]
fn a_driver_installed_while_the_browser_runs_is_picked_up_without_a_restart() {
    let f = Fixture::new("demo");
    let driver = f.dir.join("drivers/vnpt-ca_csp11.so");
    let mut host = Host::start(&f, &[("VSS_PKCS11_MODULE", driver.to_str().unwrap())]);
    let reply = host.request("1", "list-certificates", PORTAL, json!({}));
    assert_eq!(code(&reply), "no_module");
    assert!(
        reply["error"]["hint"].as_str().unwrap().contains("driver"),
        "{reply}"
    );
    // The user installs the CA's driver (here: SoftHSM2 under the CA's file name).
    std::fs::create_dir_all(driver.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(vss_testkit::SOFTHSM_MODULE, &driver).unwrap();
    let reply = host.request("2", "list-certificates", PORTAL, json!({}));
    assert_eq!(reply["ok"], true, "{reply}");
}
