//! Benchmark (not a test): what the driver watchdog costs per signature. Signs the same SoftHSM2
//! RSA-2048 key straight through cryptoki (the floor) and through `SigningSession` (each call on
//! its own thread within its time limit), with and without the on-disk record of calls in
//! flight, in alternating rounds; prints the median of each.
//!
//!     cargo run --release -p vss-cli --example driver_watchdog_bench -- [N]

use std::time::Instant;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use sha2::{Digest, Sha256};
use vss_protocol::{HashAlgorithm, Padding};
use vss_testkit::fixture::Fixture;
use vss_token::discovery::ModuleSource;
use vss_token::{DriverSettings, EcdsaFormat, HashToSign, Modules, Pin, SigningSession};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1400);
    let fixture = Fixture::new("demo");
    std::env::set_var("SOFTHSM2_CONF", fixture.dir.join("softhsm2.conf"));
    let now = time::OffsetDateTime::now_utc();
    let pin = Pin::new(zeroize::Zeroizing::new(vss_testkit::USER_PIN.to_string()));
    let paths = [vss_testkit::SOFTHSM_MODULE.into()];

    let plain = Modules::load(ModuleSource::Environment, &paths);
    let (token, record) = plain
        .find_certificate(&fixture.cert_id("an-sinh"), now)
        .expect("demo certificate");
    let recorded = Modules::load_with(
        ModuleSource::Environment,
        &paths,
        DriverSettings {
            record_dir: Some(fixture.dir.join("driver-calls")),
            ..DriverSettings::default()
        },
    );

    // The floor: cryptoki on the caller's thread, no limit, no record.
    let context = Pkcs11::new(vss_testkit::SOFTHSM_MODULE).unwrap();
    let _ = context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = context
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| {
            context
                .get_token_info(*s)
                .is_ok_and(|i| i.label().trim() == token.label)
        })
        .expect("slot");
    // DigestInfo prefix for SHA-256 (RFC 8017 §9.2), as SigningSession sends it.
    let prefix: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];

    const ROUNDS: usize = 7;
    let per_round = (n / ROUNDS).max(1);
    let (mut raw, mut watched, mut with_record) = (Vec::new(), Vec::new(), Vec::new());
    // Login state is per token per process: each variant logs in afresh before its timed part.
    for round in 0..ROUNDS {
        let digest = |i: usize| Sha256::digest((round * per_round + i).to_le_bytes()).to_vec();
        {
            let session = context.open_ro_session(slot).unwrap();
            let _ = session.logout();
            session
                .login(
                    UserType::User,
                    Some(&AuthPin::new(vss_testkit::USER_PIN.into())),
                )
                .unwrap();
            let key = session
                .find_objects(&[
                    Attribute::Class(ObjectClass::PRIVATE_KEY),
                    Attribute::Id(record.cka_id.clone()),
                ])
                .unwrap()[0];
            let started = Instant::now();
            for i in 0..per_round {
                let mut data = prefix.to_vec();
                data.extend(digest(i));
                session.sign(&Mechanism::RsaPkcs, key, &data).unwrap();
            }
            raw.push(started.elapsed().as_secs_f64() / per_round as f64);
            let _ = session.logout();
        }
        for (modules, rounds) in [(&plain, &mut watched), (&recorded, &mut with_record)] {
            let signing =
                SigningSession::open(modules, &token, &record, Some(&pin)).expect("login");
            let started = Instant::now();
            for i in 0..per_round {
                let hash = HashToSign::new(HashAlgorithm::Sha256, digest(i), false).unwrap();
                signing
                    .sign_hash(&hash, Padding::Pkcs1, EcdsaFormat::Raw)
                    .expect("sign");
            }
            rounds.push(started.elapsed().as_secs_f64() / per_round as f64);
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (raw, watched, with_record) = (median(raw), median(watched), median(with_record));
    println!(
        "SoftHSM2 RSA-2048, {} signatures each, one login",
        per_round * ROUNDS
    );
    println!("  cryptoki, caller's thread:     {:.3} ms", raw * 1e3);
    println!(
        "  through the watchdog:          {:.3} ms (+{:.1} %)",
        watched * 1e3,
        (watched - raw) / raw * 100.0
    );
    println!(
        "  watchdog + record of calls:    {:.3} ms (+{:.1} %)",
        with_record * 1e3,
        (with_record - raw) / raw * 100.0
    );
}
