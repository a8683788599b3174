//! Bad drivers, pulled tokens, PIN pads and PIN locking, against the real `vss-agent` binary
//! spoken to as Chrome speaks to it. The misbehaving driver is tests/faulty-pkcs11, a real
//! PKCS#11 module wrapping a second copy of SoftHSM2 (its own tokens: unit Bảo Minh), loaded
//! beside the plain SoftHSM2 module (unit An Sinh). The faulty driver prints to stdout and stderr
//! in every call, so every frame read here also proves the channel stays clean.

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use vss_testkit::faulty::{self, Control};
use vss_testkit::fixture::Fixture;
use vss_testkit::native_host::NativeHost as Host;

const CALLER: &str = "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp/";
const POPUP: &str = "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp";
const PORTAL: &str = "https://gddt.baohiemxahoi.gov.vn";

/// Two drivers: the faulty one first (a hang there must not block the second), then SoftHSM2.
struct Setup {
    plain: Fixture,
    faulty_tokens: Fixture,
    control: Control,
}

impl Setup {
    fn new(settings: &str) -> Setup {
        let plain = Fixture::new("an-sinh");
        let faulty_tokens = Fixture::new("bao-minh");
        let control = Control::new(&plain.dir, "");
        let setup = Setup {
            plain,
            faulty_tokens,
            control,
        };
        setup.set(settings);
        setup
    }

    /// The faulty driver's settings; it always prints and wraps its own SoftHSM2 copy.
    fn set(&self, settings: &str) {
        self.control.set(&format!(
            "target={}\nsofthsm_conf={}\nprint=1\n{settings}\n",
            faulty::softhsm_copy().display(),
            self.faulty_tokens.dir.join("softhsm2.conf").display()
        ));
    }

    fn config(&self, toml: &str) {
        self.plain.write_config(toml);
    }

    fn host(&self, env: &[(&str, &str)]) -> Host {
        let modules = format!(
            "{}:{}",
            faulty::module().display(),
            vss_testkit::SOFTHSM_MODULE
        );
        let (key, value) = self.control.env();
        let mut command = self.plain.command("vss-agent");
        command
            .arg(CALLER)
            .env("VSS_PKCS11_MODULE", modules)
            .env(key, value)
            .envs(env.iter().copied());
        Host::spawn(command)
    }

    /// A certificate on the faulty driver's token, and one on the plain SoftHSM2 token.
    fn faulty_cert(&self) -> String {
        self.faulty_tokens.cert_id("bao-minh")
    }

    fn plain_cert(&self) -> String {
        self.plain.cert_id("an-sinh")
    }

    fn vss(&self, args: &[&str]) -> (bool, String) {
        let modules = format!(
            "{}:{}",
            faulty::module().display(),
            vss_testkit::SOFTHSM_MODULE
        );
        let (key, value) = self.control.env();
        let out = self
            .plain
            .command("vss")
            .env("VSS_PKCS11_MODULE", modules)
            .env(key, value)
            .args(args)
            .output()
            .expect("vss runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }
}

/// A blind signature from the portal with `certificate`.
fn sign(host: &mut Host, id: &str, certificate: &str) -> Value {
    host.request(
        id,
        "sign-hash",
        PORTAL,
        json!({"certificate": certificate, "hash": b64_hash(id.as_bytes()), "hash_algorithm": "SHA-256"}),
    )
}

fn code(reply: &Value) -> &str {
    reply["error"]["code"].as_str().unwrap_or("<ok>")
}

fn message(reply: &Value) -> String {
    format!(
        "{} {}",
        reply["error"]["message"].as_str().unwrap_or(""),
        reply["error"]["hint"].as_str().unwrap_or("")
    )
}

fn b64_hash(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(data))
}

fn faulty_module_status(status: &Value) -> Value {
    status["result"]["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .find(|m| {
            m["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("libfaulty-pkcs11.so"))
        })
        .cloned()
        .unwrap_or_else(|| panic!("faulty module in {status}"))
}

#[test]
fn a_driver_hung_in_c_sign_costs_one_answer_and_the_other_token_still_signs() {
    let s = Setup::new("hang=C_Sign\nhang_ms=forever");
    s.config("driver_sign_timeout_seconds = 1\n");
    let mut host = s.host(&[]);

    let started = Instant::now();
    let reply = sign(&mut host, "hung", &s.faulty_cert());
    let waited = started.elapsed();
    assert_eq!(code(&reply), "driver_unresponsive", "{reply}");
    assert!(waited < Duration::from_secs(5), "answered after {waited:?}");
    let text = message(&reply);
    for expected in [
        "libfaulty-pkcs11.so",
        "không phản hồi",
        "C_Sign",
        "rút token ra, cắm lại",
        "cài lại driver",
        "khởi động lại máy tính",
    ] {
        assert!(text.contains(expected), "{expected:?} missing: {text}");
    }
    assert!(
        !text.contains("/target/"),
        "a page sees the driver's file name, not its path: {text}"
    );

    // The same process serves the next requests, and the other driver's token signs.
    assert_eq!(host.request("v", "version", PORTAL, json!({}))["ok"], true);
    let other = sign(&mut host, "other", &s.plain_cert());
    assert_eq!(other["ok"], true, "{other}");

    // The hung driver is skipped at once (no second wait) and reported.
    let started = Instant::now();
    let again = sign(&mut host, "again", &s.faulty_cert());
    assert_eq!(code(&again), "driver_unresponsive");
    assert!(started.elapsed() < Duration::from_millis(900));
    let list = host.request("l", "list-certificates", PORTAL, json!({}));
    assert_eq!(list["ok"], true, "{list}");
    let status = host.request("s", "status", POPUP, json!({}));
    let module = faulty_module_status(&status);
    assert_eq!(module["unresponsive"], true, "{module}");
    assert_eq!(module["error_code"], "driver_unresponsive");
    let web = host.request("w", "status", PORTAL, json!({}));
    assert!(web.to_string().contains("driver_unresponsive"), "{web}");
}

#[test]
fn a_driver_hung_in_c_login_answers_driver_unresponsive_naming_c_login() {
    let s = Setup::new("hang=C_Login\nhang_ms=forever");
    s.config("driver_sign_timeout_seconds = 1\n");
    let mut host = s.host(&[]);
    let reply = sign(&mut host, "login", &s.faulty_cert());
    assert_eq!(code(&reply), "driver_unresponsive", "{reply}");
    assert_eq!(reply["error"]["details"]["function"], "C_Login");
    assert_eq!(reply["error"]["details"]["driver"], "libfaulty-pkcs11.so");
    assert_eq!(sign(&mut host, "p", &s.plain_cert())["ok"], true);
}

#[test]
fn a_driver_hung_in_c_initialize_or_c_getslotlist_does_not_hide_the_other_driver() {
    for function in ["C_Initialize", "C_GetSlotList"] {
        let s = Setup::new(&format!("hang={function}\nhang_ms=forever"));
        s.config("driver_timeout_seconds = 1\n");
        let mut host = s.host(&[]);
        let started = Instant::now();
        let list = host.request("l", "list-certificates", PORTAL, json!({}));
        assert_eq!(list["ok"], true, "{function}: {list}");
        assert!(started.elapsed() < Duration::from_secs(5));
        let ids = list.to_string();
        assert!(ids.contains(&s.plain_cert()), "{function}: {list}");
        // The next request does not wait for the hung driver again.
        let started = Instant::now();
        let reply = sign(&mut host, "f", &s.faulty_cert());
        assert_eq!(code(&reply), "driver_unresponsive", "{function}: {reply}");
        assert!(message(&reply).contains(function), "{reply}");
        assert!(started.elapsed() < Duration::from_millis(900), "{function}");
        assert_eq!(
            sign(&mut host, "p", &s.plain_cert())["ok"],
            true,
            "{function}"
        );
        drop(host);
        // `vss doctor` meets the same hang and names the driver and the function.
        s.set(&format!("hang={function}\nhang_ms=forever\nprint=0"));
        let (ok, stdout) = s.vss(&["doctor", "--json"]);
        assert!(!ok, "{stdout}");
        let report: Value = serde_json::from_str(stdout.lines().last().unwrap_or("")).unwrap();
        let named = report["checks"].as_array().unwrap().iter().any(|c| {
            c["check"] == "driver"
                && c["status"] == "fail"
                && c["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("libfaulty-pkcs11.so") && m.contains(function))
        });
        assert!(named, "{function}: {report}");
    }
}

#[test]
fn a_driver_that_comes_back_after_a_long_call_is_used_again() {
    let s = Setup::new("hang=C_GetSlotList\nhang_ms=2500");
    s.config("driver_timeout_seconds = 1\n");
    let mut host = s.host(&[]);
    let status = host.request("s1", "status", POPUP, json!({}));
    assert_eq!(faulty_module_status(&status)["unresponsive"], true);
    s.set("");
    std::thread::sleep(Duration::from_millis(2500));
    let reply = sign(&mut host, "back", &s.faulty_cert());
    assert_eq!(reply["ok"], true, "{reply}");
    let status = host.request("s2", "status", POPUP, json!({}));
    assert!(faulty_module_status(&status)["unresponsive"].is_null());
}

#[test]
fn a_driver_hung_in_c_finalize_does_not_keep_the_agent_alive() {
    let s = Setup::new("hang=C_Finalize\nhang_ms=forever");
    let mut host = s.host(&[]);
    assert_eq!(sign(&mut host, "x", &s.plain_cert())["ok"], true);
    let status = host
        .close_and_wait(Duration::from_secs(8))
        .expect("the agent exits although C_Finalize never returns");
    assert!(status.success());
}

#[test]
fn a_driver_that_crashes_costs_the_request_in_flight_and_doctor_names_it() {
    let s = Setup::new("crash=C_Sign");
    let mut host = s.host(&[]);
    assert_eq!(host.request("v", "version", PORTAL, json!({}))["ok"], true);
    assert_eq!(
        host.request("l", "list-certificates", PORTAL, json!({}))["ok"],
        true
    );
    host.send(&json!({"id": "boom", "command": "sign-hash", "origin": PORTAL,
        "arguments": {"certificate": s.faulty_cert(), "hash": b64_hash(b"x"), "hash_algorithm": "SHA-256"}}));
    assert!(
        host.try_read().is_none(),
        "the agent died with the driver: no reply, no garbage"
    );
    let status = host.child.wait().unwrap();
    assert!(!status.success(), "{status:?}");
    drop(host);

    // The extension reconnects: a new agent serves the next request.
    s.set("");
    let mut host = s.host(&[]);
    assert_eq!(sign(&mut host, "next", &s.faulty_cert())["ok"], true);
    let status = host.request("s", "status", POPUP, json!({}));
    let crashes = status["result"]["driver_crashes"].to_string();
    assert!(
        crashes.contains("libfaulty-pkcs11.so") && crashes.contains("C_Sign"),
        "{status}"
    );
    drop(host);

    // `vss --json` itself does not shield its stdout from a printing driver (the agent does).
    s.set("print=0");
    let (_, stdout) = s.vss(&["doctor", "--json"]);
    let report: Value = serde_json::from_str(stdout.lines().last().unwrap_or("")).expect("JSON");
    let driver = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "driver")
        .unwrap_or_else(|| panic!("a driver check in {report}"))
        .clone();
    assert_eq!(driver["status"], "warn");
    let text = driver["message"].as_str().unwrap();
    assert!(
        text.contains(faulty::module().to_str().unwrap())
            && text.contains("C_Sign")
            && text.contains("dừng đột ngột"),
        "{text}"
    );
    assert!(driver["hint"].as_str().unwrap().contains("cài lại driver"));
}

#[test]
fn a_token_pulled_or_failing_in_a_call_gets_a_stable_code() {
    let s = Setup::new("");
    for (settings, expected) in [
        ("fail=C_Sign\nfail_rv=CKR_DEVICE_REMOVED", "token_removed"),
        (
            "fail=C_Sign\nfail_rv=CKR_TOKEN_NOT_PRESENT",
            "token_removed",
        ),
        ("fail=C_Sign\nfail_rv=CKR_DEVICE_ERROR", "token_removed"),
        ("fail=C_Sign\nfail_rv=CKR_FUNCTION_FAILED", "internal"),
        ("fail=C_Login\nfail_rv=CKR_PIN_LOCKED", "pin_locked"),
        // The certificates were read (first session); the signing session finds no token.
        (
            "fail=C_OpenSession\nfail_after=1\nfail_rv=CKR_TOKEN_NOT_RECOGNIZED",
            "token_removed",
        ),
        (
            "fail=C_GetTokenInfo\nfail_rv=CKR_TOKEN_NOT_RECOGNIZED",
            "certificate_not_found",
        ),
    ] {
        s.set(settings);
        let mut host = s.host(&[]);
        let reply = sign(&mut host, "f", &s.faulty_cert());
        assert_eq!(code(&reply), expected, "{settings}: {reply}");
        if expected == "token_removed" {
            assert!(message(&reply).contains("rút ra"), "{reply}");
        }
        assert_eq!(
            sign(&mut host, "p", &s.plain_cert())["ok"],
            true,
            "{settings}"
        );
    }
}

#[test]
fn wrong_pins_walk_through_count_low_final_try_and_locked_as_a_real_token_reports_them() {
    let s = Setup::new("pin_tries=3");
    // One wrong PIN, then the right one: the count starts again.
    let mut host = s.host(&[("VSS_TEST_PIN", "000000")]);
    assert_eq!(
        code(&sign(&mut host, "w0", &s.faulty_cert())),
        "pin_incorrect"
    );
    drop(host);
    let mut host = s.host(&[]);
    assert_eq!(sign(&mut host, "ok", &s.faulty_cert())["ok"], true);
    drop(host);
    std::fs::remove_file(s.plain.dialog_log()).unwrap();

    let mut host = s.host(&[("VSS_TEST_PIN", "000000")]);
    let first = sign(&mut host, "w1", &s.faulty_cert());
    assert_eq!(code(&first), "pin_incorrect", "{first}");
    assert_eq!(first["error"]["details"]["count_low"], true);
    assert_eq!(first["error"]["details"]["final_try"], false);
    assert_eq!(
        first["error"]["message"],
        "Mã PIN không đúng. Số lần thử còn lại ít."
    );
    let status = host.request("s", "status", POPUP, json!({}));
    assert!(
        status.to_string().contains("\"count_low\":true"),
        "{status}"
    );

    let second = sign(&mut host, "w2", &s.faulty_cert());
    assert_eq!(code(&second), "pin_incorrect");
    assert_eq!(second["error"]["details"]["final_try"], true);
    assert!(
        message(&second).contains("Chỉ còn MỘT lần thử: nhập sai lần nữa token sẽ bị khóa."),
        "{second}"
    );
    let third = sign(&mut host, "w3", &s.faulty_cert());
    assert_eq!(code(&third), "pin_locked", "{third}");
    assert!(message(&third).contains("PUK"), "{third}");

    let dialogs = s.plain.dialogs();
    let shown: Vec<&str> = dialogs.split("----\n").filter(|d| !d.is_empty()).collect();
    assert_eq!(shown.len(), 3, "{dialogs}");
    assert!(!shown[0].contains("Cảnh báo"), "{}", shown[0]);
    assert!(
        shown[1].contains("Cảnh báo: đã có lần nhập sai PIN"),
        "{}",
        shown[1]
    );
    assert!(
        shown[2].contains("Cảnh báo: đây là lần thử CUỐI CÙNG"),
        "{}",
        shown[2]
    );

    // Locked: refused before any dialog, in this process and in the next (the token keeps it).
    assert_eq!(code(&sign(&mut host, "w4", &s.faulty_cert())), "pin_locked");
    drop(host);
    let mut host = s.host(&[]);
    assert_eq!(code(&sign(&mut host, "w5", &s.faulty_cert())), "pin_locked");
    assert_eq!(s.plain.dialogs(), dialogs, "no dialog for a locked token");
    let status = host.request("s", "status", POPUP, json!({}));
    assert!(status.to_string().contains("\"locked\":true"), "{status}");
    assert_eq!(sign(&mut host, "p", &s.plain_cert())["ok"], true);
}

#[test]
fn a_pin_pad_token_confirms_in_the_dialog_and_takes_the_pin_on_the_reader() {
    // The user takes longer on the keypad than a typed-PIN login may take: a PIN pad's
    // C_Login has its own, longer limit.
    let s = Setup::new(&format!(
        "pinpad=1\npinpad_wait_ms=1500\npinpad_result=ok\npinpad_pin={}",
        vss_testkit::USER_PIN
    ));
    s.config("driver_sign_timeout_seconds = 1\n");
    // The pinentry would answer a wrong PIN if it were asked for one.
    let mut host = s.host(&[("VSS_TEST_PIN", "000000")]);
    let signed = sign(&mut host, "pad", &s.faulty_cert());
    assert_eq!(signed["ok"], true, "{signed}");
    let dialogs = s.plain.dialogs();
    assert!(dialogs.contains("COMMAND CONFIRM"), "{dialogs}");
    assert!(!dialogs.contains("GETPIN"), "no PIN field: {dialogs}");
    assert!(
        dialogs.contains("Hãy nhập mã PIN trên bàn phím của token"),
        "{dialogs}"
    );
    let status = host.request("s", "status", POPUP, json!({}));
    assert!(
        status.to_string().contains("\"protected_auth_path\":true"),
        "{status}"
    );

    s.set("pinpad=1\npinpad_wait_ms=100\npinpad_result=cancel");
    let cancelled = sign(&mut host, "cancel", &s.faulty_cert());
    assert_eq!(code(&cancelled), "user_cancelled", "{cancelled}");
    s.set("pinpad=1\npinpad_result=incorrect");
    assert_eq!(
        code(&sign(&mut host, "bad", &s.faulty_cert())),
        "pin_incorrect"
    );
}

#[test]
fn a_slow_driver_is_waited_for_within_its_limits() {
    let s = Setup::new("slow_ms=150");
    let mut host = s.host(&[]);
    let started = Instant::now();
    let reply = sign(&mut host, "slow", &s.faulty_cert());
    assert_eq!(reply["ok"], true, "{reply}");
    assert!(started.elapsed() >= Duration::from_millis(150 * 5));
}
