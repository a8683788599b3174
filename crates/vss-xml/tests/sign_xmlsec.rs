//! Signatures made by `sign` are accepted by xmlsec1 (libxml2's canonicaliser) and by `verify`,
//! across canonicalisations, digests and key types, on BHXH-shaped forms; and the signed file
//! is the original byte for byte outside the inserted Signature.

mod common;

use common::{corpus, fixtures, xmlsec_verify, SoftSigner};
use vss_xml::{sign, verify, C14nMode, HashAlgorithm, SignOptions, VerifyOptions};

/// The signed file minus the Signature element, with an expanded empty parent folded back.
fn without_signature(signed: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(signed.to_vec()).expect("UTF-8 output");
    let start = text.rfind("<Signature xmlns=").expect("a Signature");
    let end = text[start..].find("</Signature>").expect("its end") + start + "</Signature>".len();
    format!("{}{}", &text[..start], &text[end..]).into_bytes()
}

fn same_outside_signature(input: &[u8], signed: &[u8]) -> bool {
    let rest = without_signature(signed);
    if rest == input {
        return true;
    }
    // `<Cky/>` becomes `<Cky>…</Cky>`.
    let folded = String::from_utf8_lossy(&rest).replace("<Cky></Cky>", "<Cky/>");
    folded.as_bytes() == input
}

#[test]
fn xmlsec1_accepts_every_signature_across_the_option_matrix() {
    let f = fixtures();
    let mut failures = Vec::new();
    let mut count = 0;
    for form in common::FORMS {
        let xml = corpus(form);
        for mode in [
            C14nMode::C14n10,
            C14nMode::C14n10Comments,
            C14nMode::ExcC14n,
        ] {
            for digest in [HashAlgorithm::Sha256, HashAlgorithm::Sha1] {
                for keys in [&f.rsa, &f.ec] {
                    let label = format!(
                        "{form} {} {} {}",
                        mode.name(),
                        digest.name(),
                        if keys.rsa { "RSA-2048" } else { "P-256" }
                    );
                    let opts = SignOptions {
                        c14n: mode,
                        digest,
                        signing_time: Some("2026-11-23T09:15:00+07:00".into()),
                        ..SignOptions::default()
                    };
                    let signed = match sign(&xml, &opts, &mut SoftSigner::new(keys)) {
                        Ok(s) => s,
                        Err(e) => {
                            failures.push(format!("{label}: sign failed: {e}"));
                            continue;
                        }
                    };
                    count += 1;
                    if !same_outside_signature(&xml, &signed) {
                        failures.push(format!("{label}: bytes outside the signature changed"));
                    }
                    let (ok, stderr) = xmlsec_verify(&signed, &keys.cert_pem);
                    if !ok {
                        failures.push(format!("{label}: xmlsec1 rejects it:\n{stderr}"));
                    }
                    match verify(&signed, &VerifyOptions::default()) {
                        Ok(r) if r.valid => {}
                        Ok(r) => failures.push(format!("{label}: verify says {r:#?}")),
                        Err(e) => failures.push(format!("{label}: verify failed: {e}")),
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(count, 36);
}

#[test]
fn xmlsec1_rejects_a_signed_form_changed_afterwards() {
    let f = fixtures();
    let xml = corpus("tk1-ts.xml");
    let signed = sign(&xml, &SignOptions::default(), &mut SoftSigner::new(&f.rsa)).expect("sign");
    let (ok, _) = xmlsec_verify(&signed, &f.rsa.cert_pem);
    assert!(ok);
    let text = String::from_utf8(signed).expect("UTF-8");
    std::fs::write("/tmp/vss-xml-signed-tk1.xml", &text).ok();
    let tampered = text.replace("12, ngõ 34", "12, ngõ 35");
    let (ok, _) = xmlsec_verify(tampered.as_bytes(), &f.rsa.cert_pem);
    assert!(!ok, "xmlsec1 must reject a changed form");
    let report = verify(tampered.as_bytes(), &VerifyOptions::default()).expect("readable");
    assert!(!report.valid);
}
