//! Revocation against real servers on 127.0.0.1: `openssl ocsp` named in the certificates' AIA
//! and a CRL over HTTP named in their CRL distribution point. Good and revoked answers come from
//! OCSP, then from the CRL when the responder is down; nothing answering is "unknown", quickly;
//! a forged answer is refused; a cached answer is reused until its nextUpdate and not after.

use std::time::{Duration, Instant};

use time::OffsetDateTime;
use vss_cert::revocation::{
    check, find_issuer, Revocation, RevocationConfig, Source, UnknownReason,
};
use vss_testkit::pki::{Spec, TestCert};
use vss_testkit::responders::{ports, CrlServer, OcspResponder, Status};

struct Pki {
    dir: tempfile::TempDir,
    ca: TestCert,
    good: TestCert,
    revoked: TestCert,
    ocsp_port: u16,
    crl_port: u16,
}

fn pki() -> Pki {
    let (ocsp_port, crl_port) = ports();
    let ca = TestCert::root(&Spec::ca("VSS Test Issuing CA"));
    let signer = |name: &str| {
        ca.issue(&Spec {
            ocsp_url: Some(OcspResponder::url(ocsp_port)),
            crl_url: Some(CrlServer::url(crl_port)),
            ..Spec::signer(name)
        })
    };
    let good = signer("Good signer");
    let revoked = signer("Revoked signer");
    Pki {
        dir: tempfile::tempdir().expect("dir"),
        ca,
        good,
        revoked,
        ocsp_port,
        crl_port,
    }
}

impl Pki {
    fn responder(&self) -> OcspResponder {
        OcspResponder::start(
            &self.dir.path().join("ocsp"),
            self.ocsp_port,
            &self.ca,
            &self.ca,
            &[
                (&self.good.der, Status::Good),
                (&self.revoked.der, Status::Revoked),
            ],
            1,
        )
    }
    fn crl_server(&self) -> CrlServer {
        CrlServer::start(
            &self.dir.path().join("crl"),
            self.crl_port,
            &self.ca.crl(&[&self.revoked], 1),
        )
    }
    fn config(&self, cache: bool) -> RevocationConfig {
        RevocationConfig {
            cache_dir: cache.then(|| self.dir.path().join("cache")),
            ..RevocationConfig::default()
        }
    }
    fn check(&self, cert: &TestCert, cache: bool) -> Revocation {
        check(
            &cert.der,
            Some(&self.ca.der),
            OffsetDateTime::now_utc(),
            &self.config(cache),
        )
    }
}

#[test]
fn ocsp_answers_good_and_revoked() {
    let p = pki();
    let _ocsp = p.responder();
    match p.check(&p.good, false) {
        Revocation::Good {
            source: Source::Ocsp,
            cached: false,
            next_update: Some(_),
        } => {}
        other => panic!("good over OCSP expected: {other:?}"),
    }
    match p.check(&p.revoked, false) {
        Revocation::Revoked {
            source: Source::Ocsp,
            revoked_at,
            reason,
            ..
        } => {
            assert!(!revoked_at.is_empty());
            assert_eq!(reason.as_deref(), Some("keyCompromise"));
        }
        other => panic!("revoked over OCSP expected: {other:?}"),
    }
}

#[test]
fn with_the_responder_down_the_crl_answers() {
    let p = pki();
    let _crl = p.crl_server();
    assert!(matches!(
        p.check(&p.good, false),
        Revocation::Good {
            source: Source::Crl,
            ..
        }
    ));
    assert!(matches!(
        p.check(&p.revoked, false),
        Revocation::Revoked {
            source: Source::Crl,
            ..
        }
    ));
}

#[test]
fn with_nothing_answering_the_status_is_unknown_within_the_time_limits() {
    let p = pki();
    let started = Instant::now();
    match p.check(&p.revoked, false) {
        Revocation::Unknown {
            reason: UnknownReason::Unreachable,
            ..
        } => {}
        other => panic!("unknown expected: {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    // Without the issuer nothing can be asked or checked.
    assert!(matches!(
        check(
            &p.good.der,
            None,
            OffsetDateTime::now_utc(),
            &p.config(false)
        ),
        Revocation::Unknown {
            reason: UnknownReason::NoIssuer,
            ..
        }
    ));
    // A certificate naming neither OCSP nor CRL.
    let bare = p.ca.issue(&Spec::signer("No addresses"));
    assert!(matches!(
        check(
            &bare.der,
            Some(&p.ca.der),
            OffsetDateTime::now_utc(),
            &p.config(false)
        ),
        Revocation::Unknown {
            reason: UnknownReason::NoAddress,
            ..
        }
    ));
}

#[test]
fn answers_not_signed_by_the_issuer_are_refused() {
    let p = pki();
    // An OCSP responder signing with another CA's key, and a CRL signed by that CA.
    let other = TestCert::root(&Spec::ca("VSS Test Issuing CA"));
    let _ocsp = OcspResponder::start(
        &p.dir.path().join("forged-ocsp"),
        p.ocsp_port,
        &p.ca,
        &other,
        &[(&p.revoked.der, Status::Good)],
        1,
    );
    let _crl = CrlServer::start(
        &p.dir.path().join("forged-crl"),
        p.crl_port,
        &other.crl(&[], 1),
    );
    match p.check(&p.revoked, false) {
        Revocation::Unknown {
            reason: UnknownReason::BadAnswer,
            detail,
        } => assert!(
            detail.contains("OCSP") && detail.contains("signature"),
            "{detail}"
        ),
        other => panic!("a forged answer must not count: {other:?}"),
    }
}

#[test]
fn a_stale_crl_is_not_used() {
    let p = pki();
    let _crl = p.crl_server();
    let later = OffsetDateTime::now_utc() + time::Duration::days(3);
    assert!(matches!(
        check(&p.revoked.der, Some(&p.ca.der), later, &p.config(false)),
        Revocation::Unknown {
            reason: UnknownReason::BadAnswer,
            ..
        }
    ));
}

#[test]
fn a_cached_answer_is_reused_until_next_update_and_not_after() {
    let p = pki();
    {
        let _ocsp = p.responder();
        assert!(matches!(
            p.check(&p.good, true),
            Revocation::Good { cached: false, .. }
        ));
        assert!(matches!(
            p.check(&p.revoked, true),
            Revocation::Revoked { cached: false, .. }
        ));
    }
    // Responder stopped: the cached answers stand.
    assert!(matches!(
        p.check(&p.good, true),
        Revocation::Good {
            cached: true,
            source: Source::Ocsp,
            ..
        }
    ));
    assert!(matches!(
        p.check(&p.revoked, true),
        Revocation::Revoked { cached: true, .. }
    ));
    // Two days on, past the answers' nextUpdate (one day): the cache is not used.
    let later = OffsetDateTime::now_utc() + time::Duration::days(2);
    assert!(matches!(
        check(&p.good.der, Some(&p.ca.der), later, &p.config(true)),
        Revocation::Unknown {
            reason: UnknownReason::Unreachable,
            ..
        }
    ));
    // A cache file cannot turn a revoked certificate good: overwrite the revoked certificate's
    // entry with the good one's answer (which does not cover it).
    let cache = p.dir.path().join("cache");
    let files: Vec<_> = std::fs::read_dir(&cache)
        .expect("cache dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 2);
    let good_answer = std::fs::read(&files[0]).expect("read");
    std::fs::write(&files[1], &good_answer).expect("write");
    std::fs::write(&files[0], &good_answer).expect("write");
    assert!(!matches!(
        p.check(&p.revoked, true),
        Revocation::Good { .. }
    ));
}

#[test]
fn the_issuer_is_found_by_name_and_signature() {
    let p = pki();
    let look_alike = TestCert::root(&Spec::ca("VSS Test Issuing CA"));
    let candidates = vec![look_alike.der.clone(), p.good.der.clone(), p.ca.der.clone()];
    assert_eq!(
        find_issuer(&p.good.der, &candidates),
        Some(p.ca.der.as_slice())
    );
    assert_eq!(find_issuer(&p.good.der, &candidates[..2]), None);
}

#[test]
fn the_issuer_is_fetched_from_the_aia_ca_issuers_address_as_a_certificate_or_a_p7b() {
    let (ocsp_port, web_port) = ports();
    let dir = tempfile::tempdir().expect("dir");
    let ca = TestCert::root(&Spec::ca("VSS Test Issuing CA"));
    let web = CrlServer::start(&dir.path().join("web"), web_port, &ca.crl(&[], 1));
    // A PKCS#7 bundle as rootca.gov.vn publishes them, made by the openssl command.
    let pem = dir.path().join("ca.pem");
    std::fs::write(&pem, ca.pem()).expect("pem");
    let p7b = dir.path().join("ca.p7b");
    let made = std::process::Command::new("openssl")
        .args(["crl2pkcs7", "-nocrl", "-outform", "DER", "-certfile"])
        .arg(&pem)
        .arg("-out")
        .arg(&p7b)
        .status()
        .expect("openssl");
    assert!(made.success());
    let bundle_url = web.publish("ca.p7b", &std::fs::read(&p7b).expect("p7b"));
    let cert_url = web.publish("ca.cer", &ca.der);
    for (n, url) in [bundle_url, cert_url].into_iter().enumerate() {
        let signer = ca.issue(&Spec {
            ocsp_url: Some(OcspResponder::url(ocsp_port)),
            ca_issuers_url: Some(url.clone()),
            ..Spec::signer("Signer")
        });
        let config = RevocationConfig {
            cache_dir: None,
            ..RevocationConfig::default()
        };
        let fetched = vss_cert::revocation::fetch_issuers(&signer.der, &config);
        let issuer = find_issuer(&signer.der, &fetched);
        assert_eq!(issuer, Some(ca.der.as_slice()), "{url}");
        let _ocsp = OcspResponder::start(
            &dir.path().join(format!("ocsp-{n}")),
            ocsp_port,
            &ca,
            &ca,
            &[(&signer.der, Status::Good)],
            1,
        );
        assert!(matches!(
            check(&signer.der, issuer, OffsetDateTime::now_utc(), &config),
            Revocation::Good { .. }
        ));
    }
}
