//! Issue 17 at the library: only XML is read (characters XML forbids refused by every entry
//! point), caps on attributes and namespace declarations per element (DTD defaults counted, and
//! charged to the expansion budget), duplicates still found by the hashed checks, the
//! canonicaliser's linear namespace handling still libxml2's answer (xmlsec1 verifies documents
//! that redeclare, undeclare and rebind namespaces at depth), and summary fields that are what
//! the form holds or unclear.

mod common;

use common::{fixtures, xmlsec_verify, SoftSigner};
use vss_protocol::{limits, ErrorCode};
use vss_xml::{
    canonicalize, check_identity, check_signable, sign, summarize, verify, C14nMode, SignOptions,
    VerifyOptions,
};

fn local() -> SignOptions {
    SignOptions {
        allow_doctype: true,
        ..SignOptions::default()
    }
}

/// The code each entry point gives `xml` (`"ok"` when accepted).
fn codes(xml: &[u8]) -> [String; 4] {
    let code = |r: Result<(), vss_protocol::Error>| match r {
        Ok(()) => "ok".to_string(),
        Err(e) => e.code.to_string(),
    };
    [
        code(check_signable(xml, &SignOptions::default())),
        code(canonicalize(xml, C14nMode::C14n10).map(|_| ())),
        code(summarize(xml).map(|_| ())),
        code(verify(xml, &VerifyOptions::default()).map(|_| ())),
    ]
}

#[test]
fn characters_xml_forbids_are_refused_everywhere() {
    let good = "<r a=\"x\"><Cky/>t</r>";
    assert_eq!(codes(good.as_bytes())[..3], ["ok", "ok", "ok"]);
    let mut bad: Vec<String> = Vec::new();
    for c in (0u32..0x20).filter(|c| ![0x9, 0xA, 0xD].contains(c)) {
        let c = char::from_u32(c).unwrap();
        bad.push(format!("<r><Cky/>a{c}b</r>"));
        bad.push(format!("<r a=\"{c}\"><Cky/></r>"));
    }
    for c in ['\u{FFFE}', '\u{FFFF}'] {
        bad.push(format!("<r><Cky/>{c}</r>"));
        bad.push(format!("<r a=\"{c}\"><Cky/></r>"));
        bad.push(format!("<r><Cky/><!--{c}--></r>"));
        bad.push(format!("<r><Cky/><?pi {c}?></r>"));
        bad.push(format!("<r><Cky/><![CDATA[{c}]]></r>"));
    }
    for r in [
        "&#0;",
        "&#x0;",
        "&#1;",
        "&#x1F;",
        "&#xD800;",
        "&#xDBFF;",
        "&#xDC00;",
        "&#57343;",
        "&#xFFFE;",
        "&#xFFFF;",
        "&#x110000;",
        "&#99999999999;",
    ] {
        bad.push(format!("<r><Cky/>{r}</r>"));
        bad.push(format!("<r a=\"{r}\"><Cky/></r>"));
    }
    for xml in &bad {
        let got = codes(xml.as_bytes());
        assert!(got.iter().all(|c| c == "xml_malformed"), "{xml:?}: {got:?}");
    }
    // In an entity's replacement text or a DTD default too (local files).
    for xml in [
        "<!DOCTYPE r [<!ENTITY e \"&#0;\">]><r><Cky/>&e;</r>",
        "<!DOCTYPE r [<!ENTITY e \"\u{1}\">]><r><Cky/>&e;</r>",
        "<!DOCTYPE r [<!ATTLIST r a CDATA \"\u{2}\">]><r><Cky/></r>",
    ] {
        assert_eq!(
            check_signable(xml.as_bytes(), &local()).unwrap_err().code,
            ErrorCode::XmlMalformed,
            "{xml:?}"
        );
    }
    // The reason names the character and where it is.
    let err = check_signable(b"<r><Cky/>ab\x01</r>", &SignOptions::default()).unwrap_err();
    let message = err.localize(vss_protocol::Lang::En).message;
    assert!(
        message.contains("U+0001") && message.contains("11"),
        "{message}"
    );
}

fn element_with(n: usize, attr: impl Fn(usize) -> String) -> String {
    let attrs: String = (0..n).map(attr).collect();
    format!("<r><Cky/><e{attrs}/></r>")
}

#[test]
fn attributes_and_namespace_declarations_per_element_are_capped() {
    let max = limits::XML_MAX_ATTRIBUTES;
    let plain = |i: usize| format!(" a{i}=\"{i}\"");
    let ok = element_with(max, plain);
    assert_eq!(codes(ok.as_bytes())[..3], ["ok", "ok", "ok"]);
    let over = element_with(max + 1, plain);
    assert!(codes(over.as_bytes()).iter().all(|c| c == "xml_malformed"));

    let decls = limits::XML_MAX_NAMESPACE_DECLS;
    let ns = |i: usize| format!(" xmlns:p{i}=\"urn:{i}\"");
    assert_eq!(
        codes(element_with(decls, ns).as_bytes())[..3],
        ["ok", "ok", "ok"]
    );
    assert!(codes(element_with(decls + 1, ns).as_bytes())
        .iter()
        .all(|c| c == "xml_malformed"));
    // The default namespace counts as a declaration, and declarations count as attributes.
    let with_default = element_with(decls, ns).replace("<e ", "<e xmlns=\"urn:d\" ");
    assert_eq!(codes(with_default.as_bytes())[1], "xml_malformed");
    let mixed = element_with(max - decls + 1, plain).replace(
        "<e ",
        &format!("<e{}", (0..decls).map(ns).collect::<String>()),
    );
    assert_eq!(codes(mixed.as_bytes())[1], "xml_malformed");

    // DTD defaults count: 200 given plus 100 defaulted is over the cap.
    let defaults: String = (0..100).map(|i| format!(" d{i} CDATA \"v\"")).collect();
    let given: String = (0..200).map(plain).collect();
    let xml = format!("<!DOCTYPE r [<!ATTLIST e{defaults}>]><r><Cky/><e{given}/></r>");
    assert_eq!(
        check_signable(xml.as_bytes(), &local()).unwrap_err().code,
        ErrorCode::XmlMalformed
    );
    let xml = xml.replace(&given, &(0..100).map(plain).collect::<String>());
    assert!(check_signable(xml.as_bytes(), &local()).is_ok());
}

#[test]
fn duplicate_attributes_are_still_found() {
    for xml in [
        "<r a=\"1\" a=\"2\"><Cky/></r>",
        "<r a=\"1\" b=\"2\" c=\"3\" a=\"4\"><Cky/></r>",
        "<r xmlns:p=\"urn:x\" xmlns:q=\"urn:x\" p:a=\"1\" q:a=\"2\"><Cky/></r>",
        "<r xmlns:p=\"urn:x\"><e xmlns:q=\"urn:x\" p:a=\"1\" q:a=\"2\"/><Cky/></r>",
        "<r xmlns:p=\"urn:x\" xmlns:p=\"urn:y\"><Cky/></r>",
        "<r xmlns=\"urn:x\" xmlns=\"urn:y\"><Cky/></r>",
        "<r xml:lang=\"vi\" xml:lang=\"en\"><Cky/></r>",
    ] {
        let got = codes(xml.as_bytes());
        assert!(got.iter().all(|c| c == "xml_malformed"), "{xml}: {got:?}");
    }
    // Same local name in different namespaces, or a prefixed and an unprefixed one: fine.
    for xml in [
        "<r xmlns:p=\"urn:x\" xmlns:q=\"urn:y\" p:a=\"1\" q:a=\"2\" a=\"3\"><Cky/></r>",
        "<r xmlns=\"urn:x\" xmlns:p=\"urn:x\" a=\"1\" p:a=\"2\"><Cky/></r>",
    ] {
        assert_eq!(codes(xml.as_bytes())[..3], ["ok", "ok", "ok"], "{xml}");
    }
}

#[test]
fn dtd_defaults_are_charged_to_the_expansion_budget() {
    let attlist: String = (0..100)
        .map(|i| format!(" d{i} CDATA \"a default value, number {i:03}\""))
        .collect();
    let bomb = format!(
        "<!DOCTYPE r [<!ATTLIST e{attlist}>]><r><Cky/>{}</r>",
        "<e/>".repeat(35_000)
    );
    assert!(bomb.len() < 150_000);
    for err in [
        canonicalize(bomb.as_bytes(), C14nMode::C14n10)
            .map(|out| out.len())
            .unwrap_err(),
        check_signable(bomb.as_bytes(), &local()).unwrap_err(),
        verify(
            bomb.as_bytes(),
            &VerifyOptions {
                allow_doctype: true,
                ..VerifyOptions::default()
            },
        )
        .unwrap_err(),
    ] {
        assert_eq!(err.code, ErrorCode::XmlMalformed);
    }
    // Defaults and entities share the one budget.
    let half = "<e/>".repeat(200); // 200 × 100 × 31 bytes of defaults, 0.6 MB: under 1 MiB
    let entity = "x".repeat(1000);
    let shared = format!(
        "<!DOCTYPE r [<!ENTITY k \"{entity}\"><!ATTLIST e{attlist}>]><r><Cky/>{half}{}</r>",
        "<v>&k;</v>".repeat(600)
    );
    assert!(canonicalize(
        format!("<!DOCTYPE r [<!ATTLIST e{attlist}>]><r>{half}</r>").as_bytes(),
        C14nMode::C14n10
    )
    .is_ok());
    assert_eq!(
        canonicalize(shared.as_bytes(), C14nMode::C14n10)
            .map(|out| out.len())
            .unwrap_err()
            .code,
        ErrorCode::XmlMalformed
    );
}

/// Namespaces declared, redeclared, undeclared and rebound at depth around the signature's
/// parent: the canonical forms of the document and of SignedInfo (which inherits the parent's
/// namespaces) must be libxml2's, or xmlsec1 rejects the signature.
#[test]
fn namespace_heavy_documents_verify_with_xmlsec1() {
    let f = fixtures();
    let mut levels = String::new();
    let mut closes = String::new();
    for d in 0..40 {
        let decls: String = (0..8)
            .map(|k| format!(" xmlns:p{k}=\"urn:level{}:{k}\"", d % 3))
            .collect();
        let default = match d % 4 {
            0 => " xmlns=\"urn:default\"".to_string(),
            1 => " xmlns=\"\"".to_string(),
            _ => String::new(),
        };
        levels.push_str(&format!(
            "<p{}:n{default}{decls} p3:a=\"{d}\" b=\"x\" xml:lang=\"vi\">",
            d % 8
        ));
        closes = format!("</p{}:n>{closes}", d % 8);
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root xmlns:p0=\"urn:root\" xmlns:p1=\"urn:root1\" \
         xmlns:p2=\"urn:r2\" xmlns:p3=\"urn:r3\" xmlns:p4=\"urn:r4\" xmlns:p5=\"urn:r5\" xmlns:p6=\"urn:r6\" \
         xmlns:p7=\"urn:r7\" xml:space=\"preserve\">{levels}<p5:leaf p5:z=\"1\" p0:y=\"2\">t</p5:leaf>\
         <Cky/><p0:after p1:k=\"v\"/>{closes}</root>\n"
    );
    let mut failures = Vec::new();
    for mode in C14nMode::ALL {
        let opts = SignOptions {
            c14n: mode,
            signing_time: Some("2026-12-02T09:15:00+07:00".into()),
            sign_signing_time: true,
            ..SignOptions::default()
        };
        let signed = sign(xml.as_bytes(), &opts, &mut SoftSigner::new(&f.rsa)).expect("signs");
        let (ok, stderr) = xmlsec_verify(&signed, &f.rsa.cert_pem);
        if !ok {
            failures.push(format!("{}: xmlsec1: {stderr}", mode.name()));
        }
        match verify(&signed, &VerifyOptions::default()) {
            Ok(r) if r.valid => {}
            other => failures.push(format!("{}: verify: {other:?}", mode.name())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn tk1(tax: &str) -> String {
    format!(
        "<TK1-TS><ThongTinChung><TenDoiTuong>CÔNG TY A &amp; B</TenDoiTuong><MaSoThue>{tax}</MaSoThue>\
         <KyKeKhai>11/2026</KyKeKhai></ThongTinChung><Cky/></TK1-TS>"
    )
}

#[test]
fn a_summary_field_is_what_the_form_holds_or_unclear() {
    let mst = "0312345678";
    // Plain readings.
    for tax in [
        mst.to_string(),
        format!("  {mst}\n"),
        format!("<![CDATA[{mst}]]>"),
        "&#48;312345678".to_string(),
        "&#x30;31234&#53;678".to_string(),
    ] {
        let s = summarize(tk1(&tax).as_bytes()).unwrap();
        assert_eq!(s.tax_code.as_deref(), Some(mst), "{tax}");
        assert!(s.unclear.is_empty(), "{tax}: {:?}", s.unclear);
        assert!(check_identity(&s, Some(mst)).is_ok());
        assert_eq!(s.unit_name.as_deref(), Some("CÔNG TY A & B"));
    }
    // Unclear: (content, why).
    for (tax, why) in [
        (format!("0000000000<x/>{mst}"), "mixed_content"),
        (format!("<x>{mst}</x>"), "mixed_content"),
        (format!("{mst}<!---->"), "mixed_content"),
        (format!("<?a?>{mst}"), "mixed_content"),
        ("0312<![CDATA[345678]]>".to_string(), "mixed_content"),
        (format!("<![CDATA[{mst}]]><![CDATA[]]>x"), "mixed_content"),
        (format!("<MaSoThue>{mst}</MaSoThue>"), "mixed_content"),
        (format!("{mst}\u{200B}"), "hidden_characters"),
        (format!("{mst}\u{2007}"), "hidden_characters"),
        ("0312\u{AD}345678".to_string(), "hidden_characters"),
    ] {
        let s = summarize(tk1(&tax).as_bytes()).unwrap();
        assert_eq!(s.tax_code, None, "{tax}");
        let u = s.unclear.iter().find(|u| u.field == "tax").expect(&tax);
        assert_eq!(u.why, why, "{tax}");
        for cert in [Some(mst), Some("0000000000"), None] {
            let err = check_identity(&s, cert).unwrap_err();
            assert_eq!(err.code, ErrorCode::IdentityMismatch, "{tax}");
            assert_eq!(err.details["kind"], "dossier_unreadable", "{tax}");
            let body = err.localize(vss_protocol::Lang::En);
            assert!(
                body.message.contains("does not state its tax code plainly"),
                "{}",
                body.message
            );
        }
    }
    // Several candidates: at the form's path, or anywhere in another form.
    let two = tk1(mst).replace(
        "</ThongTinChung>",
        "</ThongTinChung><ThongTinChung><MaSoThue>0000000000</MaSoThue></ThongTinChung>",
    );
    let other = format!("<HoSo><MaSoThue>{mst}</MaSoThue><X><MaSoThue/></X><Cky/></HoSo>");
    for xml in [two, other] {
        let s = summarize(xml.as_bytes()).unwrap();
        let u = s.unclear.iter().find(|u| u.field == "tax").expect(&xml);
        assert_eq!(u.why, "several");
        assert!(u.found.contains(mst), "{}", u.found);
        assert!(check_identity(&s, Some(mst)).is_err());
    }
    // A MaSoThue elsewhere in a known form is not the form's field; no MaSoThue at all passes.
    let elsewhere = tk1(mst).replace("<Cky/>", "<DS><MaSoThue>0000000000</MaSoThue></DS><Cky/>");
    let s = summarize(elsewhere.as_bytes()).unwrap();
    assert_eq!(s.tax_code.as_deref(), Some(mst));
    let none = summarize(b"<HoSo><Cky/></HoSo>").unwrap();
    assert!(none.tax_code.is_none() && none.unclear.is_empty());
    assert!(check_identity(&none, Some(mst)).is_ok());
    // Another unit's plain code is the other kind of mismatch.
    let err =
        check_identity(&summarize(tk1("0000000000").as_bytes()).unwrap(), Some(mst)).unwrap_err();
    assert_eq!(err.code, ErrorCode::IdentityMismatch);
    let body = err.localize(vss_protocol::Lang::En);
    assert!(
        body.message.contains("belongs to another unit"),
        "{}",
        body.message
    );
    // Display fields with mixed content are unknown too.
    let unit = tk1(mst).replace("CÔNG TY A &amp; B", "CÔNG TY A<b/>CÔNG TY B");
    let s = summarize(unit.as_bytes()).unwrap();
    assert_eq!(s.unit_name, None);
    assert!(s.unclear.iter().any(|u| u.field == "unit"));
    assert!(check_identity(&s, Some(mst)).is_ok());
}
