//! `vss sign-xml`, `verify-xml` and `c14n` on real SoftHSM2 tokens: batches with one PIN,
//! failures that do not stop the batch, originals untouched, and every output accepted by
//! xmlsec1 (libxml2's canonicaliser, an independent implementation).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use vss_testkit::fixture::{repo_root, Fixture};

/// The corpus forms rewritten for the test unit (MST 0312345678-001).
fn corpus_for_our_unit(dir: &Path) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    ["tk1-ts.xml", "d02-ts.xml", "bhxhdientu.xml"]
        .iter()
        .map(|name| {
            let text =
                std::fs::read_to_string(repo_root().join("tests/xml-corpus").join(name)).unwrap();
            let text = text
                .replace("0101234567", "0312345678-001")
                .replace("0109876543", "0312345678-001");
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

fn vss(f: &Fixture, args: &[&str]) -> (bool, String, String) {
    let out = f.command("vss").args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn xmlsec_verifies(file: &Path, ca: &Path) -> bool {
    let out = Command::new("xmlsec1")
        .args(["--verify", "--trusted-pem"])
        .arg(ca)
        .arg(file)
        .output()
        .expect("xmlsec1 is installed (scripts/setup.sh installs it)");
    out.status.success()
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn a_batch_signs_with_one_pin_and_xmlsec1_accepts_every_output() {
    let f = Fixture::new("an-sinh");
    let inputs = corpus_for_our_unit(&f.dir.join("in"));
    let before: Vec<Vec<u8>> = inputs.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let out_dir = f.dir.join("out");
    let mut args = vec![
        "sign-xml".to_string(),
        "--json".into(),
        "--cert".into(),
        f.cert_id("an-sinh"),
        "--out-dir".into(),
        out_dir.display().to_string(),
    ];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    let (ok, stdout, stderr) = vss(&f, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(ok, "{stdout}{stderr}");
    let results = json_lines(&stdout);
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|r| r["ok"] == true), "{stdout}");

    let dialogs = f.dialogs();
    assert_eq!(
        dialogs.matches("----").count(),
        1,
        "one dialog for the batch"
    );
    assert!(
        dialogs.contains("3 tệp cần ký")
            && dialogs.contains("TK1-TS")
            && dialogs.contains("D02-TS"),
        "{dialogs}"
    );

    let ca = PathBuf::from(f.manifest["ca_pem"].as_str().unwrap());
    for (input, original) in inputs.iter().zip(&before) {
        assert_eq!(
            &std::fs::read(input).unwrap(),
            original,
            "original untouched"
        );
        let output = out_dir.join(input.file_name().unwrap());
        assert!(
            xmlsec_verifies(&output, &ca),
            "xmlsec1 rejects {}",
            output.display()
        );
    }
    let (ok, stdout, _) = vss(
        &f,
        &[
            "verify-xml",
            "--json",
            "--require-trusted",
            "--trusted",
            ca.to_str().unwrap(),
            out_dir.join("tk1-ts.xml").to_str().unwrap(),
        ],
    );
    assert!(ok, "{stdout}");
    let report = &json_lines(&stdout)[0]["report"];
    assert_eq!(
        report["signatures"][0]["certificate"]["identity"]["mst"],
        "0312345678-001"
    );
    assert_eq!(
        report["signatures"][0]["signing_time"]["signed"], false,
        "SigningTime is an unsigned claim"
    );
    // Without a trust anchor the chain is not trusted; the configured anchors are used.
    let signed = out_dir.join("d02-ts.xml");
    let (ok, _, _) = vss(
        &f,
        &["verify-xml", "--require-trusted", signed.to_str().unwrap()],
    );
    assert!(!ok, "untrusted chain with --require-trusted");
    f.write_config(&format!("trust_anchors = [\"{}\"]\n", ca.display()));
    let (ok, stdout, _) = vss(
        &f,
        &["verify-xml", "--require-trusted", signed.to_str().unwrap()],
    );
    assert!(ok, "{stdout}");
}

#[test]
fn ecdsa_and_every_canonicalisation_verify_with_xmlsec1() {
    let f = Fixture::new("an-sinh");
    let input = &corpus_for_our_unit(&f.dir.join("in"))[0];
    let ca = PathBuf::from(f.manifest["ca_pem"].as_str().unwrap());
    for (cert, c14n, digest) in [
        ("an-sinh", "c14n10-comments", "SHA-256"),
        ("an-sinh", "exc-c14n", "SHA-1"),
        ("binh-cccd", "c14n10", "SHA-256"),
    ] {
        let output = f.dir.join(format!("{cert}-{c14n}-{digest}.xml"));
        // The EC certificate carries no MST, so the form's MaSoThue cannot contradict it.
        let (ok, stdout, stderr) = vss(
            &f,
            &[
                "sign-xml",
                "--cert",
                &f.cert_id(cert),
                "--c14n",
                c14n,
                "--digest",
                digest,
                "-o",
                output.to_str().unwrap(),
                input.to_str().unwrap(),
            ],
        );
        assert!(ok, "{cert} {c14n} {digest}: {stdout}{stderr}");
        assert!(
            xmlsec_verifies(&output, &ca),
            "xmlsec1 rejects {cert} {c14n} {digest}"
        );
    }
}

#[test]
fn a_malformed_file_and_an_existing_output_do_not_stop_the_batch() {
    let f = Fixture::new("demo");
    let mut inputs = corpus_for_our_unit(&f.dir.join("in"));
    let broken = f.dir.join("in/broken.xml");
    std::fs::write(&broken, "<TK1-TS><Cky></TK1-TS>").unwrap();
    let no_parent = f.dir.join("in/no-parent.xml");
    std::fs::write(&no_parent, "<?xml version=\"1.0\"?><A><B/></A>").unwrap();
    inputs.insert(1, broken.clone());
    inputs.push(no_parent.clone());
    let out_dir = f.dir.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("d02-ts.xml"), "already here").unwrap();
    let mut args = vec![
        "sign-xml".to_string(),
        "--json".into(),
        "--parent".into(),
        "Cky".into(),
        "--out-dir".into(),
        out_dir.display().to_string(),
    ];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    let (ok, stdout, _) = vss(&f, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!ok, "non-zero exit when a file failed");
    let results = json_lines(&stdout);
    let code_of = |name: &str| {
        results
            .iter()
            .find(|r| r["file"].as_str().unwrap().ends_with(name))
            .map(|r| r["error"]["code"].as_str().unwrap_or("ok").to_string())
            .unwrap()
    };
    assert_eq!(code_of("broken.xml"), "xml_malformed");
    assert_eq!(code_of("d02-ts.xml"), "output_exists");
    assert_eq!(code_of("tk1-ts.xml"), "ok");
    assert_eq!(code_of("no-parent.xml"), "xml_parent_not_found");
    assert_eq!(
        std::fs::read_to_string(out_dir.join("d02-ts.xml")).unwrap(),
        "already here",
        "not overwritten without --force"
    );
    assert_eq!(f.dialogs().matches("----").count(), 1);
}

#[test]
fn another_units_dossier_is_refused_before_the_pin() {
    let f = Fixture::new("demo");
    let input = repo_root().join("tests/xml-corpus/tk1-ts.xml"); // MaSoThue 0101234567
    let output = f.dir.join("out.xml");
    let (ok, stdout, _) = vss(
        &f,
        &[
            "sign-xml",
            "--json",
            "-o",
            output.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
    );
    assert!(!ok);
    assert_eq!(json_lines(&stdout)[0]["error"]["code"], "identity_mismatch");
    assert_eq!(f.dialogs(), "");
}

#[test]
fn a_thousand_forms_with_one_pin_prompt() {
    let f = Fixture::new("demo");
    let template = std::fs::read_to_string(&corpus_for_our_unit(&f.dir.join("src"))[0]).unwrap();
    let dir = f.dir.join("many");
    std::fs::create_dir_all(&dir).unwrap();
    let mut args = vec![
        "sign-xml".to_string(),
        "--out-dir".into(),
        f.dir.join("many-out").display().to_string(),
    ];
    for i in 0..1000 {
        let path = dir.join(format!("tk1-{i:04}.xml"));
        std::fs::write(
            &path,
            template.replace("Nguyễn Thị Hồng Nhung", &format!("Người lao động số {i}")),
        )
        .unwrap();
        args.push(path.display().to_string());
    }
    let (ok, _, stderr) = vss(&f, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(ok, "{stderr}");
    assert_eq!(
        f.dialogs().matches("----").count(),
        1,
        "one PIN prompt for 1,000 forms"
    );
    assert_eq!(
        std::fs::read_dir(f.dir.join("many-out")).unwrap().count(),
        1000
    );
    let ca = PathBuf::from(f.manifest["ca_pem"].as_str().unwrap());
    assert!(xmlsec_verifies(&f.dir.join("many-out/tk1-0999.xml"), &ca));
}

#[test]
fn tampered_files_are_rejected() {
    let f = Fixture::new("demo");
    let input = &corpus_for_our_unit(&f.dir.join("in"))[0];
    let signed = f.dir.join("signed.xml");
    assert!(
        vss(
            &f,
            &[
                "sign-xml",
                "-o",
                signed.to_str().unwrap(),
                input.to_str().unwrap()
            ]
        )
        .0
    );
    let text = std::fs::read_to_string(&signed).unwrap();
    for (what, tampered) in [
        (
            "data",
            text.replacen("Nguyễn Thị Hồng Nhung", "Nguyễn Thị Hồng Nhunh", 1),
        ),
        (
            "SignedInfo",
            text.replacen("<DigestValue>", "<DigestValue>A", 1),
        ),
    ] {
        let path = f.dir.join(format!("tampered-{what}.xml"));
        std::fs::write(&path, tampered).unwrap();
        let (ok, stdout, _) = vss(&f, &["verify-xml", path.to_str().unwrap()]);
        assert!(!ok, "tampered {what} must not verify: {stdout}");
    }
}

#[test]
fn c14n_prints_the_w3c_canonical_form() {
    let f = Fixture::new("empty");
    let vectors = repo_root().join("tests/vectors/c14n/c14n10");
    let (ok, stdout, stderr) = vss(
        &f,
        &["c14n", vectors.join("example-3.xml").to_str().unwrap()],
    );
    assert!(ok, "{stderr}");
    assert_eq!(
        stdout.as_bytes(),
        std::fs::read(vectors.join("example-3.expected")).unwrap()
    );
}
