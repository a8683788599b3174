//! Revocation before signing through the native-messaging host, as the portal page reaches it:
//! the demo token's certificate names a real `openssl ocsp` responder on 127.0.0.1. Revoked:
//! `certificate_revoked` in the page's language, no pinentry started; good: it signs.

use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};
use vss_testkit::fixture::Fixture;
use vss_testkit::native_host::NativeHost as Host;
use vss_testkit::pki::TestCert;
use vss_testkit::responders::{ports, CrlServer, OcspResponder, Status};

const PORTAL: &str = "https://gddt.baohiemxahoi.gov.vn";

fn sign(status: Status) -> (serde_json::Value, String) {
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
    f.write_config(&format!("trust_anchors = [\"{}\"]\n", ca_pem.display()));
    let ca = TestCert::from_pem(
        &std::fs::read_to_string(&ca_pem).expect("ca"),
        &std::fs::read_to_string(f.dir.join("ca-key.pem")).expect("key"),
    );
    let pem =
        std::fs::read_to_string(f.cert("an-sinh")["pem"].as_str().expect("pem")).expect("pem");
    let der = x509_parser::pem::Pem::iter_from_buffer(pem.as_bytes())
        .next()
        .expect("PEM")
        .expect("PEM")
        .contents;
    let _ocsp = OcspResponder::start(
        &f.dir.join("ocsp"),
        ocsp_port,
        &ca,
        &ca,
        &[(&der, status)],
        1,
    );
    let mut host = Host::start(&f, &[]);
    let mut request = json!({"certificate": f.cert_id("an-sinh"),
        "hash": base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"dossier")),
        "hash_algorithm": "SHA-256"});
    request["document"] = json!({"title": "D02-TS"});
    let reply = host.request("r", "sign-hash", PORTAL, request);
    (reply, f.dialogs())
}

#[test]
fn a_revoked_certificate_is_refused_before_the_pin_and_a_good_one_signs() {
    let (reply, dialogs) = sign(Status::Revoked);
    assert_eq!(reply["error"]["code"], "certificate_revoked", "{reply}");
    assert!(reply["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("thu hồi"));
    assert_eq!(dialogs, "", "no pinentry for a revoked certificate");

    let (reply, dialogs) = sign(Status::Good);
    assert_eq!(reply["ok"], true, "{reply}");
    assert!(dialogs.contains("chưa bị thu hồi"), "{dialogs}");
}
