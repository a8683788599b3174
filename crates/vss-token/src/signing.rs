//! PIN login and hash signing. Login is per operation (or per batch): log in with the PIN just
//! typed, sign, `C_Logout` when the [`SigningSession`] is dropped. A PIN is never retried here.

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use der::asn1::UintRef;
use der::Encode;
use std::sync::{Arc, Mutex, MutexGuard};
use vss_protocol::{Error, ErrorCode, HashAlgorithm, Padding, Result};

use crate::modules::{map_ck_error, Driver, Modules, Token};
use crate::pin::Pin;
use crate::record::CertificateRecord;

/// A hash to sign, checked: its length matches the algorithm, and SHA-1 only when allowed.
#[derive(Debug, Clone)]
pub struct HashToSign {
    pub algorithm: HashAlgorithm,
    pub hash: Vec<u8>,
}

impl HashToSign {
    pub fn new(algorithm: HashAlgorithm, hash: Vec<u8>, allow_sha1: bool) -> Result<HashToSign> {
        if algorithm == HashAlgorithm::Sha1 && !allow_sha1 {
            return Err(Error::new(ErrorCode::UnsupportedAlgorithm)
                .arg("algorithm", "SHA-1")
                .detail("reason", "SHA-1 is not allowed by policy"));
        }
        algorithm.check_len(&hash)?;
        Ok(HashToSign { algorithm, hash })
    }
}

/// How an ECDSA signature is returned: DER (CMS, X.509, the protocol's `sign-hash`) or raw
/// r||s (XMLDSig).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EcdsaFormat {
    Der,
    Raw,
}

/// A signature and the name of its algorithm (e.g. `RSASSA-PKCS1-v1_5-SHA256`).
#[derive(Debug, Clone)]
pub struct SignatureValue {
    pub bytes: Vec<u8>,
    pub algorithm: String,
}

/// A logged-in session on one token for one certificate's private key. Logs out on drop.
/// Every call on it runs through the module's watchdog; the session itself is shared with
/// the call threads (a call that overran its limit keeps it, and the module is skipped).
pub struct SigningSession {
    session: Option<Arc<Mutex<Session>>>,
    driver: Driver,
    key: ObjectHandle,
    key_is_ec: bool,
}

fn lock(session: &Mutex<Session>) -> MutexGuard<'_, Session> {
    session.lock().unwrap_or_else(|p| p.into_inner())
}

impl SigningSession {
    /// Logs in (with `pin`, or on the device's PIN pad when `pin` is `None` and the token has a
    /// protected authentication path) and finds the certificate's private key by CKA_ID.
    pub fn open(
        modules: &Modules,
        token: &Token,
        record: &CertificateRecord,
        pin: Option<&Pin>,
    ) -> Result<SigningSession> {
        if pin.is_none() && !token.protected_auth_path {
            return Err(Error::new(ErrorCode::PinIncorrect)
                .arg("state", "none")
                .cause("no PIN given for a token without PIN pad"));
        }
        let driver = modules.driver(token.module)?.clone();
        let limits = driver.limits;
        let slot = token.slot_handle;
        let session = driver.call("C_OpenSession", limits.call, move |ctx, _| {
            ctx.open_ro_session(slot)
        })?;
        let session = Arc::new(Mutex::new(session));
        let auth = pin.map(|p| AuthPin::new(p.expose().into()));
        // A PIN pad holds C_Login while the user types on the reader.
        let login_limit = match auth {
            Some(_) => limits.sign,
            None => limits.pinpad_login.max(limits.sign),
        };
        let login_session = session.clone();
        let logged_in = driver.call_raw("C_Login", login_limit, move |_, step| {
            let session = lock(&login_session);
            match session.login(UserType::User, auth.as_ref()) {
                // Another session of this process is logged in: log out and in again with the
                // PIN just typed, so a wrong PIN is never taken as "already fine".
                Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {
                    step.at("C_Logout");
                    session.logout()?;
                    step.at("C_Login");
                    session.login(UserType::User, auth.as_ref())
                }
                other => other,
            }
        })?;
        if let Err(e) = logged_in {
            release(&driver, session, false);
            return Err(login_error(modules, token, e));
        }
        let template = [
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Id(record.cka_id.clone()),
        ];
        let find_session = session.clone();
        let key = driver
            .call("C_FindObjects", limits.call, move |_, _| {
                lock(&find_session).find_objects(&template)
            })
            .and_then(|keys| {
                keys.into_iter().next().ok_or_else(|| {
                    Error::new(ErrorCode::CertificateNotFound)
                        .cause("no private key with the certificate's CKA_ID")
                })
            });
        match key {
            Ok(key) => Ok(SigningSession {
                session: Some(session),
                driver,
                key,
                key_is_ec: record.certificate.key.algorithm == "EC",
            }),
            Err(err) => {
                release(&driver, session, true);
                Err(err)
            }
        }
    }

    /// One C_Sign within the module's signing limit.
    fn sign_raw(&self, mechanism: SignMechanism, data: Vec<u8>) -> Result<Vec<u8>> {
        let session = self
            .session
            .clone()
            .ok_or_else(|| Error::internal("signing on a closed session"))?;
        let key = self.key;
        self.driver
            .call("C_Sign", self.driver.limits.sign, move |_, _| {
                let mechanism = match mechanism {
                    SignMechanism::Ecdsa => Mechanism::Ecdsa,
                    SignMechanism::RsaPkcs => Mechanism::RsaPkcs,
                    SignMechanism::RsaPss(params) => Mechanism::RsaPkcsPss(params),
                };
                lock(&session).sign(&mechanism, key, &data)
            })
    }

    /// Signs a hash with the session's key.
    pub fn sign_hash(
        &self,
        hash: &HashToSign,
        padding: Padding,
        ec_format: EcdsaFormat,
    ) -> Result<SignatureValue> {
        let suffix = hash.algorithm.name().replace('-', "");
        if self.key_is_ec {
            // Tokens (and SoftHSM2) lack CKM_ECDSA_SHA256: hash on the host, sign with CKM_ECDSA.
            let raw = self.sign_raw(SignMechanism::Ecdsa, hash.hash.clone())?;
            let bytes = match ec_format {
                EcdsaFormat::Raw => raw,
                EcdsaFormat::Der => ecdsa_raw_to_der(&raw)?,
            };
            return Ok(SignatureValue {
                bytes,
                algorithm: format!("ECDSA-{suffix}"),
            });
        }
        match padding {
            Padding::Pkcs1 => {
                // CKM_RSA_PKCS over a DigestInfo: every token has it, same bytes as CKM_SHA256_RSA_PKCS.
                let mut digest_info = digest_info_prefix(hash.algorithm).to_vec();
                digest_info.extend_from_slice(&hash.hash);
                let bytes = self.sign_raw(SignMechanism::RsaPkcs, digest_info)?;
                Ok(SignatureValue {
                    bytes,
                    algorithm: format!("RSASSA-PKCS1-v1_5-{suffix}"),
                })
            }
            Padding::Pss => {
                let (hash_alg, mgf) = match hash.algorithm {
                    HashAlgorithm::Sha1 => (MechanismType::SHA1, PkcsMgfType::MGF1_SHA1),
                    HashAlgorithm::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
                    HashAlgorithm::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
                    HashAlgorithm::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
                };
                // CK_ULONG is 32-bit on Windows and 64-bit on Unix: convert from usize.
                let s_len = hash.hash.len().try_into().map_err(map_ck_error)?;
                let params = PkcsPssParams {
                    hash_alg,
                    mgf,
                    s_len,
                };
                let bytes = self.sign_raw(SignMechanism::RsaPss(params), hash.hash.clone())?;
                Ok(SignatureValue {
                    bytes,
                    algorithm: format!("RSASSA-PSS-{suffix}"),
                })
            }
        }
    }
}

/// The mechanisms used here, in a form that can move to the call thread.
enum SignMechanism {
    Ecdsa,
    RsaPkcs,
    RsaPss(PkcsPssParams),
}

impl Drop for SigningSession {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            release(&self.driver, session, true);
        }
    }
}

/// C_Logout (when logged in) and C_CloseSession as the session goes, on the call thread within
/// the limit: a driver that hangs there does not hang the request that just signed.
fn release(driver: &Driver, session: Arc<Mutex<Session>>, logged_in: bool) {
    let released = driver.call("C_Logout", driver.limits.call, move |_, step| {
        let result = match logged_in {
            true => lock(&session).logout(),
            false => Ok(()),
        };
        step.at("C_CloseSession");
        drop(session);
        result
    });
    if let Err(err) = released {
        tracing::debug!(error = %err, "logout after signing");
    }
}

/// Maps a failed login to `pin_incorrect` (with the token's fresh count-low / final-try flags,
/// which also pick the message) or `pin_locked`.
fn login_error(modules: &Modules, token: &Token, err: CkError) -> Error {
    let mapped = map_ck_error(err);
    if mapped.code != ErrorCode::PinIncorrect {
        return mapped;
    }
    match modules.pin_flags(token) {
        Ok(flags) if flags.locked => {
            Error::new(ErrorCode::PinLocked).cause("locked after a wrong PIN")
        }
        Ok(flags) => {
            let state = if flags.final_try {
                "final_try"
            } else if flags.count_low {
                "count_low"
            } else {
                "none"
            };
            let mut mapped = mapped;
            mapped.args.retain(|(name, _)| *name != "state");
            mapped
                .arg("state", state)
                .detail("count_low", flags.count_low)
                .detail("final_try", flags.final_try)
        }
        Err(_) => mapped,
    }
}

/// DER of the DigestInfo before the hash (RFC 8017 §9.2, note 1).
fn digest_info_prefix(alg: HashAlgorithm) -> &'static [u8] {
    match alg {
        HashAlgorithm::Sha1 => &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ],
        HashAlgorithm::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        HashAlgorithm::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        HashAlgorithm::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
    }
}

#[derive(der::Sequence)]
struct EcdsaSigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

/// PKCS#11 ECDSA gives r||s; X.509 and CMS want `SEQUENCE { INTEGER r, INTEGER s }`.
pub fn ecdsa_raw_to_der(raw: &[u8]) -> Result<Vec<u8>> {
    if raw.is_empty() || raw.len() % 2 != 0 {
        return Err(Error::internal("ECDSA signature of odd length"));
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let value = EcdsaSigValue {
        r: UintRef::new(r).map_err(Error::internal)?,
        s: UintRef::new(s).map_err(Error::internal)?,
    };
    value.to_der().map_err(Error::internal)
}
