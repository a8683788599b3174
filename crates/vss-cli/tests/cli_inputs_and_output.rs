//! Issue 17 items 2 and 5 through the real `vss` binary on real files: what is signed is what
//! was shown (each input read once, only regular files, the size cap applied while reading),
//! and the output cannot lie (file names and every outside string escaped, names that are not
//! UTF-8 shown lossily, no panic, no forged line, no repainted verdict).

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use vss_testkit::fixture::{repo_root, Fixture};

/// TK1-TS rewritten for the test unit (MST 0312345678-001).
fn our_tk1(dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let text = std::fs::read_to_string(repo_root().join("tests/xml-corpus/tk1-ts.xml")).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text.replace("0101234567", "0312345678-001")).unwrap();
    path
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `vss` with `args` (OS strings: names need not be UTF-8) and a deadline: a hang on a
/// FIFO is a failure, not a stuck test.
fn vss(f: &Fixture, args: &[OsString], env: &[(&str, &str)]) -> Run {
    let mut child = f
        .command("vss")
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("vss {args:?} did not finish (blocked on its input?)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect()
}

/// Nothing that could repaint, reorder or add a line: no control but the line end, no bidi
/// control, no line or paragraph separator, no NEL.
fn assert_clean(text: &str, what: &str) {
    for c in text.chars() {
        assert!(
            c == '\n' || !(c.is_control() || vss_protocol::display::is_hidden(c)),
            "{what}: U+{:04X} reached the terminal in {text:?}",
            c as u32
        );
        assert!(
            !matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}'),
            "{what}: a line separator reached the terminal in {text:?}"
        );
    }
}

/// The special inputs a user (or a script fed by a page) might name instead of a dossier.
fn special_inputs(dir: &Path) -> Vec<(&'static str, PathBuf, &'static str)> {
    let fifo = dir.join("pipe.xml");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let folder = dir.join("folder.xml");
    std::fs::create_dir_all(&folder).unwrap();
    let socket = dir.join("socket.xml");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::mem::forget(listener); // kept bound for the test's life
    let zero_link = dir.join("zero.xml");
    std::os::unix::fs::symlink("/dev/zero", &zero_link).unwrap();
    vec![
        ("a FIFO nobody writes", fifo, "FIFO"),
        ("/dev/zero", PathBuf::from("/dev/zero"), "thiết bị"),
        ("/dev/null", PathBuf::from("/dev/null"), "thiết bị"),
        ("a directory", folder, "thư mục"),
        ("a socket", socket, "socket"),
        ("a symlink to /dev/zero", zero_link, "thiết bị"),
    ]
}

#[test]
fn special_files_are_refused_by_every_command_without_blocking_or_reading_them() {
    let f = Fixture::new("an-sinh");
    let dir = f.dir.join("special");
    std::fs::create_dir_all(&dir).unwrap();
    let out = f.dir.join("out");
    let cert = f.cert_id("an-sinh");
    for (what, path, kind_vi) in special_inputs(&dir) {
        let p = path.to_str().unwrap();
        let started = Instant::now();
        for args in [
            vec![
                "sign-xml",
                "--json",
                "--cert",
                &cert,
                "--out-dir",
                out.to_str().unwrap(),
                p,
            ],
            vec!["verify-xml", "--json", p],
        ] {
            let run = vss(&f, &os(&args), &[]);
            assert_eq!(
                run.code,
                Some(1),
                "{what} {args:?}: {}{}",
                run.stdout,
                run.stderr
            );
            let line = &json_lines(&run.stdout)[0];
            assert_eq!(line["ok"], false, "{what}");
            assert_eq!(line["error"]["code"], "file_not_regular", "{what}: {line}");
            let message = line["error"]["message"].as_str().unwrap();
            assert!(message.contains(kind_vi), "{what}: {message}");
            assert!(!line["error"]["hint"].as_str().unwrap().is_empty());
        }
        // Text, in English: the message says what the path is, and the hint what to do.
        let run = vss(&f, &os(&["--lang", "en", "c14n", p]), &[]);
        assert_eq!(run.code, Some(1), "{what}");
        assert!(
            run.stderr.contains("is not a regular file"),
            "{what}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("saved on disk"),
            "{what}: {}",
            run.stderr
        );
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{what}: refused without reading it"
        );
    }
    assert_eq!(f.dialogs(), "", "no dialog for a refused input");
    assert!(
        !out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(),
        "nothing written"
    );
}

#[test]
fn a_fifo_with_a_writer_is_refused_too_and_the_rest_of_the_batch_is_signed() {
    let f = Fixture::new("an-sinh");
    let dir = f.dir.join("in");
    let good = our_tk1(&dir, "tk1-ts.xml");
    let fifo = dir.join("served.xml");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    // A writer that serves one dossier on the first open and another on the second.
    let first = std::fs::read(&good).unwrap();
    let second = String::from_utf8(first.clone())
        .unwrap()
        .replace("11/2026", "12/2099")
        .into_bytes();
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut served = 0;
        for content in [first, second] {
            // Open without blocking forever: retry until a reader is there or time is up.
            loop {
                let opened = std::fs::OpenOptions::new()
                    .write(true)
                    .custom_flags_nonblock()
                    .open(&writer_path);
                match opened {
                    Ok(mut pipe) => {
                        let _ = std::io::Write::write_all(&mut pipe, &content);
                        served += 1;
                        break;
                    }
                    Err(_) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(10))
                    }
                    Err(_) => return served,
                }
            }
        }
        served
    });
    let out = f.dir.join("out");
    let run = vss(
        &f,
        &[
            "sign-xml".into(),
            "--json".into(),
            "--cert".into(),
            f.cert_id("an-sinh").into(),
            "--out-dir".into(),
            out.clone().into(),
            fifo.clone().into(),
            good.clone().into(),
        ],
        &[],
    );
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let lines = json_lines(&run.stdout);
    let by_name = |name: &str| {
        lines
            .iter()
            .find(|l| l["file"].as_str().unwrap().ends_with(name))
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("served.xml")["error"]["code"], "file_not_regular");
    assert_eq!(by_name("tk1-ts.xml")["ok"], true);
    assert!(!out.join("served.xml").exists());
    // The FIFO was never opened for reading: whatever the writer had ready was not taken.
    drop(writer); // it gives up on its own once nobody reads
    let dialogs = f.dialogs();
    assert_eq!(dialogs.matches("----").count(), 1);
    assert!(!dialogs.contains("served.xml"), "{dialogs}");
    assert!(!dialogs.contains("12/2099"), "{dialogs}");
}

/// `OpenOptions::custom_flags(O_NONBLOCK)` for the FIFO writer above.
trait NonBlock {
    fn custom_flags_nonblock(&mut self) -> &mut Self;
}

impl NonBlock for std::fs::OpenOptions {
    fn custom_flags_nonblock(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK on Linux: open fails with ENXIO while no reader has the FIFO open.
        self.custom_flags(0o4000)
    }
}

#[test]
fn a_file_over_the_cap_is_refused_without_being_read_whole() {
    let f = Fixture::new("an-sinh");
    let big = f.dir.join("big.xml");
    let file = std::fs::File::create(&big).unwrap();
    // Sparse: one byte over the cap costs no disk, and reading it whole would take a while.
    file.set_len(vss_protocol::limits::XML_MAX_BYTES as u64 + 1)
        .unwrap();
    let out = f.dir.join("out");
    let cert = f.cert_id("an-sinh");
    let started = Instant::now();
    for args in [
        vec![
            "sign-xml",
            "--json",
            "--cert",
            &cert,
            "--out-dir",
            out.to_str().unwrap(),
            big.to_str().unwrap(),
        ],
        vec!["verify-xml", "--json", big.to_str().unwrap()],
    ] {
        let run = vss(&f, &os(&args), &[]);
        assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
        let line = &json_lines(&run.stdout)[0];
        assert_eq!(line["error"]["code"], "file_too_large", "{line}");
        assert!(line["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&vss_protocol::limits::XML_MAX_BYTES.to_string()));
    }
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(f.dialogs(), "");
}

#[test]
fn the_file_replaced_while_the_dialog_is_open_is_signed_as_it_was_shown() {
    let f = Fixture::new("an-sinh");
    let ca = PathBuf::from(f.manifest["ca_pem"].as_str().unwrap());
    // Three ways to swap the content under the same name while the PIN dialog is open.
    for (way, hook) in [
        ("rewritten in place", "cat \"$EVIL\" > \"$TARGET\""),
        (
            "renamed over",
            "cp \"$EVIL\" \"$TARGET.new\" && mv -f \"$TARGET.new\" \"$TARGET\"",
        ),
        ("symlink retargeted", "ln -sfn \"$EVIL\" \"$TARGET\""),
    ] {
        let dir = f.dir.join(way.replace(' ', "-"));
        let shown = our_tk1(&dir, "shown.xml");
        let evil = dir.join("evil.xml");
        let evil_text = std::fs::read_to_string(&shown)
            .unwrap()
            .replace("11/2026", "12/2099")
            .replace("Nguyễn Thị Hồng Nhung", "Người Khác Hẳn");
        std::fs::write(&evil, &evil_text).unwrap();
        let target = if way == "symlink retargeted" {
            let link = dir.join("link.xml");
            std::os::unix::fs::symlink(&shown, &link).unwrap();
            link
        } else {
            shown.clone()
        };
        let output = dir.join("signed.xml");
        let before = f.dialogs().matches("----").count();
        let run = vss(
            &f,
            &[
                "sign-xml".into(),
                "--cert".into(),
                f.cert_id("an-sinh").into(),
                "-o".into(),
                output.clone().into(),
                target.clone().into(),
            ],
            &[
                ("VSS_TEST_PINENTRY_HOOK", hook),
                ("EVIL", evil.to_str().unwrap()),
                ("TARGET", target.to_str().unwrap()),
            ],
        );
        assert_eq!(run.code, Some(0), "{way}: {}{}", run.stdout, run.stderr);
        let dialogs = f.dialogs();
        assert_eq!(dialogs.matches("----").count(), before + 1, "{way}");
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            evil_text,
            "{way}: the hook did swap the content"
        );
        let signed = std::fs::read_to_string(&output).unwrap();
        assert!(
            signed.contains("11/2026") && signed.contains("Nguyễn Thị Hồng Nhung"),
            "{way}"
        );
        assert!(
            !signed.contains("12/2099") && !signed.contains("Người Khác Hẳn"),
            "{way}"
        );
        let xmlsec = Command::new("xmlsec1")
            .args(["--verify", "--trusted-pem"])
            .arg(&ca)
            .arg(&output)
            .output()
            .unwrap();
        assert!(
            xmlsec.status.success(),
            "{way}: xmlsec1 accepts what was shown"
        );
    }
}

/// File names that try to forge lines, repaint them or reorder them, and one that is not UTF-8.
fn evil_names() -> Vec<(&'static str, OsString)> {
    vec![
        (
            "ANSI",
            "a\u{1b}[2K\u{1b}[1A\u{1b}[32mVALID\u{1b}[0m.xml".into(),
        ),
        ("CR", "b\rĐÃ KÝ: ok.xml".into()),
        ("BEL", "c\u{7}\u{8}.xml".into()),
        ("bidi override", "d\u{202e}lmx.exe".into()),
        ("C1 CSI", "e\u{9b}2K\u{85}.xml".into()),
        ("newline", "f.xml\nĐÃ KÝ: f.xml → f-signed.xml".into()),
        ("line separator", "g\u{2028}VALID.xml".into()),
        (
            "not UTF-8",
            OsString::from_vec(b"h-\xff\xfe-t\xeap.xml".to_vec()),
        ),
    ]
}

#[test]
fn file_names_cannot_forge_or_repaint_lines_and_need_not_be_utf8() {
    let f = Fixture::new("an-sinh");
    let dir = f.dir.join("in");
    let template = our_tk1(&f.dir.join("tpl"), "tk1.xml");
    let names = evil_names();
    let inputs: Vec<PathBuf> = names
        .iter()
        .map(|(_, name)| {
            let path = dir.join(name);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::copy(&template, &path).unwrap();
            path
        })
        .collect();
    let out = f.dir.join("out");
    for json in [false, true] {
        let _ = std::fs::remove_dir_all(&out);
        let mut args: Vec<OsString> = vec![
            "sign-xml".into(),
            "--cert".into(),
            f.cert_id("an-sinh").into(),
        ];
        if json {
            args.push("--json".into());
        }
        args.extend(["--out-dir".into(), out.clone().into_os_string()]);
        args.extend(inputs.iter().map(|p| p.clone().into_os_string()));
        let run = vss(&f, &args, &[]);
        assert_eq!(
            run.code,
            Some(0),
            "json={json}: {}{}",
            run.stdout,
            run.stderr
        );
        assert_clean(&run.stdout, "sign-xml stdout");
        assert_clean(&run.stderr, "sign-xml stderr");
        if json {
            let lines = json_lines(&run.stdout);
            assert_eq!(lines.len(), names.len());
            for (line, input) in lines.iter().zip(&inputs) {
                assert_eq!(line["ok"], true, "{line}");
                assert_eq!(
                    line["file"],
                    input.to_string_lossy().as_ref(),
                    "exact or lossy"
                );
            }
        } else {
            // One line per file and the summary: a name cannot add a line.
            assert_eq!(
                run.stdout.lines().count(),
                names.len() + 1,
                "{}",
                run.stdout
            );
            assert!(run.stdout.contains("\\u{1b}[2K"), "{}", run.stdout);
            assert!(run.stdout.contains("\\u{202e}lmx.exe"), "{}", run.stdout);
            assert!(
                run.stdout.contains("h-\u{FFFD}\u{FFFD}-t\u{FFFD}p.xml"),
                "lossy"
            );
        }
        for input in &inputs {
            assert!(out.join(input.file_name().unwrap()).exists(), "{input:?}");
        }
    }

    // verify-xml on the signed files, text and JSON: nothing hidden, one verdict line each.
    let signed: Vec<OsString> = inputs
        .iter()
        .map(|p| out.join(p.file_name().unwrap()).into_os_string())
        .collect();
    for json in [false, true] {
        let mut args: Vec<OsString> = vec!["verify-xml".into()];
        if json {
            args.push("--json".into());
        }
        args.extend(signed.iter().cloned());
        let run = vss(&f, &args, &[]);
        assert_eq!(
            run.code,
            Some(0),
            "json={json}: {}{}",
            run.stdout,
            run.stderr
        );
        assert_clean(&run.stdout, "verify-xml stdout");
        if json {
            let lines = json_lines(&run.stdout);
            assert_eq!(lines.len(), names.len());
            assert!(lines.iter().all(|l| l["ok"] == true));
        } else {
            let verdicts = run
                .stdout
                .lines()
                .filter(|l| l.starts_with("HỢP LỆ") || l.starts_with("KHÔNG HỢP LỆ"))
                .count();
            assert_eq!(verdicts, names.len(), "{}", run.stdout);
        }
    }
}

#[test]
fn text_from_inside_a_file_cannot_repaint_an_invalid_verdict() {
    let f = Fixture::new("an-sinh");
    let input = our_tk1(&f.dir.join("in"), "tk1.xml");
    let signed = f.dir.join("signed.xml");
    let run = vss(
        &f,
        &[
            "sign-xml".into(),
            "--cert".into(),
            f.cert_id("an-sinh").into(),
            "-o".into(),
            signed.clone().into(),
            input.into(),
        ],
        &[],
    );
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let text = std::fs::read_to_string(&signed).unwrap();
    // The attacker changes the content and points the reference at an ID whose value (legal
    // XML: character references) would, printed raw, end the line and print a valid verdict.
    let forged_line =
        "&#13;&#10;HỢP LỆ: signed.xml&#10;  ✓ URI=&quot;&quot; — &#x202E;&#x85;&#x2028;";
    let tampered = text.replacen("11/2026", "12/2099", 1).replacen(
        "URI=\"\"",
        &format!("URI=\"#x{forged_line}\""),
        1,
    );
    assert_ne!(tampered, text);
    let bad = f.dir.join("bad.xml");
    std::fs::write(&bad, tampered).unwrap();
    for lang in ["vi", "en"] {
        let run = vss(
            &f,
            &os(&["--lang", lang, "verify-xml", bad.to_str().unwrap()]),
            &[],
        );
        assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
        assert_clean(&run.stdout, "verify-xml");
        let first = run.stdout.lines().next().unwrap();
        assert!(
            first.starts_with("KHÔNG HỢP LỆ") || first.starts_with("NOT VALID"),
            "{first}"
        );
        let valid_lines = run
            .stdout
            .lines()
            .filter(|l| l.starts_with("HỢP LỆ") || l.starts_with("VALID"))
            .count();
        assert_eq!(valid_lines, 0, "no forged verdict line:\n{}", run.stdout);
        // The finding is in the user's language, the document's text escaped inside it.
        let expect = if lang == "vi" {
            "không có phần tử nào mang ID"
        } else {
            "no element has the ID"
        };
        assert!(run.stdout.contains(expect), "{}", run.stdout);
        assert!(run.stdout.contains("\\u{d}\\u{a}"), "{}", run.stdout);
    }
    let run = vss(
        &f,
        &os(&["verify-xml", "--json", bad.to_str().unwrap()]),
        &[],
    );
    assert_clean(&run.stdout, "verify-xml --json");
    let line = &json_lines(&run.stdout)[0];
    let reference = &line["report"]["signatures"][0]["references"][0];
    assert_eq!(reference["problem"]["code"], "id_not_found");
    assert!(reference["problem"]["args"]["id"]
        .as_str()
        .unwrap()
        .contains("\r\nHỢP LỆ"));
}

/// A key and a self-signed certificate whose CN would, printed raw, move the cursor up, wipe the
/// verdict line and print a valid, trusted one (ESC [1A, ESC [2K, CR, newline, U+202E).
fn evil_signer(dir: &Path) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
    let cn = "Evil\u{1b}[1A\u{1b}[2K\rHỢP LỆ: ok.xml\n  Chuỗi: tin cậy ✓\u{202e}\u{9b}2K";
    let out = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-utf8",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .arg("-subj")
        .arg(format!("/CN={cn}/UID=MST:0312345678-001"))
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (key, cert)
}

/// The test unit's TK1-TS signed by xmlsec1 with rsa-sha1 over a sha1 digest (a real SHA-1
/// signature, as older declaration software made them).
fn xmlsec1_sha1_signed(dir: &Path, key: &Path, cert: &Path) -> PathBuf {
    let form = std::fs::read_to_string(our_tk1(dir, "unsigned.xml")).unwrap();
    let c14n = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
    let template = format!(
        "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"sigid\"><SignedInfo>\
         <CanonicalizationMethod Algorithm=\"{c14n}\"/>\
         <SignatureMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#rsa-sha1\"/>\
         <Reference URI=\"\"><Transforms>\
         <Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>\
         <Transform Algorithm=\"{c14n}\"/></Transforms>\
         <DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"/><DigestValue/>\
         </Reference></SignedInfo><SignatureValue/><KeyInfo><X509Data><X509Certificate/>\
         </X509Data></KeyInfo></Signature>"
    );
    let (open, close) = form.split_once("<Cky>").expect("the form has <Cky>");
    let with_template = format!("{open}<Cky>{template}{close}");
    let tpl = dir.join("template.xml");
    std::fs::write(&tpl, with_template).unwrap();
    let signed = dir.join("signed-sha1.xml");
    let mut keys = key.as_os_str().to_owned();
    keys.push(",");
    keys.push(cert);
    let out = Command::new("xmlsec1")
        .args(["--sign", "--privkey-pem"])
        .arg(keys)
        .arg("--output")
        .arg(&signed)
        .arg(&tpl)
        .output()
        .expect("xmlsec1 is installed (scripts/setup.sh)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    signed
}

#[test]
fn an_xmlsec1_sha1_signature_is_weak_and_its_certificate_cannot_repaint_the_verdict() {
    let f = Fixture::new("an-sinh");
    let dir = f.dir.join("sha1");
    let (key, cert) = evil_signer(&dir);
    let signed = xmlsec1_sha1_signed(&dir, &key, &cert);
    let verdicts =
        |stdout: &str, prefix: &str| stdout.lines().filter(|l| l.starts_with(prefix)).count();

    // Valid, weak, with the warning, in both languages; the holder escaped.
    for (lang, valid, weak_word) in [("vi", "HỢP LỆ", "SHA-1"), ("en", "VALID", "SHA-1")] {
        let run = vss(
            &f,
            &os(&["--lang", lang, "verify-xml", signed.to_str().unwrap()]),
            &[],
        );
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        assert_clean(&run.stdout, "verify-xml");
        assert_eq!(
            verdicts(&run.stdout, valid),
            1,
            "one verdict line:\n{}",
            run.stdout
        );
        assert!(
            run.stdout.contains("\\u{1b}[1A"),
            "the holder, escaped:\n{}",
            run.stdout
        );
        assert!(
            run.stdout.lines().filter(|l| l.contains(weak_word)).count() >= 3,
            "{}",
            run.stdout
        );
    }
    let run = vss(
        &f,
        &os(&["verify-xml", "--json", signed.to_str().unwrap()]),
        &[],
    );
    assert_clean(&run.stdout, "verify-xml --json");
    let line = &json_lines(&run.stdout)[0];
    let report = &line["report"];
    assert_eq!(
        (line["ok"].clone(), report["weak"].clone()),
        (true.into(), true.into())
    );
    let sig = &report["signatures"][0];
    assert_eq!(sig["weak"], true);
    assert_eq!(sig["references"][0]["weak"], true);
    let codes: Vec<&str> = sig["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["weak_signature_method", "weak_digest_method"]);
    assert!(sig["certificate"]["holder"]
        .as_str()
        .unwrap()
        .starts_with("Evil"));

    // Tampered: not valid, and no line the certificate wrote can say otherwise.
    let tampered = dir.join("tampered.xml");
    let text = std::fs::read_to_string(&signed).unwrap();
    std::fs::write(&tampered, text.replacen("11/2026", "12/2099", 1)).unwrap();
    let run = vss(&f, &os(&["verify-xml", tampered.to_str().unwrap()]), &[]);
    assert_eq!(run.code, Some(1));
    assert_clean(&run.stdout, "verify-xml tampered");
    assert_eq!(verdicts(&run.stdout, "HỢP LỆ"), 0, "{}", run.stdout);
    assert_eq!(verdicts(&run.stdout, "KHÔNG HỢP LỆ"), 1, "{}", run.stdout);

    // The admin rejects SHA-1: the same file is invalid, saying why.
    let machine = f.dir.join("machine.toml");
    std::fs::write(&machine, "[verify]\nreject_sha1 = true\n").unwrap();
    let env = [("VSS_MACHINE_CONFIG", machine.to_str().unwrap())];
    let run = vss(
        &f,
        &os(&["verify-xml", "--json", signed.to_str().unwrap()]),
        &env,
    );
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    let line = &json_lines(&run.stdout)[0];
    assert_eq!(line["report"]["valid"], false);
    let problems = line["report"]["signatures"][0]["problems"]
        .as_array()
        .unwrap();
    assert!(
        problems
            .iter()
            .all(|p| p["code"] == "weak_algorithm_rejected"),
        "{problems:?}"
    );
    assert_eq!(problems.len(), 2);
    let run = vss(
        &f,
        &os(&["--lang", "en", "verify-xml", signed.to_str().unwrap()]),
        &env,
    );
    assert_eq!(verdicts(&run.stdout, "NOT VALID"), 1, "{}", run.stdout);
    assert!(run.stdout.contains("administrator"), "{}", run.stdout);
    // A user file cannot undo it.
    f.write_config("[verify]\nreject_sha1 = false\n");
    let run = vss(&f, &os(&["verify-xml", signed.to_str().unwrap()]), &env);
    assert_eq!(run.code, Some(1), "{}", run.stdout);
}
