//! The dossier page's commands through the real `vss-agent` binary, framed as Chrome frames
//! them, against real SoftHSM2 tokens and the scripted pinentry: the batch form of `sign-xml`
//! and `summarize-xml` only for the extension's own origin, every other origin refused before
//! any dialog; one GETPIN for a whole batch; a batch reply above 1 MiB arrives in whole-result
//! chunks (`"field": "$"`) that reassemble and verify with xmlsec1.

use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use vss_testkit::fixture::Fixture;
use vss_testkit::native_host::NativeHost as Host;

const OWN: &str = "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp";
const PORTAL: &str = "https://gddt.baohiemxahoi.gov.vn";
const AN_SINH: &str = "0312345678-001";

fn code(reply: &Value) -> &str {
    reply["error"]["code"].as_str().unwrap_or("<ok>")
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn dossier(mst: &str, padding_bytes: usize) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TK1-TS xmlns=\"http://ivan.baohiemxahoi.gov.vn/hoso\">\n  <ThongTinChung><MaThuTuc>TK1-TS</MaThuTuc><TenDoiTuong>CÔNG TY TNHH PHẦN MỀM AN SINH</TenDoiTuong><MaSoThue>{mst}</MaSoThue><KyKeKhai>11/2026</KyKeKhai></ThongTinChung>\n  <GhiChu>{}</GhiChu>\n  <Cky></Cky>\n</TK1-TS>\n",
        "x".repeat(padding_bytes)
    )
}

fn documents(list: &[(&str, String)]) -> Value {
    Value::Array(
        list.iter()
            .map(|(name, xml)| json!({"name": name, "xml": b64(xml)}))
            .collect(),
    )
}

fn getpins(f: &Fixture) -> usize {
    f.dialogs().matches("COMMAND GETPIN").count()
}

#[test]
fn the_batch_and_summaries_are_refused_to_every_origin_but_the_extensions_own() {
    let f = Fixture::new("demo");
    let mut host = Host::start(&f, &[]);
    let batch = json!({"certificate": f.cert_id("an-sinh"),
        "documents": documents(&[("a.xml", dossier(AN_SINH, 10))])});
    let summary = json!({"documents": documents(&[("a.xml", dossier(AN_SINH, 10))])});
    // The allowlisted portal: a capability it never gets (DESIGN §5).
    let r = host.request("1", "sign-xml", PORTAL, batch.clone());
    assert_eq!(code(&r), "capability_denied", "{r}");
    assert_eq!(
        code(&host.request("2", "summarize-xml", PORTAL, summary.clone())),
        "capability_denied"
    );
    assert_eq!(
        code(&host.request("3", "verify-xml", PORTAL, json!({"xml": b64("<a/>")}))),
        "capability_denied"
    );
    // Any other origin, including another extension's: not even a caller.
    for other in [
        "https://evil.example",
        "chrome-extension://bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp.evil",
        "null",
    ] {
        let r = host.request("4", "sign-xml", other, batch.clone());
        assert_eq!(code(&r), "origin_not_allowed", "{other}: {r}");
        let r = host.request("5", "summarize-xml", other, summary.clone());
        assert_eq!(code(&r), "origin_not_allowed", "{other}: {r}");
    }
    // No origin at all.
    host.send(&json!({"id": "6", "command": "sign-xml", "arguments": batch}));
    assert_eq!(code(&host.read()), "origin_not_allowed");
    assert_eq!(f.dialogs(), "", "no dialog for any refused caller");
    // The extension's own origin is answered.
    let r = host.request("7", "summarize-xml", OWN, summary);
    assert_eq!(r["ok"], true, "{r}");
}

#[test]
fn summarize_xml_reads_each_file_and_flags_what_the_batch_would_refuse() {
    let f = Fixture::new("demo");
    let mut host = Host::start(&f, &[]);
    let envelope =
        std::fs::read_to_string(fixture_file("bhxhdientu.xml")).expect("corpus envelope");
    let signed = std::fs::read_to_string(fixture_file("tk1-ts-signed-by-xmlsec1.xml")).unwrap();
    let docs = documents(&[
        ("tk1.xml", dossier(AN_SINH, 10)),
        ("khac.xml", dossier("0109876543", 10)),
        ("hong.xml", "<TK1-TS><MaSoThue>".to_string()),
        (
            "dtd.xml",
            format!("<!DOCTYPE TK1-TS []>\n{}", &dossier(AN_SINH, 0)[39..]),
        ),
        ("da-ky.xml", signed.replace("0101234567", AN_SINH)),
        ("hoso.xml", envelope.replace("0101234567", AN_SINH)),
    ]);
    let r = host.request(
        "s",
        "summarize-xml",
        OWN,
        json!({"documents": docs, "certificate": f.cert_id("an-sinh")}),
    );
    assert_eq!(r["ok"], true, "{r}");
    let d = r["result"]["documents"].as_array().unwrap();
    assert_eq!(d.len(), 6);
    assert_eq!(d[0]["name"], "tk1.xml");
    assert_eq!(d[0]["form"], "TK1-TS");
    assert_eq!(d[0]["tax_code"], AN_SINH);
    assert_eq!(d[0]["unit_name"], "CÔNG TY TNHH PHẦN MỀM AN SINH");
    assert_eq!(d[0]["period"], "11/2026");
    assert!(d[0].get("refusal").is_none(), "{}", d[0]);
    // Another unit's file still says whose it is, and why it is refused.
    assert_eq!(d[1]["tax_code"], "0109876543");
    assert_eq!(d[1]["refusal"]["code"], "identity_mismatch");
    assert!(d[1]["refusal"]["hint"]
        .as_str()
        .unwrap()
        .contains("0109876543"));
    assert_eq!(d[2]["refusal"]["code"], "xml_malformed", "{}", d[2]);
    assert_eq!(d[3]["refusal"]["code"], "xml_dtd_forbidden", "{}", d[3]);
    assert_eq!(d[4]["refusal"]["code"], "xml_already_signed", "{}", d[4]);
    assert_eq!(d[4]["signatures"], 1);
    assert_eq!(d[5]["form"], "600");
    let embedded: Vec<&str> = d[5]["embedded_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(
        embedded.contains(&"TK1-TS.xml") && embedded.contains(&"D02-TS.xml"),
        "{embedded:?}"
    );
    assert!(d[5].get("refusal").is_none(), "{}", d[5]);
    // Without a certificate there is no MST to compare: another unit's file is not flagged.
    let r = host.request(
        "t",
        "summarize-xml",
        OWN,
        json!({"documents": documents(&[("khac.xml", dossier("0109876543", 10))])}),
    );
    assert!(r["result"]["documents"][0].get("refusal").is_none(), "{r}");
    // Caps: no documents, or more than the limit, before reading anything.
    let r = host.request("u", "summarize-xml", OWN, json!({"documents": []}));
    assert_eq!(code(&r), "batch_too_large");
    assert_eq!(f.dialogs(), "", "summaries never open a dialog");
}

fn fixture_file(name: &str) -> std::path::PathBuf {
    vss_testkit::fixture::repo_root()
        .join("tests/xml-corpus")
        .join(name)
}

#[test]
fn a_batch_from_the_extension_takes_one_pin_and_a_large_reply_travels_as_whole_result_chunks() {
    let f = Fixture::new("demo");
    let mut host = Host::start(&f, &[]);
    // Three documents of ~450 KiB: the reply (base64) is ~1.8 MiB, several XML fields.
    let names = ["Tờ khai 1.xml", "Tờ khai 2.xml", "Tờ khai 3.xml"];
    let list: Vec<(&str, String)> = names
        .iter()
        .map(|n| (*n, dossier(AN_SINH, 450 * 1024)))
        .chain([("khac.xml", dossier("0109876543", 10))])
        .collect();
    host.send(
        &json!({"id": "b", "command": "sign-xml", "origin": OWN, "lang": "vi",
        "arguments": {"certificate": f.cert_id("an-sinh"), "documents": documents(&list)}}),
    );
    let mut chunks = Vec::new();
    loop {
        let frame = host.read();
        assert_eq!(frame["id"], "b");
        assert!(frame.get("chunk").is_some(), "a chunked reply: {frame}");
        let last = frame["chunk"]["seq"].as_u64().unwrap() + 1
            == frame["chunk"]["total"].as_u64().unwrap();
        chunks.push(frame);
        if last {
            break;
        }
    }
    assert!(chunks.len() >= 3, "{} chunks", chunks.len());
    assert!(chunks.iter().all(|c| c["chunk"]["field"] == "$"));
    let text: String = chunks.iter().map(|c| c["data"].as_str().unwrap()).collect();
    assert_eq!(
        hex::encode(Sha256::digest(text.as_bytes())),
        chunks.last().unwrap()["chunk"]["sha256"].as_str().unwrap()
    );
    let result: Value = serde_json::from_str(&text).unwrap();
    let docs = result["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 4);
    for (i, doc) in docs.iter().take(3).enumerate() {
        assert_eq!(doc["name"], names[i]);
        assert_eq!(doc["ok"], true, "{}", doc["error"]);
        let xml = base64::engine::general_purpose::STANDARD
            .decode(doc["xml"].as_str().unwrap())
            .unwrap();
        let path = f.dir.join(format!("signed-{i}.xml"));
        std::fs::write(&path, xml).unwrap();
        let xmlsec = std::process::Command::new("xmlsec1")
            .args(["--verify", "--trusted-pem"])
            .arg(f.manifest["ca_pem"].as_str().unwrap())
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            xmlsec.status.success(),
            "{}",
            String::from_utf8_lossy(&xmlsec.stderr)
        );
    }
    assert_eq!(docs[3]["ok"], false);
    assert_eq!(docs[3]["error"]["code"], "identity_mismatch");
    assert!(docs[3].get("xml").is_none());
    assert_eq!(getpins(&f), 1, "one PIN for the batch: {}", f.dialogs());
    let dialog = f.dialogs();
    for name in names {
        assert!(dialog.contains(name), "the dialog names {name}: {dialog}");
    }
    assert!(
        !dialog.contains("khac.xml"),
        "a refused file is not offered for signing"
    );
    assert_eq!(
        host.request("v", "version", OWN, json!({}))["ok"],
        true,
        "still serving"
    );
}
