//! RSA-PSS (`…xmldsig-more#sha256-rsa-MGF1`) verification. Debian's xmlsec1 1.2 cannot make
//! PSS signatures, so the SignatureValue is made by OpenSSL (`openssl dgst -sigopt
//! rsa_padding_mode:pss`) over a SignedInfo written directly in canonical form.

mod common;

use std::process::Command;

use base64::Engine;
use sha2::{Digest, Sha256};
use vss_xml::{verify, VerifyOptions};

const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";

fn signed_document(padding: &str, object_text: &str, signed_text: &str) -> Vec<u8> {
    let fx = common::fixtures();
    let b64 = base64::engine::general_purpose::STANDARD;
    // The Object's canonical form as the Reference sees it (namespace inherited from Signature).
    let object = format!("<Object xmlns=\"{DSIG}\" Id=\"object\">{signed_text}</Object>");
    let digest = b64.encode(Sha256::digest(object.as_bytes()));
    let signed_info_body = format!(
        "<CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"></CanonicalizationMethod>\
         <SignatureMethod Algorithm=\"http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1\"></SignatureMethod>\
         <Reference URI=\"#object\"><DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"></DigestMethod>\
         <DigestValue>{digest}</DigestValue></Reference>"
    );
    let canonical_signed_info =
        format!("<SignedInfo xmlns=\"{DSIG}\">{signed_info_body}</SignedInfo>");
    let input = fx.rsa.dir.join("signed-info.c14n");
    std::fs::write(&input, &canonical_signed_info).unwrap();
    let out = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(&fx.rsa.key_pem)
        .args(["-sigopt", &format!("rsa_padding_mode:{padding}")])
        .args(if padding == "pss" {
            vec!["-sigopt", "rsa_pss_saltlen:32"]
        } else {
            vec![]
        })
        .arg(&input)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "<Signature xmlns=\"{DSIG}\"><SignedInfo>{signed_info_body}</SignedInfo><SignatureValue>{}</SignatureValue>\
         <KeyInfo><X509Data><X509Certificate>{}</X509Certificate></X509Data></KeyInfo>\
         <Object Id=\"object\">{object_text}</Object></Signature>",
        b64.encode(out.stdout),
        b64.encode(&fx.rsa.cert_der)
    )
    .into_bytes()
}

#[test]
fn an_openssl_rsa_pss_signature_verifies_and_fails_once_tampered() {
    let opts = VerifyOptions::default();
    let good = signed_document("pss", "some text", "some text");
    let report = verify(&good, &opts).expect("verifies");
    assert!(report.valid, "{report:?}");
    assert!(
        report.signatures[0].signature_method.contains("MGF1"),
        "{report:?}"
    );

    let tampered = signed_document("pss", "some text!", "some text");
    assert!(!verify(&tampered, &opts).expect("report").valid);
}

#[test]
fn a_pkcs1_signature_under_a_pss_method_is_rejected() {
    let wrong_padding = signed_document("pkcs1", "some text", "some text");
    assert!(
        !verify(&wrong_padding, &VerifyOptions::default())
            .expect("report")
            .valid
    );
}
