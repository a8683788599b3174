//! Signing throughput with a software RSA-2048 key: N corpus forms (forms/second), then one
//! 50 MB BHXHDienTu envelope (time and peak memory). Run in release:
//!
//! ```text
//! CARGO_TARGET_DIR=target-xml cargo run --release -p vss-xml --example sign_bench -- [N]
//! ```
//!
//! The key is the throwaway test key in tests/xml-corpus/keys; a token-backed signer can be
//! dropped in later through the same `XmlSigner` trait.

#[path = "../tests/common/envelope.rs"]
mod envelope;
#[path = "../tests/common/soft_signer.rs"]
#[allow(dead_code)] // the P-256 signer serves the tests only
mod soft_signer;

use std::path::PathBuf;
use std::time::Instant;

use vss_xml::{sign, verify, SignOptions, VerifyOptions};

fn corpus(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/xml-corpus")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let mut signer = soft_signer::SoftSigner::rsa(
        &corpus("keys/test-rsa-2048-key.der"),
        &corpus("keys/test-rsa-2048-cert.der"),
    );
    let forms = [
        corpus("tk1-ts.xml"),
        corpus("d02-ts.xml"),
        corpus("bhxhdientu.xml"),
    ];
    let opts = SignOptions {
        signing_time: Some("2026-11-23T09:15:00+07:00".into()),
        ..SignOptions::default()
    };

    let started = Instant::now();
    let mut bytes = 0;
    for i in 0..n {
        let form = &forms[i % forms.len()];
        bytes += form.len();
        sign(form, &opts, &mut signer).expect("sign");
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{n} forms ({:.1} KB average) in {secs:.2} s: {:.0} forms/s, {:.2} ms each",
        bytes as f64 / n as f64 / 1024.0,
        n as f64 / secs,
        secs * 1000.0 / n as f64
    );

    let before = envelope::current_rss().unwrap_or(0);
    let big = envelope::large_envelope(&forms[2], 50 * 1024 * 1024);
    let started = Instant::now();
    let signed = sign(&big, &opts, &mut signer).expect("sign envelope");
    let sign_secs = started.elapsed().as_secs_f64();
    let peak_sign = envelope::peak_rss().unwrap_or(0);
    let started = Instant::now();
    let report = verify(&signed, &VerifyOptions::default()).expect("verify envelope");
    let verify_secs = started.elapsed().as_secs_f64();
    let peak_verify = envelope::peak_rss().unwrap_or(0);
    assert!(report.valid);
    let mb = |b: usize| b as f64 / (1024.0 * 1024.0);
    println!(
        "{:.1} MB envelope: sign {sign_secs:.2} s ({:.0} MB/s), verify {verify_secs:.2} s; \
         peak memory above start {:.1} MB signing, {:.1} MB verifying",
        mb(big.len()),
        mb(big.len()) / sign_secs,
        mb(peak_sign.saturating_sub(before)),
        mb(peak_verify.saturating_sub(before)),
    );
}
