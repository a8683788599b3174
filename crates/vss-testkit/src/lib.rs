//! Test and demo tokens. Creates SoftHSM2 tokens in a private directory (its own SOFTHSM2_CONF
//! and token dir), generates keys on the token through PKCS#11, and issues Vietnamese-style
//! certificates for them with `rcgen` under a test CA ("VSS Test Root CA — NOT A REAL CA").
//!
//! The PKCS#11 library must not have been loaded in this process before: SoftHSM2 reads
//! SOFTHSM2_CONF when it initialises, so [`create`] is best run in its own process (the
//! `vss-testtoken` binary does that).

pub mod faulty;
pub mod fixture;
pub mod native_host;
pub mod pki;
pub mod responders;
pub mod serve;

use std::fs;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SerialNumber, SubjectPublicKeyInfo,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// The user PIN of every test token.
pub const USER_PIN: &str = "123456";
/// The security officer PIN of every test token.
pub const SO_PIN: &str = "12345678";
/// Where Debian's softhsm2 package installs the module.
pub const SOFTHSM_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

const UID_OID: &[u64] = &[0, 9, 2342, 19200300, 100, 1, 1];
const P256_OID_DER: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Rsa2048,
    EcP256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Valid from yesterday for `days`.
    Current { days: i64 },
    /// Expired 30 days ago.
    Expired,
    /// Valid only from next month.
    NotYetValid,
}

/// One certificate (and its key) to put on a token.
#[derive(Debug, Clone)]
pub struct CertSpec {
    /// Short name used in the manifest and file names.
    pub name: &'static str,
    pub key: KeyKind,
    pub common_name: &'static str,
    pub organization: Option<&'static str>,
    /// `UID` entries, e.g. `MST:0312345678-001`.
    pub uids: Vec<&'static str>,
    pub validity: Validity,
}

/// One token and what it holds.
#[derive(Debug, Clone)]
pub struct TokenSpec {
    pub label: &'static str,
    pub certificates: Vec<CertSpec>,
}

/// The unit used throughout tests and the demo: An Sinh software company.
pub const AN_SINH_MST: &str = "0312345678-001";
/// Another unit, whose token is "the wrong token".
pub const BAO_MINH_MST: &str = "0109876543";

/// Token 1: An Sinh's token with its current RSA certificate, a personal EC certificate
/// (CCCD) and last year's expired certificate.
pub fn token_an_sinh() -> TokenSpec {
    TokenSpec {
        label: "VSS TEST 1 AN SINH",
        certificates: vec![
            CertSpec {
                name: "an-sinh",
                key: KeyKind::Rsa2048,
                common_name: "CÔNG TY TNHH PHẦN MỀM AN SINH",
                organization: Some("CÔNG TY TNHH PHẦN MỀM AN SINH"),
                uids: vec!["MST:0312345678-001"],
                validity: Validity::Current { days: 365 },
            },
            CertSpec {
                name: "binh-cccd",
                key: KeyKind::EcP256,
                common_name: "Nguyễn Thị Bình",
                organization: None,
                // rcgen keeps one value per attribute type, so one UID here; several UIDs in one subject
                // are covered by the identity parser's unit tests.
                uids: vec!["CCCD:001099012345"],
                validity: Validity::Current { days: 730 },
            },
            CertSpec {
                name: "an-sinh-expired",
                key: KeyKind::Rsa2048,
                common_name: "CÔNG TY TNHH PHẦN MỀM AN SINH",
                organization: Some("CÔNG TY TNHH PHẦN MỀM AN SINH"),
                uids: vec!["MST:0312345678-001"],
                validity: Validity::Expired,
            },
        ],
    }
}

/// Token 2: another unit's certificate (MST in O, expiring in 20 days) and An Sinh's renewed
/// certificate from a new CA (the "change the registered certificate" flow).
pub fn token_bao_minh() -> TokenSpec {
    TokenSpec {
        label: "VSS TEST 2 BAO MINH",
        certificates: vec![
            CertSpec {
                name: "bao-minh",
                key: KeyKind::Rsa2048,
                common_name: "CÔNG TY CỔ PHẦN BẢO MINH",
                organization: Some("MST:0109876543"),
                uids: vec![],
                validity: Validity::Current { days: 20 },
            },
            CertSpec {
                name: "an-sinh-renewed",
                key: KeyKind::Rsa2048,
                common_name: "CÔNG TY TNHH PHẦN MỀM AN SINH",
                organization: Some("CÔNG TY TNHH PHẦN MỀM AN SINH"),
                uids: vec!["MST:0312345678-001"],
                validity: Validity::Current { days: 1095 },
            },
        ],
    }
}

/// A token with exactly one certificate: the demo, and "--cert may be left out".
pub fn token_demo() -> TokenSpec {
    TokenSpec {
        label: "VSS DEMO",
        certificates: vec![token_an_sinh().certificates[0].clone()],
    }
}

/// A token whose only certificate expires in about 10 days (the tray's expiry notice).
pub fn token_expiring() -> TokenSpec {
    let mut certificate = token_an_sinh().certificates[0].clone();
    certificate.name = "an-sinh-expiring";
    certificate.validity = Validity::Current { days: 11 };
    TokenSpec {
        label: "VSS TEST 3 SAP HET HAN",
        certificates: vec![certificate],
    }
}

/// What a hostile certificate's holder looks like: terminal escapes that clear the line and
/// paint a green verdict, a carriage return, a newline with a second "signer" line, a bidi
/// override and blank padding. A CA would never issue it; the agent must show it harmlessly.
pub const HOSTILE_COMMON_NAME: &str = "CÔNG TY TNHH AN SINH\u{1b}[2K\r\u{1b}[32mVALID — trusted ✓\u{1b}[0m\nNgười ký: CÔNG TY KHÁC\u{2028}\u{202E}\u{2800}\u{3164}";

/// Token 3: one certificate of An Sinh's MST whose holder name and token label carry terminal
/// escapes and line breaks ([`HOSTILE_COMMON_NAME`]).
pub fn token_hostile() -> TokenSpec {
    TokenSpec {
        label: "VSS TEST 3 \u{1b}[31mHOSTILE\n",
        certificates: vec![CertSpec {
            name: "hostile",
            key: KeyKind::Rsa2048,
            common_name: HOSTILE_COMMON_NAME,
            organization: None,
            uids: vec!["MST:0312345678-001"],
            validity: Validity::Current { days: 365 },
        }],
    }
}

/// Named sets of tokens plugged in at once.
pub fn scenario(name: &str) -> Result<Vec<TokenSpec>> {
    Ok(match name {
        "demo" => vec![token_demo()],
        "standard" => vec![token_an_sinh(), token_bao_minh()],
        "an-sinh" => vec![token_an_sinh()],
        "bao-minh" => vec![token_bao_minh()],
        "expiring" => vec![token_expiring()],
        "hostile" => vec![token_hostile()],
        "empty" => vec![],
        other => bail!(
            "unknown scenario {other} (demo, standard, an-sinh, bao-minh, expiring, hostile, empty)"
        ),
    })
}

/// Creates `dir/softhsm2.conf`, `dir/tokens/`, the tokens, `dir/ca.pem`, one PEM per
/// certificate, `dir/manifest.json` and `dir/env` (shell exports). Returns the manifest.
pub fn create(dir: &Path, tokens: &[TokenSpec]) -> Result<Value> {
    create_with(dir, tokens, &Addresses::default())
}

/// Revocation addresses written into every issued certificate (AIA OCSP, CRL distribution
/// point), for tests with a local responder ([`responders`]).
#[derive(Debug, Clone, Default)]
pub struct Addresses {
    pub ocsp: Option<String>,
    pub crl: Option<String>,
}

/// [`create`] with revocation addresses in the certificates; also writes `dir/ca-key.pem` (the
/// test CA's key, for a test responder).
pub fn create_with(dir: &Path, tokens: &[TokenSpec], addresses: &Addresses) -> Result<Value> {
    let dir = fs::canonicalize(dir).with_context(|| format!("{} must exist", dir.display()))?;
    let token_dir = dir.join("tokens");
    fs::create_dir_all(&token_dir)?;
    let conf = dir.join("softhsm2.conf");
    fs::write(
        &conf,
        format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", token_dir.display()),
    )?;
    std::env::set_var("SOFTHSM2_CONF", &conf);

    let (ca_pem, issuer, ca_key) = make_ca()?;
    fs::write(dir.join("ca.pem"), &ca_pem)?;
    fs::write(dir.join("ca-key.pem"), ca_key)?;

    let pkcs11 = Pkcs11::new(SOFTHSM_MODULE)
        .with_context(|| format!("loading {SOFTHSM_MODULE} (apt-get install softhsm2)"))?;
    pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))?;
    let mut token_entries = Vec::new();
    for (index, spec) in tokens.iter().enumerate() {
        let slot = init_token(&pkcs11, spec.label)?;
        let session = pkcs11.open_rw_session(slot)?;
        session.login(UserType::User, Some(&AuthPin::new(USER_PIN.into())))?;
        let mut certs = Vec::new();
        for (n, cert) in spec.certificates.iter().enumerate() {
            let cka_id = vec![index as u8 + 1, n as u8 + 1];
            let spki = generate_key(&session, cert, &cka_id)?;
            let der = issue(cert, &spki, &issuer, addresses)?;
            let pem_path = dir.join(format!("{}.pem", cert.name));
            fs::write(&pem_path, pem("CERTIFICATE", &der))?;
            let subject = {
                use x509_parser::prelude::FromDer;
                let (_, x509) = x509_parser::certificate::X509Certificate::from_der(&der)?;
                x509.subject().as_raw().to_vec()
            };
            session.create_object(&[
                Attribute::Subject(subject),
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::CertificateType(CertificateType::X_509),
                Attribute::Token(true),
                Attribute::Value(der.clone()),
                Attribute::Id(cka_id.clone()),
                Attribute::Label(cert.name.as_bytes().to_vec()),
            ])?;
            certs.push(json!({
                "name": cert.name,
                "id": hex::encode(Sha256::digest(&der)),
                "common_name": cert.common_name,
                "uids": cert.uids,
                "key": match cert.key { KeyKind::Rsa2048 => "RSA-2048", KeyKind::EcP256 => "EC-P256" },
                "pem": pem_path,
            }));
        }
        session.logout()?;
        let info = pkcs11.get_token_info(slot)?;
        token_entries.push(json!({"label": spec.label, "serial": info.serial_number().trim(), "certificates": certs}));
    }
    let manifest = json!({
        "module": SOFTHSM_MODULE,
        "softhsm2_conf": conf,
        "user_pin": USER_PIN,
        "so_pin": SO_PIN,
        "ca_pem": dir.join("ca.pem"),
        "tokens": token_entries,
    });
    fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?,
    )?;
    fs::write(
        dir.join("env"),
        format!(
            "export SOFTHSM2_CONF='{}'\nexport VSS_PKCS11_MODULE='{SOFTHSM_MODULE}'\n",
            conf.display()
        ),
    )?;
    Ok(manifest)
}

fn init_token(pkcs11: &Pkcs11, label: &str) -> Result<Slot> {
    let free = pkcs11
        .get_all_slots()?
        .into_iter()
        .find(|slot| {
            pkcs11
                .get_token_info(*slot)
                .map(|i| !i.token_initialized())
                .unwrap_or(false)
        })
        .ok_or_else(|| anyhow!("SoftHSM2 has no free slot"))?;
    pkcs11.init_token(free, &AuthPin::new(SO_PIN.into()), label)?;
    // SoftHSM2 renumbers slots after initialisation: find the token again by label.
    let slot = pkcs11
        .get_slots_with_token()?
        .into_iter()
        .find(|slot| {
            pkcs11
                .get_token_info(*slot)
                .map(|i| i.label().trim() == label)
                .unwrap_or(false)
        })
        .ok_or_else(|| anyhow!("token {label} not found after init"))?;
    let session = pkcs11.open_rw_session(slot)?;
    session.login(UserType::So, Some(&AuthPin::new(SO_PIN.into())))?;
    session.init_pin(&AuthPin::new(USER_PIN.into()))?;
    session.logout()?;
    Ok(slot)
}

/// Generates the key pair on the token and returns its SubjectPublicKeyInfo DER.
fn generate_key(session: &Session, cert: &CertSpec, cka_id: &[u8]) -> Result<Vec<u8>> {
    let label = Attribute::Label(cert.name.as_bytes().to_vec());
    let common = |extra: Vec<Attribute>| {
        let mut attrs = vec![
            Attribute::Token(true),
            Attribute::Id(cka_id.to_vec()),
            label.clone(),
        ];
        attrs.extend(extra);
        attrs
    };
    let private = common(vec![
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Sign(true),
    ]);
    match cert.key {
        KeyKind::Rsa2048 => {
            let public = common(vec![
                Attribute::Verify(true),
                Attribute::ModulusBits(2048.into()),
                Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
            ]);
            let (public_handle, _) =
                session.generate_key_pair(&Mechanism::RsaPkcsKeyPairGen, &public, &private)?;
            let attrs = session.get_attributes(
                public_handle,
                &[AttributeType::Modulus, AttributeType::PublicExponent],
            )?;
            let (mut n, mut e) = (Vec::new(), Vec::new());
            for attr in attrs {
                match attr {
                    Attribute::Modulus(v) => n = v,
                    Attribute::PublicExponent(v) => e = v,
                    _ => {}
                }
            }
            use rsa::pkcs8::EncodePublicKey;
            let key = rsa::RsaPublicKey::new(
                rsa::BigUint::from_bytes_be(&n),
                rsa::BigUint::from_bytes_be(&e),
            )?;
            Ok(key.to_public_key_der()?.as_bytes().to_vec())
        }
        KeyKind::EcP256 => {
            let public = common(vec![
                Attribute::Verify(true),
                Attribute::EcParams(P256_OID_DER.to_vec()),
            ]);
            let (public_handle, _) =
                session.generate_key_pair(&Mechanism::EccKeyPairGen, &public, &private)?;
            let point = session
                .get_attributes(public_handle, &[AttributeType::EcPoint])?
                .into_iter()
                .find_map(|a| {
                    if let Attribute::EcPoint(v) = a {
                        Some(v)
                    } else {
                        None
                    }
                })
                .ok_or_else(|| anyhow!("no EC point"))?;
            // CKA_EC_POINT is a DER OCTET STRING around the SEC1 point (65 bytes for P-256).
            let sec1 = point
                .get(2..)
                .filter(|_| point.first() == Some(&0x04))
                .ok_or_else(|| anyhow!("bad EC point"))?;
            use p256::pkcs8::EncodePublicKey;
            let key = p256::PublicKey::from_sec1_bytes(sec1)?;
            Ok(key.to_public_key_der()?.as_bytes().to_vec())
        }
    }
}

fn make_ca() -> Result<(String, Issuer<'static, KeyPair>, String)> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::OrganizationName, "VSS Token Signing tests");
    dn.push(DnType::CommonName, "VSS Test Root CA - NOT A REAL CA");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = OffsetDateTime::now_utc() - Duration::days(3650);
    params.not_after = OffsetDateTime::now_utc() + Duration::days(3650);
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    let key_pem = key.serialize_pem();
    Ok((cert.pem(), Issuer::new(params, key), key_pem))
}

fn issue(
    cert: &CertSpec,
    spki: &[u8],
    issuer: &Issuer<'_, KeyPair>,
    addresses: &Addresses,
) -> Result<Vec<u8>> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::StateOrProvinceName, "Hồ Chí Minh");
    if let Some(o) = cert.organization {
        dn.push(DnType::OrganizationName, o);
    }
    dn.push(DnType::CommonName, cert.common_name);
    for uid in &cert.uids {
        dn.push(DnType::CustomDnType(UID_OID.to_vec()), *uid);
    }
    params.distinguished_name = dn;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    let now = OffsetDateTime::now_utc();
    (params.not_before, params.not_after) = match cert.validity {
        Validity::Current { days } => (now - Duration::days(1), now + Duration::days(days)),
        Validity::Expired => (now - Duration::days(395), now - Duration::days(30)),
        Validity::NotYetValid => (now + Duration::days(30), now + Duration::days(395)),
    };
    if let Some(url) = &addresses.ocsp {
        params.custom_extensions.push(pki::aia_ocsp(url));
    }
    if let Some(url) = &addresses.crl {
        params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
            uris: vec![url.clone()],
        }];
    }
    let serial: Vec<u8> = Sha256::digest(spki)[..16].to_vec();
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    let public = SubjectPublicKeyInfo::from_der(spki)?;
    Ok(params.signed_by(&public, issuer)?.der().to_vec())
}

/// PEM text of a DER object.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64_lines::encode_lines;
    format!(
        "-----BEGIN {label}-----\n{}-----END {label}-----\n",
        encode_lines(der)
    )
}

mod base64_lines {
    /// PEM body: base64 in lines of 64 characters.
    pub fn encode_lines(der: &[u8]) -> String {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 1);
        for line in b64.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).unwrap_or_default());
            out.push('\n');
        }
        out
    }
}
