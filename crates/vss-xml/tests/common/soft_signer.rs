//! A software key behind the same interface the token layer implements (tests and the
//! benchmark; the token's own signer comes later).

use p256::ecdsa::signature::hazmat::PrehashSigner;
use rsa::pkcs8::DecodePrivateKey;
use rsa::Pkcs1v15Sign;
use vss_protocol::{Error, HashAlgorithm};
use vss_xml::{EcCurve, KeyKind, XmlSigner};

#[allow(clippy::large_enum_variant)] // a handful per test run
pub enum SoftSigner {
    Rsa(rsa::RsaPrivateKey, Vec<u8>),
    P256(p256::ecdsa::SigningKey, Vec<u8>),
}

impl SoftSigner {
    /// From a PKCS#8 DER RSA key and its DER certificate.
    pub fn rsa(key_der: &[u8], cert_der: &[u8]) -> Self {
        SoftSigner::Rsa(
            rsa::RsaPrivateKey::from_pkcs8_der(key_der).expect("RSA key"),
            cert_der.to_vec(),
        )
    }

    /// From a PKCS#8 DER P-256 key and its DER certificate.
    pub fn p256(key_der: &[u8], cert_der: &[u8]) -> Self {
        SoftSigner::P256(
            p256::ecdsa::SigningKey::from_pkcs8_der(key_der).expect("EC key"),
            cert_der.to_vec(),
        )
    }
}

impl XmlSigner for SoftSigner {
    fn key(&self) -> KeyKind {
        match self {
            SoftSigner::Rsa(..) => KeyKind::Rsa { bits: 2048 },
            SoftSigner::P256(..) => KeyKind::Ec {
                curve: EcCurve::P256,
            },
        }
    }

    fn certificate_der(&self) -> &[u8] {
        match self {
            SoftSigner::Rsa(_, c) | SoftSigner::P256(_, c) => c,
        }
    }

    fn sign_digest(&mut self, alg: HashAlgorithm, digest: &[u8]) -> Result<Vec<u8>, Error> {
        alg.check_len(digest)?;
        match self {
            SoftSigner::Rsa(k, _) => {
                let padding = match alg {
                    HashAlgorithm::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
                    HashAlgorithm::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
                    HashAlgorithm::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
                    HashAlgorithm::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                k.sign(padding, digest).map_err(Error::internal)
            }
            SoftSigner::P256(k, _) => {
                let sig: p256::ecdsa::Signature =
                    k.sign_prehash(digest).map_err(Error::internal)?;
                Ok(sig.to_bytes().to_vec())
            }
        }
    }
}
