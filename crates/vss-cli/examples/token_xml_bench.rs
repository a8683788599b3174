//! Benchmark (not a test): signs N realistic dossier forms with a key on a SoftHSM2 token and
//! prints forms/second next to the raw PKCS#11 signing rate of the same key in the same run,
//! then the time and peak memory for a 50 MB BHXHDienTu envelope.
//!
//!     cargo build --release --workspace --bins
//!     cargo run --release -p vss-cli --example token_xml_bench -- [N]

use std::time::Instant;

use base64::Engine;
use sha2::{Digest, Sha256};
use vss_core::commands::sign_xml::TokenXmlSigner;
use vss_protocol::{HashAlgorithm, Padding};
use vss_testkit::fixture::{repo_root, Fixture};
use vss_token::discovery::ModuleSource;
use vss_token::{EcdsaFormat, HashToSign, Modules, Pin, SigningSession};
use vss_xml::SignOptions;

/// `VmHWM` (peak) or `VmRSS` (current) of this process, in MiB.
fn memory_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// A BHXHDienTu envelope of about `size` bytes: one TK1-TS form plus a large attached PDF.
fn envelope(form: &str, size: usize) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let pdf: Vec<u8> = (0..size * 3 / 4)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[1])
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<BHXHDienTu>\n  <ThongTinDonVi><TenDoiTuong>CÔNG TY TNHH PHẦN MỀM AN SINH</TenDoiTuong><MaSoThue>0312345678-001</MaSoThue></ThongTinDonVi>\n  <HoSoKeKhai><MaThuTuc>600</MaThuTuc><KyKeKhai>11/2026</KyKeKhai><ToKhais>\n    <ToKhai><TenFile>TK1-TS.xml</TenFile><NoiDungFile>{}</NoiDungFile></ToKhai>\n    <ToKhai><TenFile>HopDong.pdf</TenFile><NoiDungFile>{}</NoiDungFile></ToKhai>\n  </ToKhais></HoSoKeKhai>\n  <CKy_Dvi></CKy_Dvi>\n</BHXHDienTu>\n",
        b64.encode(form),
        b64.encode(pdf)
    )
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500);
    let fixture = Fixture::new("demo");
    std::env::set_var("SOFTHSM2_CONF", fixture.dir.join("softhsm2.conf"));
    let modules = Modules::load(
        ModuleSource::Environment,
        &[vss_testkit::SOFTHSM_MODULE.into()],
    );
    let now = time::OffsetDateTime::now_utc();
    let (token, record) = modules
        .find_certificate(&fixture.cert_id("an-sinh"), now)
        .expect("demo certificate");
    let pin = Pin::new(zeroize::Zeroizing::new(vss_testkit::USER_PIN.to_string()));
    let session = SigningSession::open(&modules, &token, &record, Some(&pin)).expect("login");

    // The token's own cost (raw signatures over SHA-256 digests) and the same key signing
    // realistic forms (parse, canonicalise, digest, sign, splice), in alternating rounds so that
    // load from other processes hits both alike; the median round is reported.
    let form = std::fs::read_to_string(repo_root().join("tests/xml-corpus/tk1-ts.xml"))
        .unwrap()
        .replace("0101234567", "0312345678-001");
    let opts = SignOptions {
        signing_time: Some("2026-11-23T08:00:00Z".into()),
        ..SignOptions::default()
    };
    let mut signer = TokenXmlSigner::new(&session, &record, false).unwrap();
    const ROUNDS: usize = 7;
    let per_round = (n / ROUNDS).max(1);
    let (mut raw_rounds, mut xml_rounds) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let started = Instant::now();
        for i in 0..per_round {
            let digest = Sha256::digest((round * per_round + i).to_le_bytes()).to_vec();
            let hash = HashToSign::new(HashAlgorithm::Sha256, digest, false).unwrap();
            session
                .sign_hash(&hash, Padding::Pkcs1, EcdsaFormat::Raw)
                .expect("raw sign");
        }
        raw_rounds.push(started.elapsed().as_secs_f64() / per_round as f64);
        let started = Instant::now();
        for i in 0..per_round {
            let xml = form.replace("Nguyễn Thị Hồng Nhung", &format!("Người lao động {i}"));
            vss_xml::sign(xml.as_bytes(), &opts, &mut signer).expect("form signs");
        }
        xml_rounds.push(started.elapsed().as_secs_f64() / per_round as f64);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (raw, per_form) = (median(raw_rounds), median(xml_rounds));
    let n = per_round * ROUNDS;

    let big = envelope(&form, 50 * 1024 * 1024);
    // Reset the peak so it measures signing alone (Linux: "5" > clear_refs resets VmHWM).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_before = memory_mib("VmRSS:");
    let started = Instant::now();
    let signed = vss_xml::sign(big.as_bytes(), &opts, &mut signer).expect("envelope signs");
    let envelope_secs = started.elapsed().as_secs_f64();

    println!("SoftHSM2 RSA-2048, {n} operations each, one login");
    println!(
        "  raw PKCS#11 signing:   {:8.1} signatures/s ({:.3} ms each)",
        1.0 / raw,
        raw * 1e3
    );
    println!(
        "  dossier forms signed:  {:8.1} forms/s      ({:.3} ms each, {} bytes)",
        1.0 / per_form,
        per_form * 1e3,
        form.len()
    );
    println!(
        "  XML work added:        {:8.1} % of the token's signing cost (target ≤ 25 %)",
        (per_form - raw) / raw * 100.0
    );
    println!(
        "  50 MB envelope ({:.1} MB): signed in {:.2} s; memory {:.0} MiB before (input held), peak {:.0} MiB while signing",
        big.len() as f64 / 1e6,
        envelope_secs,
        rss_before,
        memory_mib("VmHWM:")
    );
    drop(signed);
}
