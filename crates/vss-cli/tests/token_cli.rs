//! The `vss` command against real SoftHSM2 tokens, with the scripted pinentry in place of the
//! user. Signatures are checked with RustCrypto's verifiers, not our own code.

use std::process::Output;

use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};
use vss_testkit::fixture::Fixture;

fn run(fixture: &Fixture, args: &[&str], extra_env: &[(&str, &str)]) -> (bool, Value) {
    let output: Output = fixture
        .command("vss")
        .args(args)
        .arg("--json")
        .envs(extra_env.iter().copied())
        .output()
        .expect("vss runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value = serde_json::from_str(&stdout).unwrap_or_else(|_| {
        panic!(
            "JSON from vss {args:?}: {stdout} / {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.success(), value)
}

fn error_code(value: &Value) -> &str {
    value["error"]["code"].as_str().unwrap_or("<no error>")
}

fn hash_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn spki_of(der_b64: &str) -> Vec<u8> {
    use x509_parser::prelude::FromDer;
    let der = base64::engine::general_purpose::STANDARD
        .decode(der_b64)
        .unwrap();
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(&der).unwrap();
    cert.public_key().raw.to_vec()
}

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

#[test]
fn lists_both_tokens_and_reads_vietnamese_identities() {
    let f = Fixture::new("standard");
    let (ok, tokens) = run(&f, &["tokens"], &[]);
    assert!(ok, "{tokens}");
    let labels: Vec<&str> = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["label"].as_str())
        .collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(labels.contains(&"VSS TEST 1 AN SINH") && labels.contains(&"VSS TEST 2 BAO MINH"));

    let (ok, certs) = run(&f, &["certs"], &[]);
    assert!(ok, "{certs}");
    let certs = certs["certificates"].as_array().unwrap();
    let by_id = |name: &str| {
        certs
            .iter()
            .find(|c| c["id"] == f.cert_id(name).as_str())
            .unwrap_or_else(|| panic!("{name} listed"))
            .clone()
    };
    let an_sinh = by_id("an-sinh");
    assert_eq!(an_sinh["identity"]["mst"], "0312345678-001");
    assert_eq!(an_sinh["holder"], "CÔNG TY TNHH PHẦN MỀM AN SINH");
    assert_eq!(an_sinh["key"]["algorithm"], "RSA");
    assert_eq!(an_sinh["key"]["bits"], 2048);
    assert_eq!(an_sinh["valid_now"], true);
    let binh = by_id("binh-cccd");
    assert_eq!(binh["identity"]["cccd"], "001099012345");
    assert!(binh["identity"]["mst"].is_null());
    assert_eq!(binh["key"]["curve"], "P-256");
    let bao_minh = by_id("bao-minh");
    assert_eq!(bao_minh["identity"]["mst"], "0109876543", "MST read from O");
    assert!(bao_minh["expires_in_days"].as_i64().unwrap() < 30);
    let expired = by_id("an-sinh-expired");
    assert_eq!(expired["valid_now"], false);
    assert!(expired["expires_in_days"].as_i64().unwrap() < 0);
}

#[test]
fn rsa_pkcs1_signature_verifies_and_the_dialog_showed_who_and_what() {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::signature::Verifier;
    let f = Fixture::new("standard");
    let data = b"To khai D02-TS thang 11";
    let (ok, result) = run(
        &f,
        &[
            "sign-hash",
            "--cert",
            &f.cert_id("an-sinh"),
            "--alg",
            "SHA-256",
            "--hash",
            &hash_hex(data),
            "--title",
            "D02-TS.xml",
        ],
        &[],
    );
    assert!(ok, "{result}");
    assert_eq!(result["signature_algorithm"], "RSASSA-PKCS1-v1_5-SHA256");
    let key =
        rsa::RsaPublicKey::from_public_key_der(&spki_of(result["certificate"].as_str().unwrap()))
            .unwrap();
    let verifier = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key);
    let signature =
        rsa::pkcs1v15::Signature::try_from(b64(result["signature"].as_str().unwrap()).as_slice())
            .unwrap();
    verifier
        .verify(data, &signature)
        .expect("signature verifies");

    let dialogs = f.dialogs();
    assert_eq!(dialogs.matches("----").count(), 1, "one dialog: {dialogs}");
    for expected in [
        "CÔNG TY TNHH PHẦN MỀM AN SINH",
        "0312345678-001",
        "D02-TS.xml",
        "Chứng thư có hiệu lực đến",
        "máy tính này",
    ] {
        assert!(
            dialogs.contains(expected),
            "dialog lacks {expected}: {dialogs}"
        );
    }
}

#[test]
fn rsa_pss_and_ecdsa_signatures_verify() {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::signature::Verifier;
    let f = Fixture::new("an-sinh");
    let data = b"hello PSS";
    let (ok, result) = run(
        &f,
        &[
            "sign-hash",
            "--cert",
            &f.cert_id("an-sinh"),
            "--hash",
            &hash_hex(data),
            "--padding",
            "pss",
        ],
        &[],
    );
    assert!(ok, "{result}");
    assert_eq!(result["signature_algorithm"], "RSASSA-PSS-SHA256");
    let key =
        rsa::RsaPublicKey::from_public_key_der(&spki_of(result["certificate"].as_str().unwrap()))
            .unwrap();
    let verifier = rsa::pss::VerifyingKey::<Sha256>::new(key);
    let signature =
        rsa::pss::Signature::try_from(b64(result["signature"].as_str().unwrap()).as_slice())
            .unwrap();
    verifier
        .verify(data, &signature)
        .expect("PSS signature verifies");

    let data = b"hello ECDSA";
    let (ok, result) = run(
        &f,
        &[
            "sign-hash",
            "--cert",
            &f.cert_id("binh-cccd"),
            "--hash",
            &hash_hex(data),
        ],
        &[],
    );
    assert!(ok, "{result}");
    assert_eq!(result["signature_algorithm"], "ECDSA-SHA256");
    let key = p256::ecdsa::VerifyingKey::from_public_key_der(&spki_of(
        result["certificate"].as_str().unwrap(),
    ))
    .unwrap();
    let signature = p256::ecdsa::Signature::from_der(&b64(result["signature"].as_str().unwrap()))
        .expect("DER-encoded ECDSA");
    key.verify(data, &signature)
        .expect("ECDSA signature verifies");
}

#[test]
fn cert_may_be_left_out_when_exactly_one_valid_certificate_is_present() {
    let f = Fixture::new("demo");
    let (ok, result) = run(&f, &["sign-hash", "--hash", &hash_hex(b"x")], &[]);
    assert!(ok, "{result}");
    let f = Fixture::new("standard");
    let (ok, result) = run(&f, &["sign-hash", "--hash", &hash_hex(b"x")], &[]);
    assert!(!ok);
    assert_eq!(error_code(&result), "certificate_ambiguous");
}

#[test]
fn wrong_pin_is_pin_incorrect_and_never_retried() {
    let f = Fixture::new("demo");
    let (ok, result) = run(
        &f,
        &["sign-hash", "--hash", &hash_hex(b"x")],
        &[("VSS_TEST_PIN", "999999")],
    );
    assert!(!ok);
    assert_eq!(error_code(&result), "pin_incorrect");
    assert!(
        result["error"]["details"]["count_low"].is_boolean(),
        "{result}"
    );
    assert_eq!(
        f.dialogs().matches("----").count(),
        1,
        "asked once, not retried"
    );
    // The token now flags a low count of tries: the next dialog warns before the PIN is typed.
    let (ok, _) = run(&f, &["sign-hash", "--hash", &hash_hex(b"x")], &[]);
    assert!(ok);
    let second = f
        .dialogs()
        .split("----")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    assert!(
        second.contains("Cảnh báo: đã có lần nhập sai PIN"),
        "{second}"
    );
}

#[test]
fn cancel_and_timeout_in_the_dialog() {
    let f = Fixture::new("demo");
    let (_, result) = run(
        &f,
        &["sign-hash", "--hash", &hash_hex(b"x")],
        &[("VSS_TEST_PINENTRY_MODE", "cancel")],
    );
    assert_eq!(error_code(&result), "user_cancelled");
    let (_, result) = run(
        &f,
        &["sign-hash", "--hash", &hash_hex(b"x")],
        &[("VSS_TEST_PINENTRY_MODE", "timeout")],
    );
    assert_eq!(error_code(&result), "user_timeout");
    // A dialog that never answers is abandoned at the configured timeout (10 s) plus grace.
    f.write_config("dialog_timeout_seconds = 10\n");
    let started = std::time::Instant::now();
    let (_, result) = run(
        &f,
        &["sign-hash", "--hash", &hash_hex(b"x")],
        &[("VSS_TEST_PINENTRY_MODE", "hang")],
    );
    assert_eq!(error_code(&result), "user_timeout");
    assert!(started.elapsed().as_secs() < 30);
}

#[test]
fn missing_or_broken_module_is_named_in_the_message() {
    let f = Fixture::new("demo");
    let (ok, result) = run(
        &f,
        &["certs", "--lang", "en"],
        &[("VSS_PKCS11_MODULE", "/opt/nowhere/vnpt-ca_csp11.so")],
    );
    assert!(!ok);
    assert_eq!(error_code(&result), "no_module");
    assert!(result["error"]["message"]
        .as_str()
        .unwrap()
        .contains("/opt/nowhere/vnpt-ca_csp11.so"));
    let not_a_library = f.dir.join("softhsm2.conf");
    let (ok, result) = run(
        &f,
        &["certs"],
        &[("VSS_PKCS11_MODULE", not_a_library.to_str().unwrap())],
    );
    assert!(!ok);
    assert_eq!(error_code(&result), "module_load_failed");
    assert!(result["error"]["message"]
        .as_str()
        .unwrap()
        .contains("softhsm2.conf"));
}

#[test]
fn no_token_plugged_in() {
    let f = Fixture::new("empty");
    let (ok, result) = run(&f, &["certs"], &[]);
    assert!(!ok);
    assert_eq!(error_code(&result), "no_token");
    assert!(result["error"]["hint"]
        .as_str()
        .unwrap()
        .contains("USB token"));
}

#[test]
fn hash_length_and_sha1_are_checked_before_any_dialog() {
    let f = Fixture::new("demo");
    let (_, result) = run(
        &f,
        &["sign-hash", "--alg", "SHA-256", "--hash", "00112233"],
        &[],
    );
    assert_eq!(error_code(&result), "hash_length_mismatch");
    let sha1 = hex::encode([7u8; 20]);
    let (_, result) = run(&f, &["sign-hash", "--alg", "SHA-1", "--hash", &sha1], &[]);
    assert_eq!(error_code(&result), "unsupported_algorithm");
    assert_eq!(f.dialogs(), "", "no dialog was shown");
    f.write_config("allow_sha1 = true\n");
    let (ok, result) = run(&f, &["sign-hash", "--alg", "SHA-1", "--hash", &sha1], &[]);
    assert!(ok, "SHA-1 allowed by policy: {result}");
    assert_eq!(result["signature_algorithm"], "RSASSA-PKCS1-v1_5-SHA1");
}

#[test]
fn expired_certificate_is_refused_before_the_pin_with_the_renewal_hint() {
    let f = Fixture::new("an-sinh");
    let (_, result) = run(
        &f,
        &[
            "sign-hash",
            "--cert",
            &f.cert_id("an-sinh-expired"),
            "--hash",
            &hash_hex(b"x"),
        ],
        &[],
    );
    assert_eq!(error_code(&result), "certificate_expired");
    assert!(
        result["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("cổng BHXH"),
        "{result}"
    );
    assert_eq!(f.dialogs(), "");
}

#[test]
fn messages_in_english_on_request() {
    let f = Fixture::new("empty");
    let (_, result) = run(&f, &["certs"], &[("VSS_LANG", "en")]);
    assert_eq!(
        result["error"]["message"],
        "No digital signature token is plugged in."
    );
}

#[test]
fn doctor_names_each_problem_and_what_to_do() {
    let f = Fixture::new("standard");
    let (ok, report) = run(&f, &["doctor"], &[]);
    assert!(ok, "warnings only: {report}");
    let checks = report["checks"].as_array().unwrap();
    let status_of = |needle: &str| {
        checks
            .iter()
            .find(|c| c["message"].as_str().unwrap().contains(needle))
            .map(|c| c["status"].as_str().unwrap().to_string())
    };
    assert_eq!(
        status_of("BẢO MINH").as_deref(),
        Some("warn"),
        "expires in under 30 days: {report}"
    );
    assert_eq!(
        status_of("hết hạn").as_deref(),
        Some("warn"),
        "the expired certificate: {report}"
    );
    assert!(
        checks
            .iter()
            .any(|c| c["check"] == "browser" && c["status"] == "warn"),
        "not registered with a browser yet"
    );

    let empty = Fixture::new("empty");
    let (ok, report) = run(&empty, &["doctor"], &[]);
    assert!(!ok);
    assert!(report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["check"] == "token" && c["status"] == "fail"));
}

#[test]
fn install_host_writes_and_removes_the_manifest() {
    let f = Fixture::new("empty");
    let profile = f.dir.join("profile");
    let (ok, result) = run(
        &f,
        &["install-host", "--user-data-dir", profile.to_str().unwrap()],
        &[],
    );
    assert!(ok, "{result}");
    let path = profile.join("NativeMessagingHosts/vn.vss.token_signing.json");
    let manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(manifest["name"], "vn.vss.token_signing");
    assert_eq!(manifest["type"], "stdio");
    assert_eq!(
        manifest["allowed_origins"][0],
        "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp/"
    );
    assert!(std::path::Path::new(manifest["path"].as_str().unwrap()).ends_with("vss-agent"));
    let (ok, _) = run(
        &f,
        &[
            "install-host",
            "--user-data-dir",
            profile.to_str().unwrap(),
            "--uninstall",
        ],
        &[],
    );
    assert!(ok);
    assert!(!path.exists());
}

#[test]
fn install_host_registers_coccoc_and_firefox_where_they_look_and_doctor_sees_them() {
    let f = Fixture::new("empty");
    let home = f.dir.join("home");
    let env = [("HOME", home.to_str().unwrap())];
    for browser in ["coccoc", "firefox"] {
        let (ok, result) = run(&f, &["install-host", "--browser", browser], &env);
        assert!(ok, "{result}");
    }
    let coccoc: Value = serde_json::from_slice(
        &std::fs::read(
            home.join(".config/coccoc-browser/NativeMessagingHosts/vn.vss.token_signing.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        coccoc["allowed_origins"][0],
        "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp/"
    );
    let firefox: Value = serde_json::from_slice(
        &std::fs::read(home.join(".mozilla/native-messaging-hosts/vn.vss.token_signing.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(firefox["allowed_extensions"][0], "token-signing@vss.vn");
    assert!(firefox.get("allowed_origins").is_none());

    let (_, report) = run(&f, &["doctor"], &env);
    let browser = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "browser")
        .unwrap()
        .clone();
    assert_eq!(browser["status"], "ok", "{browser}");
    let message = browser["message"].as_str().unwrap();
    assert!(
        message.contains("Cốc Cốc") && message.contains("Firefox"),
        "{message}"
    );

    let (ok, _) = run(
        &f,
        &["install-host", "--browser", "firefox", "--uninstall"],
        &env,
    );
    assert!(ok);
    assert!(!home
        .join(".mozilla/native-messaging-hosts/vn.vss.token_signing.json")
        .exists());
    assert!(home
        .join(".config/coccoc-browser/NativeMessagingHosts/vn.vss.token_signing.json")
        .exists());
}

#[test]
fn the_support_report_has_expiry_dates_and_hashed_serials_but_no_cccd_pin_or_raw_serial() {
    let f = Fixture::new("an-sinh");
    let (ok, certs) = run(&f, &["certs"], &[]);
    assert!(ok, "{certs}");
    let certs: Vec<Value> = certs["certificates"]
        .as_array()
        .or_else(|| certs.as_array())
        .cloned()
        .unwrap_or_default();
    assert!(certs.len() >= 2, "{certs:?}");
    let output = f
        .command("vss")
        .args(["doctor", "--report"])
        .output()
        .expect("vss runs");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let (_, json) = run(&f, &["doctor", "--report"], &[]);
    let json = json.to_string();
    for report in [&text, &json] {
        for secret in [
            "001099012345",
            "CCCD",
            "Nguyễn Thị Bình",
            "0312345678",
            "123456",
        ] {
            assert!(!report.contains(secret), "report shows {secret}:\n{report}");
        }
        for cert in &certs {
            let serial = cert["serial"].as_str().unwrap();
            assert!(
                !report.contains(serial),
                "raw serial {serial} in:\n{report}"
            );
            assert!(
                report.contains(&vss_core::report::fingerprint(serial)),
                "{report}"
            );
            let expiry = &cert["not_after"].as_str().unwrap()[..10];
            assert!(report.contains(expiry), "no expiry {expiry} in:\n{report}");
        }
        for token in f.manifest["tokens"].as_array().unwrap() {
            let serial = token["serial"].as_str().unwrap();
            assert!(
                !report.contains(serial),
                "raw token serial {serial} in:\n{report}"
            );
            assert!(report.contains(&vss_core::report::fingerprint(serial)));
        }
        assert!(
            report.contains("softhsm2"),
            "the module is listed: {report}"
        );
    }
    assert!(text.contains("VSS Token Signing 0.1.0"));
}
