//! A 50 MB BHXHDienTu envelope signs and verifies with memory bounded by a small multiple of
//! its size (the document is streamed, never built as a tree). Alone in its test binary so the
//! process's peak memory is this test's.

mod common;

use std::time::Instant;

use common::envelope::{current_rss, large_envelope, peak_rss};
use common::{corpus, fixtures, SoftSigner};
use vss_xml::{sign, verify, SignOptions, VerifyOptions};

const SIZE: usize = 50 * 1024 * 1024;

#[test]
fn a_50_mb_envelope_signs_and_verifies_in_bounded_memory() {
    let mut signer = SoftSigner::new(&fixtures().rsa);
    let base = corpus("bhxhdientu.xml");
    let before = current_rss().expect("/proc/self/status");
    let input = large_envelope(&base, SIZE);
    assert!(input.len() >= SIZE - 1024);

    let started = Instant::now();
    let signed = sign(&input, &SignOptions::default(), &mut signer).expect("sign");
    let sign_time = started.elapsed();
    let after_sign = peak_rss().expect("VmHWM");

    let started = Instant::now();
    let report = verify(&signed, &VerifyOptions::default()).expect("verify");
    let verify_time = started.elapsed();
    let after_verify = peak_rss().expect("VmHWM");
    assert!(report.valid, "{report:#?}");

    let mb = |b: usize| b as f64 / (1024.0 * 1024.0);
    println!(
        "input {:.1} MB; sign {sign_time:?}, peak {:.1} MB above start; verify {verify_time:?}, \
         peak {:.1} MB above start",
        mb(input.len()),
        mb(after_sign.saturating_sub(before)),
        mb(after_verify.saturating_sub(before)),
    );
    // Input and output are each held once; the canonical form goes straight into the digest.
    let bound = 3 * input.len();
    assert!(
        after_sign.saturating_sub(before) < bound,
        "signing peaked at {:.1} MB over the start for a {:.1} MB input",
        mb(after_sign - before),
        mb(input.len())
    );
    assert!(
        after_verify.saturating_sub(before) < bound,
        "verification peaked at {:.1} MB",
        mb(after_verify - before)
    );
}
