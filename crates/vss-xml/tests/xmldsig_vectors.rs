//! Signatures made by xmlsec (its own test suite, tests/vectors/xmldsig) verify here, chained to
//! the test CA, and stop verifying once the signed content or SignedInfo changes.

use std::path::PathBuf;

use base64::Engine;
use vss_xml::{verify, VerifyOptions};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/xmldsig")
}

/// The first certificate of a PEM file (cacert.pem carries openssl's text dump before it).
fn pem_to_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect::<Vec<_>>()
        .concat();
    base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .expect("PEM body")
}

fn vectors() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir())
        .expect("vector directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).expect("vector"),
            )
        })
        .collect();
    v.sort();
    assert_eq!(v.len(), 7);
    v
}

fn trusted_opts() -> VerifyOptions {
    let ca = std::fs::read_to_string(dir().join("cacert.pem")).expect("cacert.pem");
    VerifyOptions {
        trust_anchors: vec![pem_to_der(&ca)],
        ..VerifyOptions::default()
    }
}

#[test]
fn every_xmlsec_signature_verifies_and_chains_to_the_test_ca() {
    for (name, xml) in vectors() {
        let report = verify(&xml, &trusted_opts()).expect(&name);
        assert!(report.valid, "{name}: {report:#?}");
        assert!(report.trusted, "{name}: not trusted: {report:#?}");
        let sig = &report.signatures[0];
        assert_eq!(sig.references.len(), 1);
        let covers = sig.references[0].covers.as_ref().expect("followed");
        assert_eq!(covers.code, vss_xml::FindingCode::CoversElement, "{name}");
        assert_eq!(covers.args["id"], "object");
        // SHA-1 vectors are valid but marked weak, with a warning for the method and digest.
        let sha1 = name.contains("sha1");
        assert_eq!(report.weak, sha1, "{name}");
        assert_eq!(sig.weak, sha1, "{name}");
        assert_eq!(sig.references[0].weak, sha1, "{name}");
        assert_eq!(sig.warnings.len(), if sha1 { 2 } else { 0 }, "{name}");
        let cert = sig.certificate.as_ref().expect("signer certificate");
        assert!(
            cert.subject.contains("Test Key"),
            "{name}: {}",
            cert.subject
        );
    }
}

#[test]
fn without_the_anchor_signatures_are_valid_but_untrusted() {
    for (name, xml) in vectors() {
        let report = verify(&xml, &VerifyOptions::default()).expect(&name);
        assert!(report.valid, "{name}");
        assert!(!report.trusted, "{name}");
    }
}

#[test]
fn changing_the_signed_object_breaks_every_signature() {
    for (name, xml) in vectors() {
        let text = String::from_utf8(xml).expect("UTF-8");
        assert!(text.contains("some text"));
        let tampered = text.replace("some text", "some texT");
        let report = verify(tampered.as_bytes(), &trusted_opts()).expect(&name);
        assert!(!report.valid, "{name}: tampered object still verifies");
        let sig = &report.signatures[0];
        assert!(!sig.references[0].digest_valid, "{name}");
        assert!(
            sig.signature_value_valid,
            "{name}: SignedInfo itself is intact"
        );
    }
}

#[test]
fn one_character_more_in_signed_info_breaks_the_signature_value() {
    for (name, xml) in vectors() {
        let text = String::from_utf8(xml).expect("UTF-8");
        let tampered = text.replacen("<SignedInfo>", "<SignedInfo> ", 1);
        assert_ne!(tampered, text);
        let report = verify(tampered.as_bytes(), &trusted_opts()).expect(&name);
        assert!(!report.valid, "{name}: changed SignedInfo still verifies");
        let sig = &report.signatures[0];
        assert!(!sig.signature_value_valid, "{name}");
        assert!(
            sig.references[0].digest_valid,
            "{name}: the object is intact"
        );
    }
}
