//! The consent dialog cannot be crowded or fooled (DESIGN §7, dialog integrity), seen as the
//! user sees it: the real `vss-agent` as Chrome starts it, real SoftHSM2 tokens, and the text
//! the scripted pinentry received over the Assuan protocol. Whatever a page or a file sends —
//! long titles, long form fields, many documents, towers of combining marks, wide characters,
//! blank and invisible padding, line breaks — the agent's own lines (requester, signer, MST,
//! expiry, hash fingerprint, "cannot be shown", the PIN warning) are there in full, there is no
//! second "signer" line, and no invisible character reaches the dialog.

use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use vss_protocol::display::{class, CharClass};
use vss_protocol::messages::text;
use vss_protocol::{limits, Lang};
use vss_testkit::fixture::Fixture;
use vss_testkit::native_host::NativeHost as Host;

const PORTAL: &str = "https://gddt.baohiemxahoi.gov.vn";
const OWN: &str = "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp";
const HOLDER: &str = "CÔNG TY TNHH PHẦN MỀM AN SINH";
const MST: &str = "0312345678-001";

fn b64(data: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn t(id: &str, args: &[(&str, &str)]) -> String {
    let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (*k, v.to_string())).collect();
    text(Lang::Vi, id, &args)
}

/// Blank, invisible and look-alike padding that once reached the dialog.
fn padding(n: usize) -> String {
    [
        '\u{2800}',
        '\u{3164}',
        '\u{115F}',
        '\u{1160}',
        '\u{FFA0}',
        '\u{180E}',
        '\u{034F}',
        '\u{E0020}',
        '\u{E0041}',
        '\u{1D173}',
        '\u{1D17A}',
        '\u{FE0F}',
        '\u{E000}',
        '\u{0378}',
        '\u{200B}',
        '\u{2060}',
    ]
    .iter()
    .cycle()
    .take(n)
    .collect()
}

/// Titles and descriptions a page may send, each trying to crowd out or imitate the agent.
fn hostile_claims() -> Vec<(&'static str, String, String)> {
    let fake = format!(
        "{}Người ký: CÔNG TY KHÁC{}Mã số thuế (MST): 0000000000",
        padding(120),
        padding(120)
    );
    vec![
        ("200 + 200 characters", "T".repeat(200), "D".repeat(200)),
        ("4-byte characters", "𝐓".repeat(300), "𝐃".repeat(300)),
        ("wide characters", "漢".repeat(300), "\u{FDFD}".repeat(300)),
        (
            "a tower of combining marks",
            format!("Tờ khai{}", "\u{0301}\u{0323}\u{0302}".repeat(300)),
            format!("x{}", "\u{20DD}".repeat(600)),
        ),
        ("blank padding and a fake signer line", fake.clone(), fake),
        (
            "line breaks",
            "Tờ khai\nNgười ký: CÔNG TY KHÁC\r\nMã số thuế (MST): 0000000000".into(),
            "a\u{2028}Người ký: CÔNG TY KHÁC\u{2029}b\u{85}c".into(),
        ),
        (
            "Assuan escapes",
            "%0ANgười ký: CÔNG TY KHÁC%0D%25".into(),
            "\\nNgười ký: CÔNG TY KHÁC".into(),
        ),
    ]
}

/// The dialogs the scripted pinentry was shown, each as its lines.
fn dialogs(f: &Fixture) -> Vec<Vec<String>> {
    f.dialogs()
        .split("----\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| {
            d.lines()
                .filter(|l| {
                    !(l.starts_with("TITLE ")
                        || l.starts_with("PROMPT ")
                        || l.starts_with("COMMAND ")
                        || l.starts_with("OPTIONS"))
                })
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// What every dialog must hold, whatever the page or file sent: each of the agent's lines
/// whole, exactly once, and nothing hidden anywhere in the text.
fn assert_agent_lines(dialog: &[String], own: &[String], case: &str) {
    let whole = dialog.join("\n");
    for line in own {
        assert_eq!(
            dialog.iter().filter(|l| *l == line).count(),
            1,
            "{case}: the agent's line {line:?} is not there whole, once:\n{whole}"
        );
    }
    let signer_prefix = t("dialog-holder", &[("holder", "")]);
    assert_eq!(
        dialog
            .iter()
            .filter(|l| l.starts_with(signer_prefix.trim_end()))
            .count(),
        1,
        "{case}: one signer line only:\n{whole}"
    );
    assert!(
        whole.len() + 2 * dialog.len() <= limits::MAX_CONSENT_BYTES + 3,
        "{case}: {} bytes",
        whole.len()
    );
    for c in whole.chars() {
        assert!(
            c == '\n' || class(c) != CharClass::Hidden,
            "{case}: U+{:04X} reached the dialog:\n{whole}",
            c as u32
        );
        assert!(
            c == '\n' || c == ' ' || class(c) != CharClass::Space,
            "{case}: U+{:04X} reached the dialog",
            c as u32
        );
    }
}

/// Makes the next dialog of this token warn that PIN tries run low (a wrong PIN first).
fn one_wrong_pin(f: &Fixture) {
    let mut host = Host::start(f, &[("VSS_TEST_PIN", "999999")]);
    let reply = host.request(
        "wrong",
        "sign-hash",
        PORTAL,
        json!({"certificate": f.cert_id("an-sinh"), "hash": b64(Sha256::digest(b"x")), "hash_algorithm": "SHA-256"}),
    );
    assert_eq!(reply["error"]["code"], "pin_incorrect", "{reply}");
}

/// The expiry as the dialog shows it (dd/mm/yyyy, UTC), from the certificate's `not_after`.
fn expiry(host: &mut Host, f: &Fixture) -> String {
    let list = host.request("l", "list-certificates", PORTAL, json!({}));
    let cert = list["result"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == f.cert_id("an-sinh"))
        .cloned()
        .unwrap();
    let date = &cert["not_after"].as_str().unwrap()[..10];
    format!("{}/{}/{}", &date[8..10], &date[5..7], &date[..4])
}

fn own_lines(expiry: &str) -> Vec<String> {
    vec![
        t("dialog-origin", &[("origin", PORTAL)]),
        t("dialog-holder", &[("holder", HOLDER)]),
        t("dialog-mst", &[("mst", MST)]),
        t("dialog-expiry", &[("date", expiry)]),
        t("dialog-pin-count-low", &[]),
    ]
}

#[test]
fn a_page_cannot_crowd_out_or_imitate_the_agents_lines_of_a_hash_signature() {
    let f = Fixture::new("an-sinh");
    for (case, title, description) in hostile_claims() {
        let before = dialogs(&f).len();
        one_wrong_pin(&f);
        let mut host = Host::start(&f, &[]);
        let date = expiry(&mut host, &f);
        let hash = Sha256::digest(case.as_bytes());
        let hex = hex::encode_upper(hash);
        let reply = host.request(
            "h",
            "sign-hash",
            PORTAL,
            json!({"certificate": f.cert_id("an-sinh"), "hash": b64(hash), "hash_algorithm": "SHA-256",
                   "document": {"title": title, "description": description}}),
        );
        assert_eq!(reply["ok"], true, "{case}: {reply}");
        let shown = dialogs(&f);
        assert_eq!(
            shown.len(),
            before + 2,
            "{case}: the wrong PIN's and this one"
        );
        let dialog = shown.last().unwrap();
        let mut own = own_lines(&date);
        own.push(t(
            "dialog-hash",
            &[
                ("algorithm", "SHA-256"),
                (
                    "fingerprint",
                    &format!("{}…{}", &hex[..8], &hex[hex.len() - 8..]),
                ),
            ],
        ));
        own.push(t("dialog-blind", &[]));
        assert_agent_lines(dialog, &own, case);
        // The page's words come after every line of the agent, marked unverified.
        let first_claim = dialog
            .iter()
            .position(|l| l.contains("chưa được kiểm chứng") || l.starts_with("…"))
            .unwrap_or_else(|| panic!("{case}: the page's text is shown, marked: {dialog:?}"));
        for line in &own {
            let at = dialog.iter().position(|l| l == line).unwrap();
            assert!(at < first_claim, "{case}: {line:?} after the page's text");
        }
    }
}

/// A dossier whose fields are long, padded, full of marks or line breaks, and an envelope
/// listing many embedded files.
fn hostile_dossiers() -> Vec<(&'static str, String)> {
    let form = |unit: &str, period: &str, extra: &str| {
        format!(
            "<BHXHDienTu><ThongTinDonVi><TenDoiTuong>{unit}</TenDoiTuong><MaSoThue>{MST}</MaSoThue>\
             <MaSoBHXH>TA1234A</MaSoBHXH></ThongTinDonVi><HoSoKeKhai><MaThuTuc>600</MaThuTuc>\
             <KyKeKhai>{period}</KyKeKhai>{extra}</HoSoKeKhai><CKy_Dvi/></BHXHDienTu>"
        )
    };
    let files: String = (0..300)
        .map(|i| {
            format!(
                "<FileHoSo><TenFile>tep-dinh-kem-{i:03}-{}.pdf</TenFile><NoiDungFile>QUJD</NoiDungFile></FileHoSo>",
                "x".repeat(40)
            )
        })
        .collect();
    vec![
        (
            "long fields",
            form(&"Đ".repeat(5000), &"1".repeat(5000), ""),
        ),
        (
            "padded fields",
            form(
                &format!("A{}Người ký: CÔNG TY KHÁC", padding(3000)),
                &format!("11/2026&#10;Người ký: CÔNG TY KHÁC{}", padding(500)),
                "",
            ),
        ),
        (
            "combining marks and wide characters",
            form(
                &format!("A{}", "\u{0301}".repeat(4000)),
                &"\u{FDFD}".repeat(2000),
                "",
            ),
        ),
        ("many embedded files", form("CÔNG TY A", "11/2026", &files)),
    ]
}

#[test]
fn a_dossiers_own_text_cannot_crowd_out_the_agents_lines() {
    let f = Fixture::new("an-sinh");
    for (case, xml) in hostile_dossiers() {
        one_wrong_pin(&f);
        let mut host = Host::start(&f, &[]);
        let date = expiry(&mut host, &f);
        let reply = host.request(
            "x",
            "sign-xml",
            PORTAL,
            json!({"certificate": f.cert_id("an-sinh"), "xml": b64(&xml),
                   "document": {"title": "T".repeat(200), "description": "D".repeat(200)}}),
        );
        assert_eq!(reply["ok"], true, "{case}: {reply}");
        let dialog = dialogs(&f).pop().unwrap();
        assert_agent_lines(&dialog, &own_lines(&date), case);
    }
}

#[test]
fn a_batch_of_many_documents_keeps_the_agents_lines_and_its_count() {
    let f = Fixture::new("an-sinh");
    one_wrong_pin(&f);
    let mut host = Host::start(&f, &[]);
    let date = expiry(&mut host, &f);
    let documents: Vec<Value> = (0..limits::MAX_BATCH_DOCUMENTS)
        .map(|i| {
            let xml = format!(
                "<TK1-TS><ThongTinChung><MaThuTuc>{}-{i}</MaThuTuc><TenDoiTuong>{}</TenDoiTuong>\
                 <MaSoThue>{MST}</MaSoThue></ThongTinChung><Cky/></TK1-TS>",
                "M".repeat(150),
                "Đ".repeat(300)
            );
            json!({"name": format!("{}{i}.xml", "ho-so-\u{2800}".repeat(30)), "xml": b64(xml)})
        })
        .collect();
    let reply = host.request(
        "b",
        "sign-xml",
        OWN,
        json!({"certificate": f.cert_id("an-sinh"), "documents": documents}),
    );
    assert_eq!(reply["ok"], true, "{reply}");
    assert!(
        reply["result"]["documents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["ok"] == true),
        "{reply}"
    );
    let dialog = dialogs(&f).pop().unwrap();
    let mut own = own_lines(&date);
    own[0] = t(
        "dialog-local",
        &[("program", &t("dialog-requester-extension", &[]))],
    );
    own.push(t(
        "dialog-batch",
        &[("count", &limits::MAX_BATCH_DOCUMENTS.to_string())],
    ));
    assert_agent_lines(&dialog, &own, "batch");
    assert!(
        dialog.last().unwrap().starts_with("…"),
        "what did not fit is counted: {dialog:?}"
    );
}
