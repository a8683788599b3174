//! The token's own cost, for scripts/bench.sh (not a test): the least a program can do on a
//! PKCS#11 key, straight on `cryptoki`, with nothing of this project in between.
//!
//!     token_floor per-op COUNT CERT_ID   COUNT × (open session, login, sign, logout, close)
//!     token_floor batch COUNT CERT_ID    login once, COUNT signatures, logout
//!
//! The module is `VSS_PKCS11_MODULE` (else SoftHSM2's), the PIN `VSS_TEST_PIN` (else the test
//! PIN), the token set `SOFTHSM2_CONF`. The key is the private key whose CKA_ID is that of the
//! certificate with SHA-256 fingerprint CERT_ID. Signatures are RSA PKCS#1 v1.5 over a SHA-256
//! DigestInfo (CKM_RSA_PKCS), as the agent does. Prints one JSON line: the milliseconds of
//! each operation (per-op) or of the whole batch after login (batch); module loading and
//! C_Initialize are outside the figures.

use std::time::Instant;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use sha2::{Digest, Sha256};

const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

fn fail(message: String) -> ! {
    eprintln!("token_floor: {message}");
    std::process::exit(1)
}

/// The slot and the certificate's CKA_ID for the certificate with this fingerprint.
fn find_key_id(pkcs11: &Pkcs11, cert_id: &str) -> (Slot, Vec<u8>) {
    let slots = pkcs11
        .get_slots_with_token()
        .unwrap_or_else(|e| fail(format!("slots: {e}")));
    for slot in slots {
        let Ok(session) = pkcs11.open_ro_session(slot) else {
            continue;
        };
        let Ok(handles) = session.find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
        else {
            continue;
        };
        for handle in handles {
            let Ok(attrs) =
                session.get_attributes(handle, &[AttributeType::Value, AttributeType::Id])
            else {
                continue;
            };
            let (mut der, mut id) = (Vec::new(), Vec::new());
            for attr in attrs {
                match attr {
                    Attribute::Value(v) => der = v,
                    Attribute::Id(v) => id = v,
                    _ => {}
                }
            }
            let fingerprint: String = Sha256::digest(&der)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            if fingerprint == cert_id {
                return (slot, id);
            }
        }
    }
    fail(format!("no certificate {cert_id}"))
}

fn sign_one(session: &Session, key_id: &[u8], n: usize) {
    let key = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Id(key_id.to_vec()),
        ])
        .unwrap_or_else(|e| fail(format!("find key: {e}")));
    let key = *key.first().unwrap_or_else(|| fail("no private key".into()));
    let mut data = SHA256_DIGEST_INFO.to_vec();
    data.extend_from_slice(&Sha256::digest(n.to_le_bytes()));
    session
        .sign(&Mechanism::RsaPkcs, key, &data)
        .unwrap_or_else(|e| fail(format!("sign: {e}")));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (mode, count, cert_id) = match args.as_slice() {
        [_, mode, count, cert_id] => (
            mode.as_str(),
            count
                .parse::<usize>()
                .unwrap_or_else(|_| fail("bad COUNT".into())),
            cert_id.as_str(),
        ),
        _ => fail("usage: token_floor per-op|batch COUNT CERT_ID".into()),
    };
    let module = std::env::var("VSS_PKCS11_MODULE")
        .unwrap_or_else(|_| vss_testkit::SOFTHSM_MODULE.to_string());
    let pin = std::env::var("VSS_TEST_PIN").unwrap_or_else(|_| vss_testkit::USER_PIN.to_string());
    let pkcs11 = Pkcs11::new(&module).unwrap_or_else(|e| fail(format!("{module}: {e}")));
    pkcs11
        .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap_or_else(|e| fail(format!("C_Initialize: {e}")));
    let (slot, key_id) = find_key_id(&pkcs11, cert_id);
    let pin = AuthPin::new(pin.into());
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
    match mode {
        "per-op" => {
            let mut times = Vec::with_capacity(count);
            for n in 0..count {
                let started = Instant::now();
                let session = pkcs11
                    .open_rw_session(slot)
                    .unwrap_or_else(|e| fail(format!("session: {e}")));
                session
                    .login(UserType::User, Some(&pin))
                    .unwrap_or_else(|e| fail(format!("login: {e}")));
                sign_one(&session, &key_id, n);
                session
                    .logout()
                    .unwrap_or_else(|e| fail(format!("logout: {e}")));
                drop(session);
                times.push(ms(started));
            }
            println!("{{\"per_op_ms\": {times:?}}}");
        }
        "batch" => {
            let session = pkcs11
                .open_rw_session(slot)
                .unwrap_or_else(|e| fail(format!("session: {e}")));
            session
                .login(UserType::User, Some(&pin))
                .unwrap_or_else(|e| fail(format!("login: {e}")));
            let started = Instant::now();
            for n in 0..count {
                sign_one(&session, &key_id, n);
            }
            let total = ms(started);
            let _ = session.logout();
            println!("{{\"batch_ms\": {total}}}");
        }
        _ => fail(format!("unknown mode {mode}")),
    }
}
