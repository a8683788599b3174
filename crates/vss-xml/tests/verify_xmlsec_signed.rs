//! Files signed by xmlsec1 (over a house-style template) verify with `verify`, across
//! canonicalisations, digests and key types; a change after signing is caught.

mod common;

use std::process::Command;

use common::{corpus, fixtures, KeyFiles};
use vss_xml::{verify, C14nMode, HashAlgorithm, VerifyOptions};

fn template(mode: C14nMode, digest: HashAlgorithm, rsa: bool) -> String {
    let method = match (rsa, digest) {
        (true, HashAlgorithm::Sha1) => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        (true, _) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        (false, HashAlgorithm::Sha1) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1",
        (false, _) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    };
    let digest_uri = match digest {
        HashAlgorithm::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
        _ => "http://www.w3.org/2001/04/xmlenc#sha256",
    };
    let c = mode.uri();
    format!(
        "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"sigid\">\n<SignedInfo>\n\
         <CanonicalizationMethod Algorithm=\"{c}\"/>\n<SignatureMethod Algorithm=\"{method}\"/>\n\
         <Reference URI=\"\">\n<Transforms>\n\
         <Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>\n\
         <Transform Algorithm=\"{c}\"/>\n</Transforms>\n\
         <DigestMethod Algorithm=\"{digest_uri}\"/>\n<DigestValue/>\n</Reference>\n</SignedInfo>\n\
         <SignatureValue/>\n<KeyInfo>\n<X509Data>\n<X509SubjectName/>\n<X509Certificate/>\n\
         </X509Data>\n</KeyInfo>\n<Object>\n<SignatureProperties>\n\
         <SignatureProperty Target=\"#sigid\">\n<SigningTime>2026-11-23T09:15:00+07:00</SigningTime>\n\
         </SignatureProperty>\n</SignatureProperties>\n</Object>\n</Signature>"
    )
}

/// Puts the template inside the form's signature element.
fn with_template(form: &[u8], tpl: &str) -> Vec<u8> {
    let text = String::from_utf8(form.to_vec()).expect("UTF-8");
    for (empty, end) in [
        ("<Cky/>", "</Cky>"),
        ("<CKy_Dvi/>", "</CKy_Dvi>"),
        ("<Cky>", "</Cky>"),
        ("<CKy_Dvi>", "</CKy_Dvi>"),
    ] {
        if let Some(open) = empty.strip_suffix("/>") {
            if let Some(i) = text.find(empty) {
                return format!(
                    "{}{open}>{tpl}{end}{}",
                    &text[..i],
                    &text[i + empty.len()..]
                )
                .into_bytes();
            }
        } else if let Some(i) = text.find(end) {
            return format!("{}{tpl}{}", &text[..i], &text[i..]).into_bytes();
        }
    }
    panic!("no signature element in the form")
}

fn xmlsec_sign(tpl: &[u8], keys: &KeyFiles) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("tpl.xml");
    let output = dir.path().join("signed.xml");
    std::fs::write(&input, tpl).expect("write");
    let mut key_arg = keys.key_pem.clone().into_os_string();
    key_arg.push(",");
    key_arg.push(&keys.cert_pem);
    let out = Command::new("xmlsec1")
        .arg("--sign")
        .arg("--privkey-pem")
        .arg(key_arg)
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
    std::fs::read(&output).expect("signed output")
}

#[test]
fn signatures_made_by_xmlsec1_verify() {
    let f = fixtures();
    let mut failures = Vec::new();
    for form in common::FORMS {
        let xml = corpus(form);
        for mode in [
            C14nMode::C14n10,
            C14nMode::C14n10Comments,
            C14nMode::ExcC14n,
        ] {
            for digest in [HashAlgorithm::Sha256, HashAlgorithm::Sha1] {
                for keys in [&f.rsa, &f.ec] {
                    let label =
                        format!("{form} {} {} rsa={}", mode.name(), digest.name(), keys.rsa);
                    let signed = xmlsec_sign(
                        &with_template(&xml, &template(mode, digest, keys.rsa)),
                        keys,
                    );
                    let report = verify(&signed, &VerifyOptions::default()).expect(&label);
                    if !report.valid {
                        failures.push(format!("{label}: {report:#?}"));
                        continue;
                    }
                    let sig = &report.signatures[0];
                    let time = sig.signing_time.as_ref().expect("SigningTime");
                    assert!(
                        !time.signed,
                        "{label}: SigningTime is an unsigned claim here"
                    );
                    let cert = sig.certificate.as_ref().expect("certificate");
                    assert_eq!(cert.identity.mst.as_deref(), Some("0101234567"), "{label}");
                    check_weak_marking(&signed, digest, &label);

                    let tampered =
                        String::from_utf8_lossy(&signed).replacen("11/2026", "12/2026", 1);
                    let tampered = tampered.replacen("10/2026", "12/2026", 1);
                    let report =
                        verify(tampered.as_bytes(), &VerifyOptions::default()).expect(&label);
                    if report.valid {
                        failures.push(format!("{label}: a changed period still verifies"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_committed_xmlsec1_signed_form_verifies_and_is_trusted_with_its_own_certificate() {
    let xml = corpus("tk1-ts-signed-by-xmlsec1.xml");
    let report = verify(&xml, &VerifyOptions::default()).expect("readable");
    assert!(report.valid, "{report:#?}");
    assert!(!report.trusted, "no anchor given");
    let sig = &report.signatures[0];
    assert_eq!(sig.parent.as_deref(), Some("Cky"));
    let covers = sig.references[0].covers.as_ref().expect("followed");
    assert_eq!(covers.code, vss_xml::FindingCode::CoversDocumentEnveloped);
    let cert = sig.certificate.as_ref().expect("certificate");
    assert_eq!(cert.holder, "CÔNG TY TNHH THƯƠNG MẠI DỊCH VỤ ÁNH DƯƠNG");
}

/// A SHA-1 signature made by xmlsec1 (rsa-sha1 / ecdsa-sha1 over a sha1 digest) is valid and
/// weak with a warning for the method and the digest; with `reject_sha1` it is invalid, saying
/// why in both languages. A SHA-256 one carries no mark either way.
fn check_weak_marking(signed: &[u8], digest: HashAlgorithm, label: &str) {
    use vss_xml::FindingCode;
    let sha1 = digest == HashAlgorithm::Sha1;
    let report = verify(signed, &VerifyOptions::default()).expect(label);
    let sig = &report.signatures[0];
    assert!(report.valid, "{label}");
    assert_eq!(
        (report.weak, sig.weak, sig.references[0].weak),
        (sha1, sha1, sha1),
        "{label}"
    );
    let codes: Vec<FindingCode> = sig.warnings.iter().map(|w| w.code).collect();
    if sha1 {
        assert_eq!(
            codes,
            [
                FindingCode::WeakSignatureMethod,
                FindingCode::WeakDigestMethod
            ],
            "{label}"
        );
        assert!(sig.warnings[0].message.contains("SHA-1"), "{label}");
    } else {
        assert!(codes.is_empty(), "{label}: {codes:?}");
    }
    for lang in [vss_protocol::Lang::Vi, vss_protocol::Lang::En] {
        let strict = VerifyOptions {
            reject_sha1: true,
            lang,
            ..VerifyOptions::default()
        };
        let report = verify(signed, &strict).expect(label);
        assert_eq!(report.valid, !sha1, "{label}: reject_sha1");
        let sig = &report.signatures[0];
        if sha1 {
            assert!(sig.warnings.is_empty());
            let rejected: Vec<_> = sig
                .problems
                .iter()
                .filter(|p| p.code == FindingCode::WeakAlgorithmRejected)
                .collect();
            assert_eq!(rejected.len(), 2, "{label}: {:?}", sig.problems);
            let word = match lang {
                vss_protocol::Lang::Vi => "quản trị viên",
                vss_protocol::Lang::En => "administrator",
            };
            assert!(
                rejected[0].message.contains(word),
                "{}",
                rejected[0].message
            );
        }
    }
}
