//! Algorithm identifiers of XMLDSig and the public-key checks behind verification (RSA
//! PKCS#1 v1.5, RSA-PSS, ECDSA over P-256/P-384/P-521), on RustCrypto. Signing never happens
//! here: the private key lives on the token behind [`crate::XmlSigner`].

use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pss, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use vss_protocol::{Error, ErrorCode, HashAlgorithm};

use crate::KeyKind;

pub(crate) const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub(crate) const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

fn unsupported(uri: &str) -> Error {
    let shown: String = uri.chars().take(80).collect();
    Error::new(ErrorCode::UnsupportedAlgorithm).arg("algorithm", shown)
}

/// A running digest of one of the four hash algorithms.
#[derive(Clone)]
pub(crate) enum Hasher {
    Sha1(Sha1),
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl Hasher {
    pub fn new(alg: HashAlgorithm) -> Self {
        match alg {
            HashAlgorithm::Sha1 => Hasher::Sha1(Sha1::new()),
            HashAlgorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            HashAlgorithm::Sha384 => Hasher::Sha384(Sha384::new()),
            HashAlgorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    pub fn update(&mut self, b: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(b),
            Hasher::Sha256(h) => h.update(b),
            Hasher::Sha384(h) => h.update(b),
            Hasher::Sha512(h) => h.update(b),
        }
    }

    pub fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

pub(crate) fn digest(alg: HashAlgorithm, data: &[u8]) -> Vec<u8> {
    let mut h = Hasher::new(alg);
    h.update(data);
    h.finish()
}

/// `DigestMethod` URIs.
pub(crate) fn digest_uri(alg: HashAlgorithm) -> &'static str {
    match alg {
        HashAlgorithm::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
        HashAlgorithm::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
        HashAlgorithm::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
        HashAlgorithm::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
    }
}

pub(crate) fn digest_from_uri(uri: &str) -> Result<HashAlgorithm, Error> {
    [
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ]
    .into_iter()
    .find(|a| digest_uri(*a) == uri)
    .ok_or_else(|| unsupported(uri))
}

/// How a SignatureValue is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    RsaPkcs1,
    RsaPss,
    Ecdsa,
}

const SIGNATURE_METHODS: &[(&str, Scheme, HashAlgorithm)] = &[
    (
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        Scheme::RsaPkcs1,
        HashAlgorithm::Sha1,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        Scheme::RsaPkcs1,
        HashAlgorithm::Sha256,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        Scheme::RsaPkcs1,
        HashAlgorithm::Sha384,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        Scheme::RsaPkcs1,
        HashAlgorithm::Sha512,
    ),
    (
        "http://www.w3.org/2007/05/xmldsig-more#sha1-rsa-MGF1",
        Scheme::RsaPss,
        HashAlgorithm::Sha1,
    ),
    (
        "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
        Scheme::RsaPss,
        HashAlgorithm::Sha256,
    ),
    (
        "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1",
        Scheme::RsaPss,
        HashAlgorithm::Sha384,
    ),
    (
        "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1",
        Scheme::RsaPss,
        HashAlgorithm::Sha512,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1",
        Scheme::Ecdsa,
        HashAlgorithm::Sha1,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        Scheme::Ecdsa,
        HashAlgorithm::Sha256,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        Scheme::Ecdsa,
        HashAlgorithm::Sha384,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
        Scheme::Ecdsa,
        HashAlgorithm::Sha512,
    ),
];

/// The `SignatureMethod` this crate writes for a key (PKCS#1 v1.5 for RSA, as tokens do).
pub(crate) fn signature_method_uri(key: KeyKind, alg: HashAlgorithm) -> &'static str {
    let scheme = match key {
        KeyKind::Rsa { .. } => Scheme::RsaPkcs1,
        KeyKind::Ec { .. } => Scheme::Ecdsa,
    };
    SIGNATURE_METHODS
        .iter()
        .find(|(_, s, h)| *s == scheme && *h == alg)
        .map(|(u, _, _)| *u)
        .unwrap_or(SIGNATURE_METHODS[1].0)
}

pub(crate) fn signature_method_from_uri(uri: &str) -> Result<(Scheme, HashAlgorithm), Error> {
    SIGNATURE_METHODS
        .iter()
        .find(|(u, _, _)| *u == uri)
        .map(|(_, s, h)| (*s, *h))
        .ok_or_else(|| unsupported(uri))
}

/// A certificate's public key, ready to check signatures.
pub(crate) enum PublicKey {
    Rsa(RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
}

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_P521: &str = "1.3.132.0.35";

impl PublicKey {
    /// Reads the key of a parsed certificate.
    pub fn from_spki(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> Result<Self, Error> {
        let alg = spki.algorithm.algorithm.to_id_string();
        let bad = |e: &dyn std::fmt::Display| {
            Error::new(ErrorCode::UnsupportedAlgorithm)
                .arg("algorithm", "public key")
                .cause(e.to_string())
        };
        match alg.as_str() {
            OID_RSA => RsaPublicKey::from_public_key_der(spki.raw)
                .map(PublicKey::Rsa)
                .map_err(|e| bad(&e)),
            OID_EC => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .map(|o| o.to_id_string())
                    .unwrap_or_default();
                let point = spki.subject_public_key.data.as_ref();
                match curve.as_str() {
                    OID_P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map(PublicKey::P256)
                        .map_err(|e| bad(&e)),
                    OID_P384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map(PublicKey::P384)
                        .map_err(|e| bad(&e)),
                    OID_P521 => p521::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map(PublicKey::P521)
                        .map_err(|e| bad(&e)),
                    other => Err(unsupported(other)),
                }
            }
            other => Err(unsupported(other)),
        }
    }

    /// Checks `sig` over an already computed digest. ECDSA signatures are raw r||s when
    /// `raw_ecdsa` (XMLDSig) and DER otherwise (X.509).
    pub fn verify(
        &self,
        scheme: Scheme,
        alg: HashAlgorithm,
        digest: &[u8],
        sig: &[u8],
        raw_ecdsa: bool,
    ) -> bool {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        match (self, scheme) {
            (PublicKey::Rsa(k), Scheme::RsaPkcs1) => {
                let padding = match alg {
                    HashAlgorithm::Sha1 => Pkcs1v15Sign::new::<Sha1>(),
                    HashAlgorithm::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
                    HashAlgorithm::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
                    HashAlgorithm::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
                };
                k.verify(padding, digest, sig).is_ok()
            }
            (PublicKey::Rsa(k), Scheme::RsaPss) => {
                let padding = match alg {
                    HashAlgorithm::Sha1 => Pss::new::<Sha1>(),
                    HashAlgorithm::Sha256 => Pss::new::<Sha256>(),
                    HashAlgorithm::Sha384 => Pss::new::<Sha384>(),
                    HashAlgorithm::Sha512 => Pss::new::<Sha512>(),
                };
                k.verify(padding, digest, sig).is_ok()
            }
            (PublicKey::P256(k), Scheme::Ecdsa) => {
                let prehash = pad_prehash(digest, 32);
                let s = if raw_ecdsa {
                    p256::ecdsa::Signature::from_slice(sig).ok()
                } else {
                    p256::ecdsa::Signature::from_der(sig).ok()
                };
                s.is_some_and(|s| k.verify_prehash(&prehash, &s).is_ok())
            }
            (PublicKey::P384(k), Scheme::Ecdsa) => {
                let prehash = pad_prehash(digest, 48);
                let s = if raw_ecdsa {
                    p384::ecdsa::Signature::from_slice(sig).ok()
                } else {
                    p384::ecdsa::Signature::from_der(sig).ok()
                };
                s.is_some_and(|s| k.verify_prehash(&prehash, &s).is_ok())
            }
            (PublicKey::P521(k), Scheme::Ecdsa) => {
                let prehash = pad_prehash(digest, 66);
                let s = if raw_ecdsa {
                    p521::ecdsa::Signature::from_slice(sig).ok()
                } else {
                    p521::ecdsa::Signature::from_der(sig).ok()
                };
                s.is_some_and(|s| k.verify_prehash(&prehash, &s).is_ok())
            }
            _ => false,
        }
    }
}

/// ECDSA takes the leftmost bits of a digest longer than the curve order and the digest as an
/// integer when shorter; left-padding a short digest keeps its value and satisfies RustCrypto's
/// minimum prehash length (SHA-256 over P-521).
fn pad_prehash(digest: &[u8], field: usize) -> Vec<u8> {
    if digest.len() > field / 2 {
        return digest.to_vec();
    }
    let mut v = vec![0u8; field - digest.len()];
    v.extend_from_slice(digest);
    v
}
