//! `vss sign-xml` batches when the token goes away, its driver hangs, or `vss` itself is killed
//! mid-batch: the files already signed are complete and valid (xmlsec1), the rest are reported
//! not signed, and no partial output is left. The token sits behind tests/faulty-pkcs11, a real
//! PKCS#11 module wrapping SoftHSM2 that misbehaves on command.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use vss_testkit::faulty::{self, Control};
use vss_testkit::fixture::{repo_root, Fixture};

const FILES: usize = 5;

struct Batch {
    f: Fixture,
    control: Control,
    inputs: Vec<PathBuf>,
    out_dir: PathBuf,
}

impl Batch {
    fn new(settings: &str) -> Batch {
        let f = Fixture::new("an-sinh");
        let control = Control::new(&f.dir, settings);
        let form = std::fs::read_to_string(repo_root().join("tests/xml-corpus/tk1-ts.xml"))
            .unwrap()
            .replace("0101234567", "0312345678-001");
        let in_dir = f.dir.join("in");
        std::fs::create_dir_all(&in_dir).unwrap();
        let inputs = (1..=FILES)
            .map(|i| {
                let path = in_dir.join(format!("tk1-ts-{i}.xml"));
                std::fs::write(&path, &form).unwrap();
                path
            })
            .collect();
        let out_dir = f.dir.join("out");
        Batch {
            f,
            control,
            inputs,
            out_dir,
        }
    }

    fn command(&self, inputs: &[PathBuf]) -> Command {
        let mut cmd = self.f.command("vss");
        let (key, value) = self.control.env();
        cmd.env("VSS_PKCS11_MODULE", faulty::module())
            .env(key, value)
            .args(["sign-xml", "--json", "--cert"])
            .arg(self.f.cert_id("an-sinh"))
            .arg("--out-dir")
            .arg(&self.out_dir)
            .args(inputs);
        cmd
    }

    /// Runs the batch; its per-file results by input file name.
    fn run(&self, inputs: &[PathBuf]) -> (bool, Vec<Value>) {
        let out = self.command(inputs).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let results = stdout
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("JSON line: {l}")))
            .collect();
        (out.status.success(), results)
    }

    /// Every file in the output directory.
    fn outputs(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.out_dir)
            .map(|dir| {
                dir.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn assert_valid(&self, name: &str) {
        let path = self.out_dir.join(name);
        let ca = self.f.manifest["ca_pem"].as_str().unwrap();
        let out = Command::new("xmlsec1")
            .args(["--verify", "--trusted-pem", ca])
            .arg(&path)
            .output()
            .expect("xmlsec1");
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn assert_originals_untouched(&self) {
        for input in &self.inputs {
            let text = std::fs::read_to_string(input).unwrap();
            assert!(!text.contains("SignatureValue"), "{}", input.display());
        }
    }
}

fn names(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range.map(|i| format!("tk1-ts-{i}.xml")).collect()
}

fn codes(results: &[Value]) -> Vec<String> {
    results
        .iter()
        .filter(|r| r.get("file").is_some())
        .map(|r| match r["ok"].as_bool() {
            Some(true) => "ok".to_string(),
            _ => r["error"]["code"].as_str().unwrap_or("?").to_string(),
        })
        .collect()
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_token_pulled_mid_batch_leaves_the_signed_files_valid_and_reports_the_rest() {
    for rv in ["CKR_DEVICE_REMOVED", "CKR_TOKEN_NOT_PRESENT"] {
        // cryptoki calls C_Sign twice per signature (length, then value): two files pass.
        let b = Batch::new(&format!("fail=C_Sign\nfail_after=4\nfail_rv={rv}"));
        let (ok, results) = b.run(&b.inputs);
        assert!(!ok, "{rv}: the batch reports the failure");
        assert_eq!(
            codes(&results),
            [
                "ok",
                "ok",
                "token_removed",
                "token_removed",
                "token_removed"
            ],
            "{rv}: {results:?}"
        );
        let failed = &results[3];
        assert!(
            failed["error"]["message"]
                .as_str()
                .unwrap()
                .contains("rút ra"),
            "{failed}"
        );
        assert_eq!(b.outputs(), names(1..=2), "{rv}: no partial output");
        for name in names(1..=2) {
            b.assert_valid(&name);
        }
        b.assert_originals_untouched();
    }
}

#[test]
fn a_driver_hung_mid_batch_leaves_the_signed_files_and_vss_ends() {
    let b = Batch::new("hang=C_Sign\nhang_after=2\nhang_ms=forever");
    b.f.write_config("driver_sign_timeout_seconds = 1\n");
    let started = Instant::now();
    let (ok, results) = b.run(&b.inputs);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert!(!ok);
    let mut expected = vec!["ok".to_string()];
    expected.extend(std::iter::repeat_n("driver_unresponsive".to_string(), 4));
    assert_eq!(codes(&results), expected, "{results:?}");
    assert_eq!(b.outputs(), names(1..=1));
    b.assert_valid("tk1-ts-1.xml");
}

#[test]
fn vss_killed_mid_batch_leaves_only_complete_files_and_the_rest_can_be_signed_after() {
    let b = Batch::new("");
    let calls = b.f.dir.join("calls.log");
    // The third signature never returns: vss is killed while the token holds it.
    b.control.set(&format!(
        "hang=C_Sign\nhang_after=4\nhang_ms=forever\ncalls_log={}",
        calls.display()
    ));
    let mut child = b
        .command(&b.inputs)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let signs = || {
        std::fs::read_to_string(&calls)
            .unwrap_or_default()
            .lines()
            .filter(|l| *l == "C_Sign")
            .count()
    };
    wait_for("the third signature", Duration::from_secs(30), || {
        signs() >= 5
    });
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // Outputs are put in place a group at a time once their data is synced: what is under an
    // output's name is a complete signed file (files signed since the last group are still
    // temporary files, which the next batch removes), and never one past the hung signature.
    let (partial, placed): (Vec<String>, Vec<String>) = b
        .outputs()
        .into_iter()
        .partition(|name| name.starts_with(".vss-partial-"));
    assert!(
        placed.iter().all(|name| names(1..=2).contains(name)),
        "only files signed before the kill: {placed:?}"
    );
    for name in &placed {
        b.assert_valid(name);
    }
    assert!(partial.len() <= 2 - placed.len(), "{partial:?}");
    b.assert_originals_untouched();

    // A kill that lands while an output is being written leaves its temporary file (seen
    // here before outputs were locked while written): the next batch removes such a file,
    // and leaves alone one that a live `vss` holds locked.
    let killed = b.out_dir.join(".vss-partial-k1Ll3d.tmp");
    std::fs::write(&killed, "<TK1-TS><Cky><Signature").unwrap();
    let live = b.out_dir.join(".vss-partial-l1v3xx.tmp");
    let live_file = std::fs::File::create(&live).unwrap();
    fs4::FileExt::lock(&live_file).unwrap();

    // The user runs the batch again: the signed ones are refused (never overwritten without
    // --force), the rest are signed.
    b.control.set("");
    let (ok, results) = b.run(&b.inputs);
    assert!(!killed.exists(), "an abandoned partial output is removed");
    for name in &partial {
        assert!(!b.out_dir.join(name).exists(), "{name} removed");
    }
    assert!(
        live.exists(),
        "a partial output being written is left alone"
    );
    drop(live_file);
    std::fs::remove_file(&live).unwrap();
    let expected: Vec<&str> = names(1..=FILES)
        .iter()
        .map(|name| match placed.contains(name) {
            true => "output_exists",
            false => "ok",
        })
        .collect();
    assert_eq!(ok, placed.is_empty(), "{results:?}");
    assert_eq!(codes(&results), expected, "{results:?}");
    assert_eq!(b.outputs(), names(1..=FILES));
    for name in names(1..=FILES) {
        b.assert_valid(&name);
    }
}
