//! The input rules of DESIGN §4, told as what happens to a user's or a page's file: DOCTYPEs,
//! entities, caps, the parent element, the signature id, co-signing, signature wrapping, and no
//! panic on anything.

mod common;

use std::time::{Duration, Instant};

use common::{corpus, fixtures, SoftSigner};
use vss_protocol::ErrorCode;
use vss_xml::{
    canonicalize, sign, summarize, verify, C14nMode, Limits, SignOptions, VerifyOptions,
};

fn signer() -> SoftSigner {
    SoftSigner::new(&fixtures().rsa)
}

fn sign_err(xml: &[u8], opts: &SignOptions) -> vss_protocol::Error {
    sign(xml, opts, &mut signer()).expect_err("must be refused")
}

fn local() -> SignOptions {
    SignOptions {
        allow_doctype: true,
        ..SignOptions::default()
    }
}

#[test]
fn a_doctype_from_a_page_is_refused() {
    let xml = b"<!DOCTYPE TK1-TS [<!ENTITY x \"y\">]><TK1-TS><Cky/></TK1-TS>";
    assert_eq!(
        sign_err(xml, &SignOptions::default()).code,
        ErrorCode::XmlDtdForbidden
    );
    assert_eq!(
        summarize(xml).expect_err("refused").code,
        ErrorCode::XmlDtdForbidden
    );
    assert_eq!(
        verify(xml, &VerifyOptions::default())
            .expect_err("refused")
            .code,
        ErrorCode::XmlDtdForbidden
    );
    // A local file may carry one; its internal entities are expanded for the digest.
    let signed = sign(xml, &local(), &mut signer()).expect("local file");
    let report = verify(
        &signed,
        &VerifyOptions {
            allow_doctype: true,
            ..VerifyOptions::default()
        },
    )
    .expect("readable");
    assert!(report.valid, "{report:#?}");
}

#[test]
fn an_external_entity_is_never_resolved() {
    let dir = tempfile::tempdir().expect("temp dir");
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "NOI-DUNG-BI-MAT-42").expect("write");
    let url = format!("file://{}", secret.display());
    // Used in content: refused, and the file's content shows up nowhere.
    let used = format!("<!DOCTYPE r [<!ENTITY ext SYSTEM \"{url}\">]><r><Cky/><x>&ext;</x></r>");
    let err = sign_err(used.as_bytes(), &local());
    assert_eq!(err.code, ErrorCode::XmlMalformed);
    assert!(!format!("{err:?}").contains("NOI-DUNG"));
    assert!(canonicalize(used.as_bytes(), C14nMode::C14n10).is_err());
    // In an attribute, and as an external parameter entity: refused as well.
    let attr = format!("<!DOCTYPE r [<!ENTITY ext SYSTEM \"{url}\">]><r a=\"&ext;\"><Cky/></r>");
    assert!(sign(attr.as_bytes(), &local(), &mut signer()).is_err());
    let pe = format!("<!DOCTYPE r [<!ENTITY % ext SYSTEM \"{url}\"> %ext;]><r><Cky/></r>");
    assert!(sign(pe.as_bytes(), &local(), &mut signer()).is_err());
    // Declared but unused: the document signs and nothing was read.
    let unused = format!("<!DOCTYPE r [<!ENTITY ext SYSTEM \"{url}\">]><r><Cky/></r>");
    let signed = sign(unused.as_bytes(), &local(), &mut signer()).expect("signs");
    assert!(!String::from_utf8_lossy(&signed).contains("NOI-DUNG"));
    // An external DTD subset is never fetched either.
    let ext_dtd = format!("<!DOCTYPE r SYSTEM \"{url}\"><r><Cky/></r>");
    let signed = sign(ext_dtd.as_bytes(), &local(), &mut signer()).expect("signs");
    assert!(!String::from_utf8_lossy(&signed).contains("NOI-DUNG"));
}

#[test]
fn billion_laughs_is_cut_short() {
    let mut dtd = String::from("<!ENTITY lol0 \"lol\">");
    for i in 1..10 {
        let prev = format!("&lol{};", i - 1).repeat(10);
        dtd.push_str(&format!("<!ENTITY lol{i} \"{prev}\">"));
    }
    let xml = format!("<!DOCTYPE r [{dtd}]><r><Cky/><x>&lol9;</x><y a=\"&lol9;\"/></r>");
    // The signer (and the test keys it may have to make first) is not what is timed.
    let mut signer = signer();
    let started = Instant::now();
    let err = sign(xml.as_bytes(), &local(), &mut signer).expect_err("must be refused");
    assert_eq!(err.code, ErrorCode::XmlMalformed);
    // The budget stops it after 1 MiB of expansion: tens of milliseconds in a debug build.
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{took:?}");
    // In the attribute too, on its own.
    let in_attribute = format!("<!DOCTYPE r [{dtd}]><r><Cky/><y a=\"&lol9;\"/></r>");
    let started = Instant::now();
    let err = canonicalize(in_attribute.as_bytes(), C14nMode::C14n10).expect_err("refused");
    assert_eq!(err.code, ErrorCode::XmlMalformed);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{took:?}");
    // Many small expansions add up to the same document-wide budget.
    let many = format!(
        "<!DOCTYPE r [<!ENTITY k \"{}\">]><r><Cky/>{}</r>",
        "x".repeat(1000),
        "<v>&k;</v>".repeat(2000)
    );
    assert_eq!(
        sign_err(many.as_bytes(), &local()).code,
        ErrorCode::XmlMalformed
    );
    // A recursive entity is refused, not followed forever.
    let rec = "<!DOCTYPE r [<!ENTITY a \"&b;\"><!ENTITY b \"&a;\">]><r><Cky/>&a;</r>";
    assert_eq!(
        sign_err(rec.as_bytes(), &local()).code,
        ErrorCode::XmlMalformed
    );
}

#[test]
fn depth_node_and_size_caps_hold() {
    let deep = format!("{}<Cky/>{}", "<a>".repeat(300), "</a>".repeat(300));
    assert_eq!(
        sign_err(deep.as_bytes(), &SignOptions::default()).code,
        ErrorCode::XmlMalformed
    );
    let tight = |limits: Limits| SignOptions {
        limits,
        ..SignOptions::default()
    };
    let xml = corpus("tk1-ts.xml");
    let small_nodes = Limits {
        max_nodes: 20,
        ..Limits::default()
    };
    assert_eq!(
        sign_err(&xml, &tight(small_nodes)).code,
        ErrorCode::XmlMalformed
    );
    let small_size = Limits {
        max_size: 100,
        ..Limits::default()
    };
    assert_eq!(
        sign_err(&xml, &tight(small_size)).code,
        ErrorCode::XmlMalformed
    );
    let shallow = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    assert_eq!(
        sign_err(&xml, &tight(shallow)).code,
        ErrorCode::XmlMalformed
    );
    // The defaults take the real forms.
    assert!(sign(&xml, &SignOptions::default(), &mut signer()).is_ok());
}

#[test]
fn a_signed_parent_is_not_signed_again_unless_co_signing() {
    let xml = corpus("tk1-ts.xml");
    let once = sign(&xml, &SignOptions::default(), &mut signer()).expect("first");
    let err = sign_err(&once, &SignOptions::default());
    assert_eq!(err.code, ErrorCode::XmlAlreadySigned);
    assert!(err.args.iter().any(|(k, v)| *k == "parent" && v == "Cky"));
    // A second signer co-signs with its own id; both signatures verify.
    let co = SignOptions {
        co_sign: true,
        signature_id: "sigid2".into(),
        ..SignOptions::default()
    };
    // The default id is taken now.
    let taken = SignOptions {
        co_sign: true,
        ..SignOptions::default()
    };
    assert_eq!(sign_err(&once, &taken).code, ErrorCode::BadRequest);
    let twice = sign(&once, &co, &mut SoftSigner::new(&fixtures().ec)).expect("co-sign");
    let report = verify(&twice, &VerifyOptions::default()).expect("readable");
    assert_eq!(report.signatures.len(), 2);
    // The co-signature covers the first signature. The first one, URI="" like every house-style
    // signature, covered the whole document minus only itself, so any later addition breaks it
    // (XMLDSig semantics, xmlsec1 agrees): verification says so rather than hiding it.
    let (first, second) = (&report.signatures[0], &report.signatures[1]);
    assert!(second.valid, "{second:#?}");
    assert!(!first.valid && first.signature_value_valid && !first.references[0].digest_valid);
    assert!(!report.valid);
}

#[test]
fn the_parent_must_exist_and_be_unique() {
    let xml = corpus("tk1-ts.xml");
    let named = |p: &str| SignOptions {
        parent: Some(p.into()),
        ..SignOptions::default()
    };
    let err = sign_err(&xml, &named("CKyDTu"));
    assert_eq!(err.code, ErrorCode::XmlParentNotFound);
    let two = b"<r><Cky/><x><Cky/></x></r>";
    let err = sign_err(two, &SignOptions::default());
    assert_eq!(err.code, ErrorCode::XmlParentAmbiguous);
    assert_eq!(err.details.get("count").and_then(|v| v.as_u64()), Some(2));
    // Without any known element the root holds the signature.
    let plain = "<HoSo xmlns=\"urn:vi:hoso\"><Ten>Ánh Dương</Ten></HoSo>";
    let signed = sign(plain.as_bytes(), &SignOptions::default(), &mut signer()).expect("root");
    assert!(String::from_utf8_lossy(&signed).ends_with("</Signature></HoSo>"));
    let report = verify(&signed, &VerifyOptions::default()).expect("readable");
    assert!(report.valid);
    assert_eq!(report.signatures[0].parent.as_deref(), Some("HoSo"));
}

#[test]
fn the_signature_id_must_be_a_fresh_xml_name() {
    let xml = corpus("tk1-ts.xml");
    for bad in ["", "1sig", "sig id", "a:b", "<x>", "chữ ký"] {
        let opts = SignOptions {
            signature_id: bad.into(),
            ..SignOptions::default()
        };
        let result = sign(&xml, &opts, &mut signer());
        if bad == "chữ ký" {
            assert!(result.is_err(), "a space is not allowed in {bad:?}");
        } else {
            assert_eq!(
                result.expect_err(bad).code,
                ErrorCode::BadRequest,
                "{bad:?}"
            );
        }
    }
    let used = b"<r Id=\"sigid\"><Cky/></r>";
    assert_eq!(
        sign_err(used, &SignOptions::default()).code,
        ErrorCode::BadRequest
    );
    let vietnamese = SignOptions {
        signature_id: "chữ_ký_1".into(),
        ..SignOptions::default()
    };
    assert!(sign(&xml, &vietnamese, &mut signer()).is_ok());
}

#[test]
fn duplicate_ids_fail_verification() {
    // Signature wrapping: a second element carrying the referenced ID.
    let vector = std::fs::read(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/vectors/xmldsig/enveloping-sha256-rsa-sha256.xml"),
    )
    .expect("vector");
    let text = String::from_utf8(vector).expect("UTF-8");
    let wrapped = text.replace(
        "<Object Id=\"object\">some text</Object>",
        "<Object Id=\"object\">some text</Object><Object Id=\"object\">other text</Object>",
    );
    let report = verify(wrapped.as_bytes(), &VerifyOptions::default()).expect("readable");
    assert!(!report.valid);
    assert!(report
        .problems
        .iter()
        .any(|p| p.code == vss_xml::FindingCode::DuplicateId && p.args["id"] == "object"));
    // In an enveloped form too, even though URI="" names no ID.
    let xml = "<r><a Id=\"x\"/><b Id=\"x\"/><Cky/></r>";
    let signed = sign(xml.as_bytes(), &SignOptions::default(), &mut signer()).expect("sign");
    let report = verify(&signed, &VerifyOptions::default()).expect("readable");
    assert!(!report.valid);
}

#[test]
fn bad_encodings_are_refused_with_xml_malformed() {
    let utf16 = [0xFF, 0xFE, b'<', 0, b'r', 0, b'/', 0, b'>', 0];
    assert_eq!(
        sign_err(&utf16, &SignOptions::default()).code,
        ErrorCode::XmlMalformed
    );
    let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>\xe9<Cky/></r>";
    assert_eq!(
        sign_err(latin1, &SignOptions::default()).code,
        ErrorCode::XmlMalformed
    );
    // Canonicalisation reads ISO-8859-1 and writes UTF-8.
    assert_eq!(
        canonicalize(latin1, C14nMode::C14n10).expect("latin-1"),
        "<r>é<Cky></Cky></r>".as_bytes()
    );
}

#[test]
fn malformed_documents_give_errors_not_panics() {
    for xml in [
        &b""[..],
        b"<",
        b"<r>",
        b"<r></s>",
        b"<r/><r/>",
        b"text<r/>",
        b"<r a='1' a='2'/>",
        b"<p:r/>",
        b"<r xmlns:p=''/>",
        b"<r>&undefined;</r>",
        b"<r>&#0;</r>",
        b"<r>&#xFFFFFFFF;</r>",
        b"<r a='<'/>",
        b"<r><!-- a -- b --></r>",
        b"<?xml version='1.0'?><?xml version='1.0'?><r/>",
        b"<r><![CDATA[x</r>",
        b"<!DOCTYPE r [<!ENTITY a '<x>'>]><r>&a;</r>",
        b"<!DOCTYPE r [<!ATTLIST r a CDATA>]><r/>",
        b"<!DOCTYPE r [<!ENTITY a 'unterminated>]><r/>",
    ] {
        let shown = String::from_utf8_lossy(xml);
        assert!(sign(xml, &local(), &mut signer()).is_err(), "{shown}");
        let _ = canonicalize(xml, C14nMode::C14n10);
        let _ = verify(xml, &VerifyOptions::default());
        let _ = summarize(xml);
    }
    // Every prefix of signed documents: errors or answers, never a panic.
    let signed = sign(
        &corpus("d02-ts.xml"),
        &SignOptions::default(),
        &mut signer(),
    )
    .expect("sign");
    for cut in (0..signed.len()).step_by(7) {
        let part = &signed[..cut];
        let _ = verify(part, &VerifyOptions::default());
        let _ = summarize(part);
        let _ = canonicalize(part, C14nMode::ExcC14n);
        let _ = sign(part, &SignOptions::default(), &mut signer());
    }
}

#[test]
fn mutated_signed_documents_give_errors_or_answers_never_panics() {
    let noise: &[u8] = b"<>&\"'/=:x\0\xff \r";
    for form in ["tk1-ts.xml", "d02-ts.xml"] {
        let opts = SignOptions {
            signing_time: Some("2026-11-23T09:15:00+07:00".into()),
            sign_signing_time: true,
            ..SignOptions::default()
        };
        let signed = sign(&corpus(form), &opts, &mut signer()).expect("sign");
        let mut ec = SoftSigner::new(&fixtures().ec);
        for (n, pos) in (0..signed.len()).step_by(13).enumerate() {
            let mut m = signed.clone();
            m[pos] = noise[n % noise.len()];
            if let Ok(report) = verify(&m, &VerifyOptions::default()) {
                let _ = serde_json::to_string(&report).expect("serializable");
            }
            let _ = summarize(&m);
            let _ = canonicalize(&m, C14nMode::C14n10Comments);
            let co = SignOptions {
                co_sign: true,
                signature_id: "s2".into(),
                ..SignOptions::default()
            };
            let _ = sign(&m, &co, &mut ec);
        }
    }
}

/// A changed byte anywhere the signature covers — the form itself, the SignedInfo, the signed
/// SigningTime — makes the signature invalid (or the document unreadable), unless the change
/// means nothing to XML (its canonical form is the same), in which case it stays valid.
#[test]
fn a_changed_signed_byte_makes_the_signature_invalid() {
    let noise: &[u8] = b"<>&\"'/=:x\0\xff \r7Z";
    for form in ["tk1-ts.xml", "d02-ts.xml"] {
        let opts = SignOptions {
            signing_time: Some("2026-11-23T09:15:00+07:00".into()),
            sign_signing_time: true,
            ..SignOptions::default()
        };
        let signed = sign(&corpus(form), &opts, &mut signer()).expect("sign");
        assert!(verify(&signed, &VerifyOptions::default()).unwrap().valid);
        let find = |needle: &str| {
            signed
                .windows(needle.len())
                .position(|w| w == needle.as_bytes())
                .expect(needle)
        };
        // What the References and the SignatureValue cover: the form without its Signature
        // (the enveloped transform removes the whole element), the SignedInfo, and the
        // SignatureProperties holding SigningTime — not the Signature's own tag or the text
        // between its children.
        let end = |needle: &str| find(needle) + needle.len();
        let signed_regions = [
            0..find("<Signature "),
            find("<SignedInfo")..end("</SignedInfo>"),
            find("<SignatureProperties")..end("</SignatureProperties>"),
            end("</Signature>")..signed.len(),
        ];
        let original = canonicalize(&signed, C14nMode::C14n10).expect("canonical");
        let (mut invalid, mut neutral) = (0, 0);
        for region in signed_regions {
            for (n, pos) in region.step_by(3).enumerate() {
                let byte = noise[n % noise.len()];
                if signed[pos] == byte {
                    continue;
                }
                let mut m = signed.clone();
                m[pos] = byte;
                let same_meaning = canonicalize(&m, C14nMode::C14n10).is_ok_and(|c| c == original);
                let valid = verify(&m, &VerifyOptions::default()).is_ok_and(|r| r.valid);
                let shown =
                    String::from_utf8_lossy(&m[pos.saturating_sub(20)..(pos + 20).min(m.len())])
                        .into_owned();
                if same_meaning {
                    neutral += 1;
                    assert!(
                        valid,
                        "{form}: a change without meaning at {pos} broke it: {shown:?}"
                    );
                } else {
                    invalid += 1;
                    assert!(
                        !valid,
                        "{form}: byte {pos} changed to {byte:#04x} still verifies: {shown:?}"
                    );
                }
            }
        }
        assert!(
            invalid > 500,
            "{form}: only {invalid} meaningful changes tried"
        );
        assert!(neutral < invalid, "{form}: {neutral} neutral vs {invalid}");
    }
}
