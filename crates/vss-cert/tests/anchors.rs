//! The bundled Vietnam National Root CA: its bytes match the pinned fingerprint, a licensed CA's
//! real intermediate (FPT Certification Authority SHA256, from the rootca.gov.vn bundle) chains
//! to it, and neither a tampered copy nor a look-alike root with the same name is accepted.

use time::macros::datetime;
use vss_cert::anchors::{pinned_der, BUNDLED};
use vss_cert::{bundled_anchors, certificate_id, validate_path, PathProblem};
use vss_testkit::pki::{Spec, TestCert};

const FPT_CA: &str = include_str!("data/fpt-ca-sha256-2025.pem");

fn der(pem: &str) -> Vec<u8> {
    x509_parser::pem::Pem::iter_from_buffer(pem.as_bytes())
        .next()
        .expect("one PEM")
        .expect("PEM")
        .contents
}

#[test]
fn every_bundled_root_matches_its_pin() {
    let anchors = bundled_anchors();
    assert_eq!(anchors.len(), BUNDLED.len(), "a bundled root fails its pin");
    for (anchor, bundled) in anchors.iter().zip(BUNDLED) {
        assert_eq!(certificate_id(anchor), bundled.sha256, "{}", bundled.name);
    }
    assert_eq!(
        BUNDLED[0].sha256,
        "bac8bf609ab420a8ee1780d74f4de5c7f7184959d2a7375b0a75e4c29f0908e7"
    );
}

#[test]
fn a_tampered_or_substituted_anchor_is_not_used() {
    let real = BUNDLED[0];
    // One base64 character changed inside the signature.
    let lines: Vec<&str> = real.pem.lines().collect();
    let mut tampered = lines.clone();
    let line = lines[lines.len() - 3].to_string();
    let flipped: String = line
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 10 {
                if c == 'A' {
                    'B'
                } else {
                    'A'
                }
            } else {
                c
            }
        })
        .collect();
    let n = tampered.len() - 3;
    tampered[n] = &flipped;
    assert!(pinned_der(&(tampered.join("\n") + "\n"), real.sha256).is_none());
    // Another certificate presented under the real pin.
    let other = TestCert::root(&Spec::ca("Vietnam National Root CA"));
    assert!(pinned_der(&other.pem(), real.sha256).is_none());
    // The real certificate with a second one appended.
    assert!(pinned_der(&format!("{}{}", real.pem, other.pem()), real.sha256).is_none());
    assert!(pinned_der(real.pem, real.sha256).is_some());
}

#[test]
fn a_licensed_cas_intermediate_chains_to_the_bundled_root_and_not_to_a_look_alike() {
    let fpt = der(FPT_CA);
    let at = datetime!(2026-06-01 0:00 UTC);
    let report = validate_path(&fpt, &[], &bundled_anchors(), at, None);
    assert!(report.trusted, "{report:?}");
    assert_eq!(report.chain.len(), 2);
    assert_eq!(report.chain[1].id, BUNDLED[0].sha256);
    // After the intermediate's validity ends (2030-01-07) it is expired, not unknown.
    let later = validate_path(
        &fpt,
        &[],
        &bundled_anchors(),
        datetime!(2030-06-01 0:00 UTC),
        None,
    );
    assert_eq!(
        later.failure().map(|f| (f.problem, f.depth)),
        Some((PathProblem::Expired, 0))
    );
    // A root with the same name but another key is no anchor for it.
    let mut look_alike = Spec::ca("Vietnam National Root CA");
    look_alike.not_before_days = -4000;
    let fake = TestCert::root(&look_alike);
    let report = validate_path(&fpt, &[], &[fake.der], at, None);
    assert!(!report.trusted);
}
