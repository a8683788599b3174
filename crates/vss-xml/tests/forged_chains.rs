//! Documents signed by xmlsec1 whose KeyInfo carries a forged or broken chain: the signature
//! is valid (the key made it), but the chain is trusted only when path validation passes, for
//! the reason the test PKI was broken; xmlsec1 itself, given the same anchor, agrees.

use std::path::Path;
use std::process::Command;

use rcgen::KeyUsagePurpose;
use vss_cert::PathProblem;
use vss_testkit::pki::{Ca, Spec, TestCert};
use vss_xml::{verify, VerifyOptions};

const TEMPLATE: &str = "<Root><MaSoThue>0312345678</MaSoThue><Cky><Signature \
xmlns=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"sigid\"><SignedInfo><CanonicalizationMethod \
Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/><SignatureMethod \
Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256\"/><Reference URI=\"\">\
<Transforms><Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>\
</Transforms><DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><DigestValue/>\
</Reference></SignedInfo><SignatureValue/><KeyInfo><X509Data><X509Certificate/></X509Data>\
</KeyInfo></Signature></Cky></Root>";

/// Signs the template with xmlsec1 using `signer`'s key; KeyInfo gets `signer` and `chain`.
fn xmlsec_sign(dir: &Path, signer: &TestCert, chain: &[&TestCert]) -> Vec<u8> {
    let key = dir.join("key.pem");
    std::fs::write(&key, &signer.key_pem).expect("key");
    let mut arg = key.into_os_string();
    for (i, c) in std::iter::once(signer)
        .chain(chain.iter().copied())
        .enumerate()
    {
        let p = dir.join(format!("cert{i}.pem"));
        std::fs::write(&p, c.pem()).expect("cert");
        arg.push(",");
        arg.push(p);
    }
    let input = dir.join("tpl.xml");
    let output = dir.join("signed.xml");
    std::fs::write(&input, TEMPLATE).expect("template");
    let out = Command::new("xmlsec1")
        .arg("--sign")
        .arg("--privkey-pem")
        .arg(arg)
        .arg("--output")
        .arg(&output)
        .arg(&input)
        .output()
        .expect("xmlsec1 must be installed (Debian package xmlsec1)");
    assert!(
        out.status.success(),
        "xmlsec1 --sign: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(output).expect("signed")
}

/// xmlsec1's own verdict with `anchor` as the only trusted certificate.
fn xmlsec_trusts(dir: &Path, signed: &[u8], anchor: &TestCert) -> bool {
    let doc = dir.join("check.xml");
    let pem = dir.join("anchor.pem");
    std::fs::write(&doc, signed).expect("doc");
    std::fs::write(&pem, anchor.pem()).expect("anchor");
    Command::new("xmlsec1")
        .arg("--verify")
        .arg("--trusted-pem")
        .arg(&pem)
        .arg(&doc)
        .output()
        .expect("xmlsec1")
        .status
        .success()
}

struct Case {
    name: &'static str,
    signer: TestCert,
    chain: Vec<TestCert>,
    expect: Option<(PathProblem, u32)>,
}

#[test]
fn forged_chains_in_xmlsec1_signed_documents_are_untrusted_for_their_reason() {
    let root = TestCert::root(&Spec::ca("VSS Test Root"));
    let inter = root.issue(&Spec::ca("VSS Test Issuing CA"));
    let mut cases = Vec::new();

    cases.push(Case {
        name: "good chain",
        signer: inter.issue(&Spec::signer("CÔNG TY TNHH AN SINH")),
        chain: vec![root.issue(&Spec::ca("unrelated CA")), inter.clone()],
        expect: None,
    });
    let leaf = inter.issue(&Spec::signer("Real signer"));
    cases.push(Case {
        name: "end entity (CA:FALSE) acting as issuer",
        signer: leaf.issue(&Spec::signer("Forged signer")),
        chain: vec![leaf, inter.clone()],
        expect: Some((PathProblem::IssuerNotCa, 1)),
    });
    let no_ku = inter.issue(&Spec {
        key_usages: vec![KeyUsagePurpose::DigitalSignature],
        ..Spec::ca("CA:TRUE without keyCertSign")
    });
    cases.push(Case {
        name: "CA without keyCertSign",
        signer: no_ku.issue(&Spec::signer("Forged signer")),
        chain: vec![no_ku, inter.clone()],
        expect: Some((PathProblem::IssuerWithoutKeyCertSign, 1)),
    });
    let short = root.issue(&Spec {
        ca: Ca::PathLen(0),
        ..Spec::ca("pathlen 0 CA")
    });
    let sub = short.issue(&Spec::ca("Sub CA"));
    cases.push(Case {
        name: "path length exceeded",
        signer: sub.issue(&Spec::signer("Signer")),
        chain: vec![sub, short],
        expect: Some((PathProblem::PathLengthExceeded, 2)),
    });
    let expired = root.issue(&Spec {
        not_before_days: -400,
        not_after_days: -5,
        ..Spec::ca("Expired CA")
    });
    cases.push(Case {
        name: "expired intermediate",
        signer: expired.issue(&Spec {
            not_before_days: -300,
            ..Spec::signer("Signer")
        }),
        chain: vec![expired],
        expect: Some((PathProblem::Expired, 1)),
    });
    let critical = root.issue(&Spec {
        unknown_critical_extension: true,
        ..Spec::ca("CA with an unknown critical extension")
    });
    cases.push(Case {
        name: "unknown critical extension",
        signer: critical.issue(&Spec::signer("Signer")),
        chain: vec![critical],
        expect: Some((PathProblem::UnhandledCriticalExtension, 1)),
    });
    cases.push(Case {
        name: "names do not chain",
        signer: inter.issue(&Spec {
            issuer_name_override: Some("VSS Test Issuing CA 2".into()),
            ..Spec::signer("Misnamed signer")
        }),
        chain: vec![inter.clone()],
        expect: Some((PathProblem::UnknownIssuer, 0)),
    });
    cases.push(Case {
        name: "signer without digitalSignature/nonRepudiation",
        signer: inter.issue(&Spec {
            key_usages: vec![KeyUsagePurpose::KeyEncipherment],
            ..Spec::signer("Encryption-only")
        }),
        chain: vec![inter.clone()],
        expect: Some((PathProblem::SignerKeyUsage, 0)),
    });

    let opts = VerifyOptions {
        trust_anchors: vec![root.der.clone()],
        ..VerifyOptions::default()
    };
    for case in &cases {
        let dir = tempfile::tempdir().expect("temp dir");
        let chain: Vec<&TestCert> = case.chain.iter().collect();
        let signed = xmlsec_sign(dir.path(), &case.signer, &chain);
        let report = verify(&signed, &opts).expect("readable");
        assert!(report.valid, "{}: the signature itself is valid", case.name);
        let sig = &report.signatures[0];
        let path = sig.chain.as_ref().expect("path validated");
        match case.expect {
            None => {
                assert!(report.trusted && sig.trusted, "{}: {path:?}", case.name);
                assert_eq!(path.chain.len(), 3, "{}", case.name);
            }
            Some((problem, depth)) => {
                assert!(!report.trusted && !sig.trusted, "{}", case.name);
                let f = path.failure().expect("a reason");
                assert_eq!((f.problem, f.depth), (problem, depth), "{}", case.name);
            }
        }
        // xmlsec1 (OpenSSL underneath) agrees on every case whose rule it applies itself;
        // the signer's own key usage is the application's rule, not xmlsec1's.
        if case.expect.map(|(p, _)| p) != Some(PathProblem::SignerKeyUsage) {
            assert_eq!(
                xmlsec_trusts(dir.path(), &signed, &root),
                case.expect.is_none(),
                "{}: xmlsec1 disagrees",
                case.name
            );
        }
    }
}
