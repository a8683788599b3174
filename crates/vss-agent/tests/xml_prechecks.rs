//! Issue 17 through the real native host, framed as Chrome frames a page's requests, against a
//! real SoftHSM2 token and the scripted pinentry: what is not XML is never signed, every check
//! that needs no PIN runs before the dialog for the single `sign-xml` as for the batch, a
//! MaSoThue the dossier does not state plainly refuses the signature, and a page's document
//! full of attributes or namespaces is answered at once. Each refusal is asserted with no
//! dialog at all (no GETPIN, no CONFIRM); a control in each test proves the dialog does open
//! for a good document in the same setup. The HTTP door (`vss-agent serve`) is tried too.

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};
use vss_testkit::fixture::Fixture;
use vss_testkit::native_host::NativeHost as Host;
use vss_testkit::serve::ServeAgent;

const PORTAL: &str = "https://gddt.baohiemxahoi.gov.vn";
/// The extension's own origin (its dossier page).
const OWN: &str = "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp";
const MST: &str = "0312345678-001";

fn code(reply: &Value) -> &str {
    reply["error"]["code"].as_str().unwrap_or("<ok>")
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A TK1-TS dossier of the test unit with `tax` as the MaSoThue element's content, `note` as
/// the GhiChu element's content and `extra` after it.
fn dossier(tax: &str, note: &str, extra: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TK1-TS xmlns=\"http://ivan.baohiemxahoi.gov.vn/hoso\">\n  \
         <ThongTinChung><MaThuTuc>TK1-TS</MaThuTuc><TenDoiTuong>CÔNG TY TNHH PHẦN MỀM AN SINH</TenDoiTuong>\
         <MaSoThue>{tax}</MaSoThue><KyKeKhai>11/2026</KyKeKhai></ThongTinChung>\n  \
         <GhiChu>{note}</GhiChu>{extra}\n  <Cky></Cky>\n</TK1-TS>\n"
    )
}

fn sign_xml(host: &mut Host, f: &Fixture, id: &str, xml: &str, more: Value) -> Value {
    let mut args = json!({"certificate": f.cert_id("an-sinh"), "xml": b64(xml)});
    if let (Some(args), Some(more)) = (args.as_object_mut(), more.as_object()) {
        args.extend(more.clone());
    }
    host.request(id, "sign-xml", PORTAL, args)
}

/// Sends each case, asserts its code and that no dialog was shown; then signs `control` and
/// asserts exactly one dialog.
fn refused_before_any_dialog(f: &Fixture, cases: &[(&str, String, Value, &str)], control: &str) {
    let mut host = Host::start(f, &[]);
    for (what, xml, more, expected) in cases {
        let reply = sign_xml(&mut host, f, what, xml, more.clone());
        assert_eq!(code(&reply), *expected, "{what}: {reply}");
        assert_eq!(f.dialogs(), "", "{what}: a dialog was shown");
    }
    let reply = sign_xml(&mut host, f, "control", control, json!({}));
    assert_eq!(reply["ok"], true, "control: {reply}");
    assert_eq!(f.dialogs().matches("COMMAND GETPIN").count(), 1);
}

#[test]
fn characters_xml_forbids_are_xml_malformed_before_the_pin() {
    let f = Fixture::new("demo");
    let note = |n: &str| dossier(MST, n, "");
    let attr = |v: &str| dossier(MST, "ghi chú", &format!("<X a=\"{v}\"/>"));
    let cases: Vec<(&str, String, Value, &str)> = vec![
        (
            "raw NUL in text",
            note("a\u{0}b"),
            json!({}),
            "xml_malformed",
        ),
        (
            "raw U+0001 in text",
            note("a\u{1}b"),
            json!({}),
            "xml_malformed",
        ),
        (
            "raw ESC in an attribute",
            attr("\u{1B}[31mVALID"),
            json!({}),
            "xml_malformed",
        ),
        (
            "raw form feed in a comment",
            dossier(MST, "<!-- \u{C} -->", ""),
            json!({}),
            "xml_malformed",
        ),
        (
            "raw U+FFFE in text",
            note("a\u{FFFE}b"),
            json!({}),
            "xml_malformed",
        ),
        (
            "raw U+FFFF in an attribute",
            attr("\u{FFFF}"),
            json!({}),
            "xml_malformed",
        ),
        (
            "raw U+001F in the MaSoThue",
            dossier(&format!("{MST}\u{1F}"), "", ""),
            json!({}),
            "xml_malformed",
        ),
        ("&#0; in text", note("&#0;"), json!({}), "xml_malformed"),
        (
            "&#x0; in an attribute",
            attr("&#x0;"),
            json!({}),
            "xml_malformed",
        ),
        (
            "&#xD800; (lone high surrogate)",
            note("&#xD800;"),
            json!({}),
            "xml_malformed",
        ),
        (
            "&#xDFFF; in an attribute (lone low surrogate)",
            attr("&#xDFFF;"),
            json!({}),
            "xml_malformed",
        ),
        ("&#x1B; in text", note("&#x1B;"), json!({}), "xml_malformed"),
        (
            "&#xFFFE; in an attribute",
            attr("&#xFFFE;"),
            json!({}),
            "xml_malformed",
        ),
        (
            "&#65535; in text",
            note("&#65535;"),
            json!({}),
            "xml_malformed",
        ),
        (
            "&#x110000; beyond Unicode",
            note("&#x110000;"),
            json!({}),
            "xml_malformed",
        ),
    ];
    // Tab, LF and CR are XML characters, raw or as references.
    let control = dossier(MST, "a\tb&#x9;&#xA;&#xD;c", "<X a=\"x&#x9;y\"/>");
    refused_before_any_dialog(&f, &cases, &control);
}

#[test]
fn every_check_that_needs_no_pin_runs_before_the_dialog_of_a_single_sign_xml() {
    let f = Fixture::new("demo");
    let good = dossier(MST, "ghi chú", "");
    let signed_parent = good.replace(
        "<Cky></Cky>",
        "<Cky><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/></Cky>",
    );
    let cases: Vec<(&str, String, Value, &str)> = vec![
        (
            "signature_id starting with a digit",
            good.clone(),
            json!({"signature_id": "1sig"}),
            "bad_request",
        ),
        (
            "signature_id with a space",
            good.clone(),
            json!({"signature_id": "sig id"}),
            "bad_request",
        ),
        (
            "signature_id with a colon",
            good.clone(),
            json!({"signature_id": "ds:sig"}),
            "bad_request",
        ),
        (
            "signature_id with a quote",
            good.clone(),
            json!({"signature_id": "a\"b"}),
            "bad_request",
        ),
        (
            "empty signature_id",
            good.clone(),
            json!({"signature_id": ""}),
            "bad_request",
        ),
        (
            "signature_id already an Id",
            dossier(MST, "", "<X Id=\"sigid\"/>"),
            json!({}),
            "bad_request",
        ),
        (
            "the props id already an ID",
            dossier(MST, "", "<X ID=\"s1-props\"/>"),
            json!({"signature_id": "s1"}),
            "bad_request",
        ),
        (
            "named parent missing",
            good.clone(),
            json!({"parent": "ChuKy"}),
            "xml_parent_not_found",
        ),
        (
            "two default parents",
            good.replace("<Cky></Cky>", "<Cky/><Cky/>"),
            json!({}),
            "xml_parent_ambiguous",
        ),
        (
            "two named parents, nested",
            good.replace("<Cky></Cky>", "<P><P/></P>"),
            json!({"parent": "P"}),
            "xml_parent_ambiguous",
        ),
        (
            "parent already signed",
            signed_parent.clone(),
            json!({}),
            "xml_already_signed",
        ),
        (
            "named parent already signed",
            signed_parent,
            json!({"parent": "Cky"}),
            "xml_already_signed",
        ),
    ];
    refused_before_any_dialog(&f, &cases, &good);
}

/// Dossiers whose MaSoThue cannot be read one way only: (what, xml).
fn unclear_tax_codes() -> Vec<(&'static str, String)> {
    let with_tax = |t: &str| dossier(t, "", "");
    vec![
        ("mixed content, element between", with_tax(&format!("0000000000<x/>{MST}"))),
        ("mixed content, empty element first", with_tax(&format!("<b/>{MST}"))),
        ("a comment inside", with_tax(&format!("0000000000<!-- -->{MST}"))),
        ("a comment before the value", with_tax(&format!("<!--c-->{MST}"))),
        ("a processing instruction inside", with_tax(&format!("{MST}<?p x?>"))),
        ("CDATA split", with_tax("0312<![CDATA[345678-001]]>")),
        ("two CDATA sections", with_tax("<![CDATA[0312345678]]><![CDATA[-001]]>")),
        ("nested duplicate", with_tax(&format!("<MaSoThue>{MST}</MaSoThue>"))),
        (
            "two candidates at the form's path",
            dossier(MST, "", "").replace(
                "</ThongTinChung>",
                "</ThongTinChung><ThongTinChung><MaSoThue>0000000000</MaSoThue></ThongTinChung>",
            ),
        ),
        (
            "two candidates, one empty",
            dossier(MST, "", "").replace(
                "</ThongTinChung>",
                "</ThongTinChung><ThongTinChung><MaSoThue/></ThongTinChung>",
            ),
        ),
        ("a hidden character", with_tax(&format!("{MST}\u{200B}"))),
        ("a no-break space", with_tax(&format!("{MST}\u{A0}"))),
        (
            "another form: two MaSoThue anywhere",
            format!(
                "<HoSo><A><MaSoThue>{MST}</MaSoThue></A><B><MaSoThue>0000000000</MaSoThue></B><Cky/></HoSo>"
            ),
        ),
        (
            "another form: mixed content",
            format!("<HoSo><MaSoThue>0000000000<i/>{MST}</MaSoThue><Cky/></HoSo>"),
        ),
    ]
}

#[test]
fn a_tax_code_the_dossier_does_not_state_plainly_is_refused_before_the_pin() {
    let f = Fixture::new("demo");
    let mut host = Host::start(&f, &[]);
    for (what, xml) in unclear_tax_codes() {
        let reply = sign_xml(&mut host, &f, what, &xml, json!({}));
        assert_eq!(code(&reply), "identity_mismatch", "{what}: {reply}");
        let details = &reply["error"]["details"];
        assert_eq!(details["kind"], "dossier_unreadable", "{what}: {reply}");
        assert_eq!(details["actual"], MST, "{what}: {reply}");
        let message = reply["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("không ghi rõ mã số thuế"),
            "{what}: {message}"
        );
        assert_eq!(f.dialogs(), "", "{what}: a dialog was shown");
    }
    // What the dossier says is named: both values of a mixed MaSoThue.
    let reply = sign_xml(
        &mut host,
        &f,
        "named",
        &dossier(&format!("0000000000<x/>{MST}"), "", ""),
        json!({}),
    );
    let found = reply["error"]["details"]["found"].as_str().unwrap();
    assert!(
        found.contains("0000000000") && found.contains(MST),
        "{found}"
    );

    // Plain readings still sign, and the dialog shows the code: white space around it, one
    // CDATA section, a character reference.
    for (i, tax) in [
        format!("\n      {MST}\n    "),
        format!("<![CDATA[{MST}]]>"),
        "&#48;312345678-001".to_string(),
    ]
    .iter()
    .enumerate()
    {
        let reply = sign_xml(&mut host, &f, "plain", &dossier(tax, "", ""), json!({}));
        assert_eq!(reply["ok"], true, "{tax}: {reply}");
        assert_eq!(f.dialogs().matches("COMMAND GETPIN").count(), i + 1);
    }
    assert!(f
        .dialogs()
        .contains(&format!("Mã số thuế trong tệp: {MST}")));
}

#[test]
fn the_dossier_page_sees_the_same_refusals_and_the_batch_signs_the_rest() {
    let f = Fixture::new("demo");
    let mut host = Host::start(&f, &[]);
    let own = OWN;
    let mut documents: Vec<Value> = unclear_tax_codes()
        .into_iter()
        .map(|(what, xml)| json!({"name": what, "xml": b64(&xml)}))
        .collect();
    documents.push(json!({"name": "NUL", "xml": b64(&dossier(MST, "\u{0}", ""))}));
    documents.push(json!({"name": "good", "xml": b64(&dossier(MST, "ghi chú", ""))}));
    let summary = host.request(
        "s",
        "summarize-xml",
        own,
        json!({"documents": documents.clone(), "certificate": f.cert_id("an-sinh")}),
    );
    let listed = summary["result"]["documents"].as_array().unwrap();
    assert_eq!(listed.len(), documents.len(), "{summary}");
    for d in &listed[..listed.len() - 1] {
        assert!(d["refusal"]["code"].is_string(), "{d}");
        assert!(d["tax_code"].is_null(), "no tax code shown for {d}");
    }
    assert!(listed.last().unwrap()["refusal"].is_null(), "{summary}");
    let reply = host.request(
        "b",
        "sign-xml",
        own,
        json!({"documents": documents, "certificate": f.cert_id("an-sinh")}),
    );
    let results = reply["result"]["documents"].as_array().unwrap();
    for r in &results[..results.len() - 2] {
        assert_eq!(r["error"]["code"], "identity_mismatch", "{r}");
    }
    assert_eq!(results[results.len() - 2]["error"]["code"], "xml_malformed");
    assert_eq!(results.last().unwrap()["ok"], true, "{reply}");
    let dialogs = f.dialogs();
    assert_eq!(dialogs.matches("COMMAND GETPIN").count(), 1);
    assert!(!dialogs.contains("0000000000"), "{dialogs}");
}

#[test]
fn a_page_full_of_attributes_or_namespaces_is_answered_at_once() {
    let f = Fixture::new("demo");
    let mut host = Host::start(&f, &[]);
    let attributes = |n: usize, f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<String>();
    let cases = [
        (
            "40,000 attributes",
            dossier(
                MST,
                "",
                &format!("<X{}/>", attributes(40_000, &|i| format!(" a{i}=\"{i}\""))),
            ),
        ),
        (
            "257 attributes",
            dossier(
                MST,
                "",
                &format!("<X{}/>", attributes(257, &|i| format!(" a{i}=\"{i}\""))),
            ),
        ),
        (
            "10,000 namespace declarations",
            dossier(
                MST,
                "",
                &format!(
                    "<X{}/>",
                    attributes(10_000, &|i| format!(" xmlns:p{i}=\"urn:{i}\""))
                ),
            ),
        ),
        (
            "65 namespace declarations",
            dossier(
                MST,
                "",
                &format!(
                    "<X{}/>",
                    attributes(65, &|i| format!(" xmlns:p{i}=\"urn:{i}\""))
                ),
            ),
        ),
        (
            "40,000 prefixed attributes of one namespace",
            dossier(
                MST,
                "",
                &format!(
                    "<X xmlns:p=\"urn:p\"{}/>",
                    attributes(40_000, &|i| format!(" p:a{i}=\"{i}\""))
                ),
            ),
        ),
        (
            "a duplicate hidden behind two prefixes",
            dossier(
                MST,
                "",
                "<X xmlns:p=\"urn:a\" xmlns:q=\"urn:a\" p:id=\"1\" q:id=\"2\"/>",
            ),
        ),
        (
            "a duplicate namespace declaration",
            dossier(MST, "", "<X xmlns:p=\"urn:a\" xmlns:p=\"urn:b\"/>"),
        ),
    ];
    for (what, xml) in &cases {
        let started = Instant::now();
        let reply = sign_xml(&mut host, &f, what, xml, json!({}));
        assert_eq!(code(&reply), "xml_malformed", "{what}: {reply}");
        // Debug build on a shared machine: the old quadratic checks took over 15 s here.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{what}: {:?}",
            started.elapsed()
        );
        assert_eq!(f.dialogs(), "", "{what}: a dialog was shown");
    }
    // The most the caps allow, on many elements, signs.
    let full = attributes(256, &|i| format!(" a{i}=\"{i}\""));
    let decls = attributes(64, &|i| format!(" xmlns:p{i}=\"urn:{i}\""));
    let body = format!("<X{full}/><Y{decls}/>").repeat(200);
    let reply = sign_xml(
        &mut host,
        &f,
        "at the caps",
        &dossier(MST, "", &body),
        json!({}),
    );
    assert_eq!(reply["ok"], true, "{reply}");
}

#[test]
fn the_http_door_refuses_the_same_documents_before_any_dialog() {
    let f = Fixture::new("demo");
    let s = ServeAgent::start(&f, &[]);
    let post = |id: &str, xml: &str, more: Value| {
        let mut args = json!({"certificate": f.cert_id("an-sinh"), "xml": b64(xml)});
        if let (Some(args), Some(more)) = (args.as_object_mut(), more.as_object()) {
            args.extend(more.clone());
        }
        let body = json!({"id": id, "command": "sign-xml", "arguments": args}).to_string();
        let reply = s.request(
            "POST",
            "/v1/request",
            &[s.host(), ("Origin", PORTAL.to_string())],
            &body,
        );
        serde_json::from_str::<Value>(&reply.body).unwrap_or(Value::Null)
    };
    let cases = [
        ("NUL", dossier(MST, "\u{0}", ""), json!({}), "xml_malformed"),
        (
            "surrogate",
            dossier(MST, "&#xDC00;", ""),
            json!({}),
            "xml_malformed",
        ),
        (
            "mixed MaSoThue",
            dossier(&format!("0000000000<x/>{MST}"), "", ""),
            json!({}),
            "identity_mismatch",
        ),
        (
            "CDATA split",
            dossier("0312345<![CDATA[678-001]]>", "", ""),
            json!({}),
            "identity_mismatch",
        ),
        (
            "bad signature_id",
            dossier(MST, "", ""),
            json!({"signature_id": "9"}),
            "bad_request",
        ),
        (
            "ambiguous parent",
            dossier(MST, "", "<Cky/>"),
            json!({}),
            "xml_parent_ambiguous",
        ),
        (
            "40,000 attributes",
            dossier(
                MST,
                "",
                &format!(
                    "<X{}/>",
                    (0..40_000)
                        .map(|i| format!(" a{i}=\"{i}\""))
                        .collect::<String>()
                ),
            ),
            json!({}),
            "xml_malformed",
        ),
    ];
    for (what, xml, more, expected) in &cases {
        let reply = post(what, xml, more.clone());
        assert_eq!(code(&reply), *expected, "{what}: {reply}");
        assert_eq!(f.dialogs(), "", "{what}: a dialog was shown");
    }
    let reply = post("control", &dossier(MST, "ghi chú", ""), json!({}));
    assert_eq!(reply["ok"], true, "{reply}");
    assert_eq!(f.dialogs().matches("COMMAND GETPIN").count(), 1);
}
