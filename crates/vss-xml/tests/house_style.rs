//! The BHXH house style of DESIGN §4 as a user sees it: what the signed file looks like, what
//! verification reports, what the consent dialog reads, and the MST check before any PIN.

mod common;

use common::{corpus, fixtures, xmlsec_verify, SoftSigner};
use vss_protocol::ErrorCode;
use vss_xml::{
    canonicalize, check_identity, sign, summarize, verify, C14nMode, HashAlgorithm, SignOptions,
    VerifyOptions,
};

fn signer() -> SoftSigner {
    SoftSigner::new(&fixtures().rsa)
}

fn with_time() -> SignOptions {
    SignOptions {
        signing_time: Some("2026-11-23T09:15:00+07:00".into()),
        ..SignOptions::default()
    }
}

#[test]
fn a_signed_form_carries_the_house_style_signature() {
    let signed = sign(&corpus("tk1-ts.xml"), &with_time(), &mut signer()).expect("sign");
    let text = String::from_utf8(signed).expect("UTF-8 output");
    for needle in [
        "<Cky>\n  <Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"sigid\">",
        "<CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>",
        "<SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>",
        "<Reference URI=\"\">",
        "<Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>",
        "<DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>",
        "<X509SubjectName>UID=MST:0101234567,CN=CÔNG TY TNHH THƯƠNG MẠI DỊCH VỤ ÁNH DƯƠNG,",
        "<SignatureProperty Target=\"#sigid\">\n<SigningTime>2026-11-23T09:15:00+07:00</SigningTime>",
        "</Signature></Cky>\n</TK1-TS>\n",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert_eq!(text.matches("<Reference ").count(), 1);
}

#[test]
fn sha1_and_ecdsa_only_when_asked() {
    let opts = SignOptions {
        digest: HashAlgorithm::Sha1,
        ..SignOptions::default()
    };
    let signed = sign(
        &corpus("tk1-ts.xml"),
        &opts,
        &mut SoftSigner::new(&fixtures().ec),
    )
    .expect("sign");
    let text = String::from_utf8_lossy(&signed);
    assert!(text.contains("xmldsig-more#ecdsa-sha1"));
    assert!(text.contains("<DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"/>"));
    assert!(
        !text.contains("<Object>"),
        "no SigningTime asked, no Object"
    );
}

#[test]
fn bom_and_crlf_survive_signing_and_the_signature_uses_crlf_too() {
    let input = corpus("d02-ts.xml");
    assert!(input.starts_with(b"\xEF\xBB\xBF"));
    let signed = sign(&input, &with_time(), &mut signer()).expect("sign");
    assert!(signed.starts_with(b"\xEF\xBB\xBF<?xml"));
    let text = String::from_utf8(signed[3..].to_vec()).expect("UTF-8");
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "no bare LF"
    );
    assert!(
        text.contains("\t<Cky><Signature "),
        "<Cky/> opened to hold the signature"
    );
    assert!(text.contains("</Signature></Cky>\r\n</D02-TS>\r\n"));
    assert!(text.contains("Hà N&#7897;i"), "references kept as written");
    assert!(xmlsec_verify(&signed, &fixtures().rsa.cert_pem).0);
}

#[test]
fn verification_reports_signer_claims_and_coverage() {
    // The test certificate was made moments ago: claim a time inside its validity.
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    let opts = SignOptions {
        signing_time: Some(now.clone()),
        ..SignOptions::default()
    };
    let signed = sign(&corpus("bhxhdientu.xml"), &opts, &mut signer()).expect("sign");
    let report = verify(&signed, &VerifyOptions::default()).expect("readable");
    assert!(report.valid, "{report:#?}");
    assert!(!report.trusted, "no trust anchor configured");
    let sig = &report.signatures[0];
    assert_eq!(sig.parent.as_deref(), Some("CKy_Dvi"));
    assert_eq!(sig.id.as_deref(), Some("sigid"));
    let covers = sig.references[0].covers.as_ref().expect("followed");
    assert_eq!(covers.code, vss_xml::FindingCode::CoversDocumentEnveloped);
    assert_eq!(covers.message, "toàn bộ tài liệu, trừ chính chữ ký này");
    let time = sig.signing_time.as_ref().expect("SigningTime");
    assert_eq!(time.value, now);
    assert!(
        !time.signed,
        "the house-style Object is not covered by any Reference"
    );
    let cert = sig.certificate.as_ref().expect("certificate");
    assert_eq!(cert.identity.mst.as_deref(), Some("0101234567"));
    assert_eq!(cert.holder, "CÔNG TY TNHH THƯƠNG MẠI DỊCH VỤ ÁNH DƯƠNG");
    assert_eq!(cert.valid_at_signing_time, Some(true));
    assert!(cert.valid_now);
    // A claim from before the certificate existed is reported as outside its validity.
    let early = sign(&corpus("bhxhdientu.xml"), &with_time(), &mut signer()).expect("sign");
    let early = verify(&early, &VerifyOptions::default()).expect("readable");
    let cert = early.signatures[0]
        .certificate
        .as_ref()
        .expect("certificate");
    assert_eq!(cert.valid_at_signing_time, Some(false));
    // Trusted once the signer's own (self-signed) certificate is the anchor.
    let anchored = VerifyOptions {
        trust_anchors: vec![fixtures().rsa.cert_der.clone()],
        ..VerifyOptions::default()
    };
    assert!(verify(&signed, &anchored).expect("readable").trusted);
    // The report is what `vss verify --json` prints.
    let json = serde_json::to_value(&report).expect("serializable");
    assert_eq!(json["signatures"][0]["signing_time"]["signed"], false);
    assert_eq!(
        json["signatures"][0]["certificate"]["identity"]["mst"],
        "0101234567"
    );
}

#[test]
fn a_prefixed_parent_with_inherited_xml_lang_verifies_everywhere() {
    let xml = "<?xml version=\"1.0\"?>\n<h:HoSo xmlns:h=\"urn:bhxh:hoso\" xmlns:v=\"urn:vi\" \
               xml:lang=\"vi\" xml:space=\"preserve\">\n  <h:Ten v:kieu=\"đơn vị\">Ánh Dương</h:Ten>\n  \
               <h:Cky/>\n</h:HoSo>\n";
    for mode in C14nMode::ALL {
        let opts = SignOptions {
            c14n: mode,
            ..with_time()
        };
        let signed = sign(xml.as_bytes(), &opts, &mut signer()).expect("sign");
        let text = String::from_utf8_lossy(&signed);
        assert!(text.contains("<h:Cky><Signature "), "{text}");
        assert!(text.contains("</Signature></h:Cky>"));
        let (ok, err) = xmlsec_verify(&signed, &fixtures().rsa.cert_pem);
        assert!(ok, "{}: {err}", mode.name());
        assert!(
            verify(&signed, &VerifyOptions::default())
                .expect("readable")
                .valid
        );
    }
}

#[test]
fn a_bad_signing_time_is_refused() {
    let opts = SignOptions {
        signing_time: Some("23/11/2026".into()),
        ..SignOptions::default()
    };
    let err = sign(&corpus("tk1-ts.xml"), &opts, &mut signer()).expect_err("refused");
    assert_eq!(err.code, ErrorCode::BadRequest);
}

#[test]
fn canonical_form_of_a_form_keeps_vietnamese_and_drops_bom_and_declaration() {
    let c = canonicalize(&corpus("d02-ts.xml"), C14nMode::C14n10).expect("c14n");
    let text = String::from_utf8(c).expect("UTF-8");
    assert!(text.starts_with("<D02-TS xmlns:bh="));
    assert!(text.contains("Hà Nội"));
    assert!(!text.contains('\r'));
    assert!(text.contains("<Cky></Cky>"));
}

#[test]
fn the_consent_dialog_reads_the_envelope_itself() {
    let s = summarize(&corpus("bhxhdientu.xml")).expect("summary");
    assert_eq!(s.root, "BHXHDienTu");
    assert_eq!(s.form_code, "600");
    assert_eq!(
        s.unit_name.as_deref(),
        Some("CÔNG TY TNHH THƯƠNG MẠI DỊCH VỤ ÁNH DƯƠNG")
    );
    assert_eq!(s.tax_code.as_deref(), Some("0101234567"));
    assert_eq!(s.bhxh_code.as_deref(), Some("TA1234A"));
    assert_eq!(s.period.as_deref(), Some("11/2026"));
    let names: Vec<&str> = s.embedded_files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["TK1-TS.xml", "D02-TS.xml", "Giấy tờ kèm theo.pdf"]);
    assert!(s.embedded_files.iter().all(|f| f.encoded_size > 0));
    assert_eq!(s.signatures, 0);
}

#[test]
fn fields_found_zero_or_several_times_are_unknown() {
    let s = summarize(&corpus("d02-ts.xml")).expect("summary");
    assert_eq!(s.form_code, "D02-TS");
    assert_eq!(
        s.unit_name.as_deref(),
        Some("CÔNG TY CỔ PHẦN XÂY DỰNG & THIẾT KẾ SÔNG HỒNG")
    );
    assert_eq!(s.tax_code.as_deref(), Some("0109876543"));
    assert_eq!(
        s.bhxh_code.as_deref(),
        Some("YN0012B"),
        "the unit's code at its fixed path, not the employees' MaSoBHXH"
    );
    // A known form read at fixed paths: a field given twice there is unknown, and one placed
    // elsewhere is not read at all.
    let tk1 =
        "<TK1-TS><ThongTinChung><MaSoThue>0101234567</MaSoThue><MaSoThue>0109999999</MaSoThue>\
               </ThongTinChung><NguoiKhai><KyKeKhai>11/2026</KyKeKhai></NguoiKhai><Cky/></TK1-TS>";
    let s = summarize(tk1.as_bytes()).expect("summary");
    assert_eq!(s.tax_code, None);
    assert_eq!(s.period, None);
    let twice = "<r><KyKeKhai>10/2026</KyKeKhai><x><KyKeKhai>11/2026</KyKeKhai></x><Cky/></r>";
    assert_eq!(summarize(twice.as_bytes()).expect("summary").period, None);
    // A signature's content is not read as form data.
    let signed = sign(&corpus("tk1-ts.xml"), &with_time(), &mut signer()).expect("sign");
    let s = summarize(&signed).expect("summary");
    assert_eq!(s.signatures, 1);
    assert_eq!(s.form_code, "TK1-TS");
}

#[test]
fn a_token_of_another_unit_is_refused_before_any_pin() {
    let s = summarize(&corpus("bhxhdientu.xml")).expect("summary");
    assert!(check_identity(&s, Some("0101234567")).is_ok());
    assert!(check_identity(&s, None).is_ok(), "nothing to compare");
    let err = check_identity(&s, Some("0109876543")).expect_err("another unit");
    assert_eq!(err.code, ErrorCode::IdentityMismatch);
    assert!(err.args.contains(&("expected", "0101234567".to_string())));
    assert!(err.args.contains(&("actual", "0109876543".to_string())));
    assert!(
        check_identity(&s, Some("0101234567-001")).is_err(),
        "a branch is another unit"
    );
}

#[test]
fn signing_time_can_be_signed_on_request() {
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    for mode in [C14nMode::C14n10, C14nMode::ExcC14n] {
        let opts = SignOptions {
            c14n: mode,
            signing_time: Some(now.clone()),
            sign_signing_time: true,
            ..SignOptions::default()
        };
        let signed = sign(&corpus("d02-ts.xml"), &opts, &mut signer()).expect("sign");
        let text = String::from_utf8_lossy(&signed);
        assert!(text.contains("<Reference URI=\"#sigid-props\">"));
        assert!(text.contains("<SignatureProperties Id=\"sigid-props\">"));
        let (ok, err) = xmlsec_verify(&signed, &fixtures().rsa.cert_pem);
        assert!(ok, "{}: {err}", mode.name());
        let report = verify(&signed, &VerifyOptions::default()).expect("readable");
        assert!(report.valid, "{report:#?}");
        let sig = &report.signatures[0];
        assert_eq!(sig.references.len(), 2);
        let covers = sig.references[1].covers.as_ref().expect("followed");
        assert_eq!(covers.code, vss_xml::FindingCode::CoversElement);
        assert_eq!(covers.args["id"], "sigid-props");
        assert!(sig.signing_time.as_ref().expect("SigningTime").signed);
        // Changing the signed time now breaks the signature.
        let later = text.replacen(&format!(">{now}<"), ">2030-01-01T00:00:00Z<", 1);
        let report = verify(later.as_bytes(), &VerifyOptions::default()).expect("readable");
        assert!(!report.valid);
    }
}
