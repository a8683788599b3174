//! Path validation against a test PKI made here with rcgen: a good chain is trusted; every
//! forged or broken variant is untrusted for its own reason, at the depth of the certificate
//! at fault; validity is answered now and at the claimed signing time.

use rcgen::KeyUsagePurpose;
use time::{Duration, OffsetDateTime};
use vss_cert::{validate_path, PathProblem, PathReport};
use vss_testkit::pki::{Ca, Spec, TestCert};

struct Pki {
    root: TestCert,
    inter: TestCert,
}

fn pki() -> Pki {
    let root = TestCert::root(&Spec::ca("VSS Test Root"));
    let inter = root.issue(&Spec::ca("VSS Test Issuing CA"));
    Pki { root, inter }
}

fn check(signer: &TestCert, pool: &[&TestCert], anchors: &[&TestCert]) -> PathReport {
    let pool: Vec<Vec<u8>> = pool.iter().map(|c| c.der.clone()).collect();
    let anchors: Vec<Vec<u8>> = anchors.iter().map(|c| c.der.clone()).collect();
    validate_path(
        &signer.der,
        &pool,
        &anchors,
        OffsetDateTime::now_utc(),
        None,
    )
}

fn assert_untrusted(report: &PathReport, problem: PathProblem, depth: u32) {
    assert!(!report.trusted, "must be untrusted: {report:?}");
    let failure = report.failure().expect("a failure");
    assert_eq!(failure.problem, problem, "{report:?}");
    assert_eq!(failure.depth, depth, "{report:?}");
    // The path is reported only when one reached an anchor (a signer that may not sign has one).
    assert_eq!(
        report.chain.is_empty(),
        problem != PathProblem::SignerKeyUsage
    );
}

#[test]
fn a_signer_issued_by_an_intermediate_of_the_anchor_is_trusted_with_its_chain() {
    let p = pki();
    let signer = p.inter.issue(&Spec::signer("CÔNG TY TNHH AN SINH"));
    let report = check(&signer, &[&p.inter, &signer], &[&p.root]);
    assert!(report.trusted, "{report:?}");
    assert_eq!(report.chain.len(), 3);
    assert!(report.chain[0].subject.contains("AN SINH"));
    assert!(report.chain[2].subject.contains("VSS Test Root"));
    // Without the intermediate the path cannot be built.
    assert_untrusted(
        &check(&signer, &[], &[&p.root]),
        PathProblem::UnknownIssuer,
        0,
    );
}

#[test]
fn an_end_entity_acting_as_issuer_is_refused_in_every_form() {
    let p = pki();
    // A genuine signer certificate (CA:FALSE) "issues" a forged signer.
    let leaf = p.inter.issue(&Spec::signer("Real signer"));
    let forged = leaf.issue(&Spec::signer("Forged signer"));
    assert_untrusted(
        &check(&forged, &[&leaf, &p.inter], &[&p.root]),
        PathProblem::IssuerNotCa,
        1,
    );
    // An issuer without any basic constraints extension.
    let no_bc = p.inter.issue(&Spec {
        ca: Ca::Absent,
        ..Spec::ca("No basic constraints")
    });
    let forged = no_bc.issue(&Spec::signer("Forged signer 2"));
    assert_untrusted(
        &check(&forged, &[&no_bc, &p.inter], &[&p.root]),
        PathProblem::IssuerNotCa,
        1,
    );
    // CA:TRUE but its key usage lacks keyCertSign.
    let no_cert_sign = p.inter.issue(&Spec {
        key_usages: vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::CrlSign],
        ..Spec::ca("CA without keyCertSign")
    });
    let forged = no_cert_sign.issue(&Spec::signer("Forged signer 3"));
    assert_untrusted(
        &check(&forged, &[&no_cert_sign, &p.inter], &[&p.root]),
        PathProblem::IssuerWithoutKeyCertSign,
        1,
    );
}

#[test]
fn a_path_longer_than_an_issuers_path_length_is_refused() {
    let root = TestCert::root(&Spec::ca("Root"));
    let inter = root.issue(&Spec {
        ca: Ca::PathLen(0),
        ..Spec::ca("Issuing CA, pathlen 0")
    });
    let sub = inter.issue(&Spec::ca("Sub CA under pathlen 0"));
    let signer = sub.issue(&Spec::signer("Signer"));
    let report = check(&signer, &[&inter, &sub], &[&root]);
    assert_untrusted(&report, PathProblem::PathLengthExceeded, 2);
    // The same depth under pathlen 1 is fine.
    let inter1 = root.issue(&Spec {
        ca: Ca::PathLen(1),
        ..Spec::ca("Issuing CA, pathlen 1")
    });
    let sub1 = inter1.issue(&Spec::ca("Sub CA under pathlen 1"));
    let signer1 = sub1.issue(&Spec::signer("Signer 1"));
    assert!(check(&signer1, &[&inter1, &sub1], &[&root]).trusted);
}

#[test]
fn an_expired_intermediate_is_reported_now_and_valid_at_an_earlier_signing_time() {
    let root = TestCert::root(&Spec::ca("Root"));
    let inter = root.issue(&Spec {
        not_before_days: -400,
        not_after_days: -10,
        ..Spec::ca("Expired issuing CA")
    });
    let signer = inter.issue(&Spec {
        not_before_days: -300,
        not_after_days: 60,
        ..Spec::signer("Signer")
    });
    let signing_time = OffsetDateTime::now_utc() - Duration::days(100);
    let report = validate_path(
        &signer.der,
        std::slice::from_ref(&inter.der),
        std::slice::from_ref(&root.der),
        OffsetDateTime::now_utc(),
        Some(signing_time),
    );
    assert!(!report.trusted);
    let now = report.failure().expect("fails now");
    assert_eq!((now.problem, now.depth), (PathProblem::Expired, 1));
    assert!(now.subject.contains("Expired issuing CA"));
    let then = report
        .at_signing_time
        .expect("answered at the signing time");
    assert!(then.trusted, "{then:?}");
    // A signing time before the signer's own validity is not valid either.
    let too_early = validate_path(
        &signer.der,
        std::slice::from_ref(&inter.der),
        std::slice::from_ref(&root.der),
        OffsetDateTime::now_utc(),
        Some(OffsetDateTime::now_utc() - Duration::days(350)),
    );
    let then = too_early.at_signing_time.expect("answered");
    assert_eq!(
        then.failure.map(|f| (f.problem, f.depth)),
        Some((PathProblem::NotYetValid, 0))
    );
}

#[test]
fn a_not_yet_valid_signer_and_an_expired_signer_are_reported_as_such() {
    let p = pki();
    let future = p.inter.issue(&Spec {
        not_before_days: 30,
        not_after_days: 400,
        ..Spec::signer("Future signer")
    });
    assert_untrusted(
        &check(&future, &[&p.inter], &[&p.root]),
        PathProblem::NotYetValid,
        0,
    );
    let expired = p.inter.issue(&Spec {
        not_before_days: -400,
        not_after_days: -1,
        ..Spec::signer("Expired signer")
    });
    assert_untrusted(
        &check(&expired, &[&p.inter], &[&p.root]),
        PathProblem::Expired,
        0,
    );
}

#[test]
fn names_must_chain_and_signatures_must_verify() {
    let p = pki();
    // Signed by the intermediate's key, but naming another issuer.
    let misnamed = p.inter.issue(&Spec {
        issuer_name_override: Some("Some Other CA".into()),
        ..Spec::signer("Misnamed")
    });
    assert_untrusted(
        &check(&misnamed, &[&p.inter], &[&p.root]),
        PathProblem::UnknownIssuer,
        0,
    );
    // Naming the intermediate, signed by another key.
    let forged = p.inter.issue(&Spec {
        wrong_signing_key: true,
        ..Spec::signer("Wrong key")
    });
    assert_untrusted(
        &check(&forged, &[&p.inter], &[&p.root]),
        PathProblem::BadSignature,
        0,
    );
    // An intermediate of another root does not reach this anchor.
    let other = TestCert::root(&Spec::ca("VSS Test Root"));
    let other_inter = other.issue(&Spec::ca("VSS Test Issuing CA"));
    let stranger = other_inter.issue(&Spec::signer("Stranger"));
    let report = check(&stranger, &[&other_inter], &[&p.root]);
    assert!(!report.trusted);
    // A self-signed signer is not trusted unless it is itself an anchor.
    let own = TestCert::root(&Spec::signer("Self-signed signer"));
    assert_untrusted(
        &check(&own, &[], &[&p.root]),
        PathProblem::SelfSignedNotAnchor,
        0,
    );
    assert!(check(&own, &[], &[&own]).trusted);
}

#[test]
fn an_unknown_critical_extension_is_refused_wherever_it_is() {
    let p = pki();
    let signer = p.inter.issue(&Spec {
        unknown_critical_extension: true,
        ..Spec::signer("Critical signer")
    });
    assert_untrusted(
        &check(&signer, &[&p.inter], &[&p.root]),
        PathProblem::UnhandledCriticalExtension,
        0,
    );
    let inter = p.root.issue(&Spec {
        unknown_critical_extension: true,
        ..Spec::ca("Critical CA")
    });
    let signer = inter.issue(&Spec::signer("Signer"));
    assert_untrusted(
        &check(&signer, &[&inter], &[&p.root]),
        PathProblem::UnhandledCriticalExtension,
        1,
    );
}

#[test]
fn a_signer_whose_key_usage_allows_no_signing_is_refused() {
    let p = pki();
    for usages in [
        vec![KeyUsagePurpose::KeyEncipherment],
        vec![
            KeyUsagePurpose::KeyAgreement,
            KeyUsagePurpose::DataEncipherment,
        ],
    ] {
        let signer = p.inter.issue(&Spec {
            key_usages: usages.clone(),
            ..Spec::signer("Encryption only")
        });
        assert_untrusted(
            &check(&signer, &[&p.inter], &[&p.root]),
            PathProblem::SignerKeyUsage,
            0,
        );
    }
    for usages in [
        vec![KeyUsagePurpose::DigitalSignature],
        vec![KeyUsagePurpose::ContentCommitment],
    ] {
        let signer = p.inter.issue(&Spec {
            key_usages: usages,
            ..Spec::signer("Signer")
        });
        assert!(check(&signer, &[&p.inter], &[&p.root]).trusted);
    }
}

#[test]
fn without_anchors_nothing_is_trusted() {
    let p = pki();
    let signer = p.inter.issue(&Spec::signer("Signer"));
    assert_untrusted(&check(&signer, &[&p.inter], &[]), PathProblem::NoAnchor, 0);
    // An intermediate an administrator anchors is enough by itself.
    assert!(check(&signer, &[], &[&p.inter]).trusted);
}
