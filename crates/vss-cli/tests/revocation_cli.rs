//! Revocation before signing, end to end: SoftHSM2 tokens whose certificates name a real OCSP
//! responder (`openssl ocsp` on 127.0.0.1) and a CRL served over local HTTP. A good certificate
//! signs (the dialog says it was checked); a revoked one is refused with `certificate_revoked`
//! before the pinentry starts (its log stays empty), by OCSP and by CRL, for sign-hash and
//! sign-xml; with nothing answering the signature goes ahead and the dialog says the status is
//! unknown, unless the admin setting makes that `revocation_unknown`.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};
use vss_testkit::fixture::{repo_root, Fixture};
use vss_testkit::pki::TestCert;
use vss_testkit::responders::{ports, CrlServer, OcspResponder, Status};

struct Setup {
    f: Fixture,
    ca: TestCert,
    cert_der: Vec<u8>,
    ocsp_port: u16,
    crl_port: u16,
}

fn der_of(pem_path: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(pem_path).expect("pem");
    x509_parser::pem::Pem::iter_from_buffer(text.as_bytes())
        .next()
        .expect("one PEM")
        .expect("PEM")
        .contents
}

/// The demo token (one An Sinh certificate) naming 127.0.0.1 responders; the test CA is the
/// configured anchor (where the issuer is found).
fn setup(extra_config: &str) -> Setup {
    let (ocsp_port, crl_port) = ports();
    let f = Fixture::with_addresses(
        "demo",
        &[
            "--ocsp-url",
            &OcspResponder::url(ocsp_port),
            "--crl-url",
            &CrlServer::url(crl_port),
        ],
    );
    let ca_pem = f.dir.join("ca.pem");
    f.write_config(&format!(
        "trust_anchors = [\"{}\"]\n{extra_config}",
        ca_pem.display()
    ));
    let ca = TestCert::from_pem(
        &std::fs::read_to_string(&ca_pem).expect("ca.pem"),
        &std::fs::read_to_string(f.dir.join("ca-key.pem")).expect("ca-key.pem"),
    );
    let cert = f.cert("an-sinh");
    let cert_der = der_of(&PathBuf::from(cert["pem"].as_str().expect("pem path")));
    Setup {
        f,
        ca,
        cert_der,
        ocsp_port,
        crl_port,
    }
}

impl Setup {
    fn responder(&self, status: Status) -> OcspResponder {
        OcspResponder::start(
            &self.f.dir.join("ocsp"),
            self.ocsp_port,
            &self.ca,
            &self.ca,
            &[(&self.cert_der, status)],
            1,
        )
    }
    fn crl(&self, revoked: bool) -> CrlServer {
        let list: Vec<&[u8]> = if revoked {
            vec![&self.cert_der]
        } else {
            vec![]
        };
        CrlServer::start(
            &self.f.dir.join("crl"),
            self.crl_port,
            &self.ca.crl_of(&list, 1),
        )
    }
    fn sign_hash(&self) -> (bool, Value) {
        let out = self
            .f
            .command("vss")
            .args(["sign-hash", "--json", "--hash"])
            .arg(hex::encode(Sha256::digest(b"D02-TS")))
            .output()
            .expect("vss runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let value = serde_json::from_str(&stdout).unwrap_or_else(|_| {
            panic!("JSON: {stdout} / {}", String::from_utf8_lossy(&out.stderr))
        });
        (out.status.success(), value)
    }
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<none>")
}

#[test]
fn a_good_certificate_signs_and_the_dialog_says_it_was_checked() {
    let s = setup("");
    let _ocsp = s.responder(Status::Good);
    let (ok, result) = s.sign_hash();
    assert!(ok, "{result}");
    assert!(result["signature"].is_string());
    let dialogs = s.f.dialogs();
    assert!(dialogs.contains("chưa bị thu hồi"), "{dialogs}");
    assert!(!dialogs.contains("chưa kiểm tra được"), "{dialogs}");
}

#[test]
fn a_revoked_certificate_is_refused_before_the_pin_by_ocsp_and_by_crl() {
    // OCSP says revoked.
    let s = setup("");
    {
        let _ocsp = s.responder(Status::Revoked);
        let (ok, result) = s.sign_hash();
        assert!(!ok);
        assert_eq!(code(&result), "certificate_revoked", "{result}");
        let hint = result["error"]["hint"].as_str().unwrap_or_default();
        assert!(
            hint.contains("nhà cung cấp") && hint.contains("cổng BHXH"),
            "{hint}"
        );
        assert!(result["error"]["details"]["revoked_at"].is_string());
        assert_eq!(s.f.dialogs(), "", "no pinentry for a revoked certificate");
    }
    // The responder down, the CRL lists it (a fresh fixture: no cached answer).
    let s = setup("");
    let _crl = s.crl(true);
    let (ok, result) = s.sign_hash();
    assert!(!ok);
    assert_eq!(code(&result), "certificate_revoked", "{result}");
    assert_eq!(s.f.dialogs(), "");
    // sign-xml goes through the same check.
    let input = s.f.dir.join("d02.xml");
    let text = std::fs::read_to_string(repo_root().join("tests/xml-corpus/d02-ts.xml"))
        .expect("corpus")
        .replace("0101234567", "0312345678-001")
        .replace("0109876543", "0312345678-001");
    std::fs::write(&input, text).expect("input");
    let out =
        s.f.command("vss")
            .args(["sign-xml", "--json", "-o"])
            .arg(s.f.dir.join("out.xml"))
            .arg(&input)
            .output()
            .expect("vss");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("certificate_revoked"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(s.f.dialogs(), "");
}

#[test]
fn with_the_responders_down_signing_goes_ahead_and_says_so_unless_the_admin_refuses() {
    let s = setup("");
    let started = std::time::Instant::now();
    let (ok, result) = s.sign_hash();
    assert!(ok, "{result}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let dialogs = s.f.dialogs();
    assert!(
        dialogs.contains("chưa kiểm tra được tình trạng thu hồi"),
        "{dialogs}"
    );

    let s = setup("refuse_unknown_revocation = true\n");
    let (ok, result) = s.sign_hash();
    assert!(!ok);
    assert_eq!(code(&result), "revocation_unknown", "{result}");
    assert_eq!(result["error"]["details"]["reason"], "unreachable");
    assert_eq!(s.f.dialogs(), "");
    // With the admin setting and a good answer, it signs.
    let _crl = s.crl(false);
    let (ok, result) = s.sign_hash();
    assert!(ok, "{result}");
}

/// Signs the corpus D02-TS form with the demo token (no responder running: nothing is cached).
fn signed_form(s: &Setup) -> PathBuf {
    let input = s.f.dir.join("d02.xml");
    let text = std::fs::read_to_string(repo_root().join("tests/xml-corpus/d02-ts.xml"))
        .expect("corpus")
        .replace("0101234567", "0312345678-001")
        .replace("0109876543", "0312345678-001");
    std::fs::write(&input, text).expect("input");
    let output = s.f.dir.join("signed.xml");
    let out =
        s.f.command("vss")
            .args(["sign-xml", "-o"])
            .arg(&output)
            .arg(&input)
            .output()
            .expect("vss");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    output
}

fn verify(s: &Setup, file: &Path, extra: &[&str]) -> (bool, Value, String) {
    let json =
        s.f.command("vss")
            .args(["verify-xml", "--json"])
            .args(extra)
            .arg(file)
            .output()
            .expect("vss");
    let value: Value = serde_json::from_slice(&json.stdout).expect("JSON line");
    let text =
        s.f.command("vss")
            .args(["verify-xml"])
            .arg(file)
            .output()
            .expect("vss");
    (
        json.status.success(),
        value,
        String::from_utf8_lossy(&text.stdout).into_owned(),
    )
}

#[test]
fn verify_xml_gives_three_answers_for_good_and_revoked_signers() {
    // Good signer.
    let s = setup("");
    let signed = signed_form(&s);
    let _ocsp = s.responder(Status::Good);
    let (ok, v, text) = verify(&s, &signed, &["--require-trusted"]);
    let sig = &v["report"]["signatures"][0];
    assert!(ok, "{v}");
    assert_eq!(v["report"]["valid"], true);
    assert_eq!(sig["trusted"], true, "{sig}");
    assert_eq!(sig["revocation"]["status"], "good", "{sig}");
    assert!(text.contains("chưa bị thu hồi"), "{text}");
    assert!(text.contains("Chuỗi chứng thư: tin cậy"), "{text}");

    // Revoked signer: still a valid signature, chain not trusted because revoked; fails only
    // with --require-trusted.
    let s = setup("");
    let signed = signed_form(&s);
    let _ocsp = s.responder(Status::Revoked);
    let (ok, v, text) = verify(&s, &signed, &[]);
    let sig = &v["report"]["signatures"][0];
    assert!(ok, "valid signature, trust not required: {v}");
    assert_eq!(v["report"]["valid"], true);
    assert_eq!(sig["trusted"], false);
    assert_eq!(sig["revocation"]["status"], "revoked");
    assert!(sig["revocation"]["revoked_at"].is_string());
    assert!(text.contains("ĐÃ BỊ THU HỒI"), "{text}");
    let (ok, _, _) = verify(&s, &signed, &["--require-trusted"]);
    assert!(!ok, "--require-trusted fails on a revoked signer");

    // Unknown: responder down, English reasons.
    let s = setup("");
    let signed = signed_form(&s);
    let (_, v, _) = verify(&s, &signed, &[]);
    let sig = &v["report"]["signatures"][0];
    assert_eq!(sig["revocation"]["status"], "unknown");
    assert_eq!(sig["revocation"]["reason"], "unreachable");
    let out =
        s.f.command("vss")
            .args(["verify-xml", "--lang", "en"])
            .arg(&signed)
            .output()
            .expect("vss");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("revocation status not checked (the OCSP/CRL server could not be reached)"),
        "{text}"
    );
}

#[test]
fn certs_and_doctor_show_the_chain_and_a_revoked_certificate_as_a_problem() {
    let s = setup("");
    let _ocsp = s.responder(Status::Revoked);
    let out = s.f.command("vss").args(["certs"]).output().expect("vss");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ĐÃ BỊ THU HỒI"), "{text}");
    assert!(text.contains("Chuỗi chứng thư: tin cậy"), "{text}");
    let out =
        s.f.command("vss")
            .args(["certs", "--json"])
            .output()
            .expect("vss");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["trust"][0]["revocation"]["status"], "revoked", "{v}");
    assert_eq!(v["trust"][0]["chain"]["trusted"], true, "{v}");

    let out =
        s.f.command("vss")
            .args(["doctor", "--json"])
            .output()
            .expect("vss");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["ok"], false, "{v}");
    let revocation = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["check"] == "revocation")
        .expect("a revocation check")
        .clone();
    assert_eq!(revocation["status"], "fail", "{revocation}");
    assert!(revocation["hint"]
        .as_str()
        .unwrap_or_default()
        .contains("nhà cung cấp"));
}
