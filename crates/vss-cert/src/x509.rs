//! X.509 certificates parsed with `x509-parser` into the protocol's certificate object
//! (DESIGN §2), whether they come from a token or from a signed document.

use base64::Engine;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vss_protocol::limits::SECONDS_PER_DAY;
use vss_protocol::{Certificate, Error, ErrorCode, KeyInfo, Result, TokenRef};
use x509_parser::certificate::X509Certificate;
use x509_parser::oid_registry::{
    OidRegistry, OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_NIST_EC_P521,
};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;

use crate::identity::identity_from_subject;

/// The lowercase hex SHA-256 of a certificate's DER: its id in the protocol.
pub fn certificate_id(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}

/// Reads a certificate reference from a request: an id (64 hex digits) or base64 DER.
pub fn reference_to_id(reference: &str) -> Result<String> {
    let reference = reference.trim();
    if reference.len() == 64 && reference.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(reference.to_ascii_lowercase());
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(reference)
        .map_err(|_| Error::bad_request("reason-certificate-reference"))?;
    Ok(certificate_id(&der))
}

/// `certificate_expired` / `certificate_not_yet_valid` unless `certificate` is valid at `now`.
pub fn check_validity(certificate: &Certificate, now: OffsetDateTime) -> Result<()> {
    let not_before =
        OffsetDateTime::parse(&certificate.not_before, &Rfc3339).map_err(Error::internal)?;
    let not_after =
        OffsetDateTime::parse(&certificate.not_after, &Rfc3339).map_err(Error::internal)?;
    if now > not_after {
        return Err(Error::new(ErrorCode::CertificateExpired)
            .arg("holder", certificate.holder.clone())
            .arg("date", display_date(not_after))
            .detail("not_after", certificate.not_after.clone()));
    }
    if now < not_before {
        return Err(Error::new(ErrorCode::CertificateNotYetValid)
            .arg("holder", certificate.holder.clone())
            .arg("date", display_date(not_before))
            .detail("not_before", certificate.not_before.clone()));
    }
    Ok(())
}

/// A date as Vietnamese users write it: dd/mm/yyyy.
pub fn display_date(t: OffsetDateTime) -> String {
    format!("{:02}/{:02}/{}", t.day(), u8::from(t.month()), t.year())
}

/// Parses DER into the protocol's certificate object, as of `now`, and says whether it is an
/// end-entity signing certificate (not a CA of the chain, key usage allows signing).
pub fn parse_certificate(
    der: &[u8],
    token: TokenRef,
    now: OffsetDateTime,
) -> Result<(Certificate, bool)> {
    let (_, x509) = X509Certificate::from_der(der)
        .map_err(|e| Error::internal(format!("certificate does not parse: {e}")))?;
    let registry = OidRegistry::default().with_x509();
    let attributes: Vec<(String, String)> = x509
        .subject()
        .iter_attributes()
        .filter_map(|attr| {
            let value = attr.as_str().ok()?.to_string();
            let oid = attr.attr_type();
            let name = match oid.to_id_string().as_str() {
                "0.9.2342.19200300.100.1.1" => "UID".to_string(),
                "2.5.4.3" => "CN".to_string(),
                "2.5.4.10" => "O".to_string(),
                other => registry
                    .get(oid)
                    .map(|e| e.sn().to_string())
                    .unwrap_or_else(|| other.to_string()),
            };
            Some((name, value))
        })
        .collect();
    let identity = identity_from_subject(attributes.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let find = |name: &str| {
        attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let holder = find("CN").or_else(|| find("O")).unwrap_or_default();

    let not_before = x509.validity().not_before.to_datetime();
    let not_after = x509.validity().not_after.to_datetime();
    let rfc3339 = |t: OffsetDateTime| t.format(&Rfc3339).map_err(Error::internal);

    let key = key_info(&x509)?;
    let (key_usage, is_ca) = usage(&x509);
    let signing_usage = key_usage.is_empty()
        || key_usage
            .iter()
            .any(|u| u == "digitalSignature" || u == "nonRepudiation");

    let certificate = Certificate {
        id: certificate_id(der),
        der: base64::engine::general_purpose::STANDARD.encode(der),
        subject: x509
            .subject()
            .to_string_with_registry(&registry)
            .unwrap_or_else(|_| x509.subject().to_string()),
        issuer: x509
            .issuer()
            .to_string_with_registry(&registry)
            .unwrap_or_else(|_| x509.issuer().to_string()),
        serial: hex::encode(x509.raw_serial()),
        not_before: rfc3339(not_before)?,
        not_after: rfc3339(not_after)?,
        valid_now: now >= not_before && now <= not_after,
        expires_in_days: (not_after - now)
            .whole_seconds()
            .div_euclid(SECONDS_PER_DAY),
        holder,
        identity,
        key,
        key_usage,
        token,
    };
    Ok((certificate, signing_usage && !is_ca))
}

fn key_info(x509: &X509Certificate<'_>) -> Result<KeyInfo> {
    let spki = x509.public_key();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => Ok(KeyInfo {
            algorithm: "RSA".into(),
            bits: Some(rsa.key_size() as u32),
            curve: None,
        }),
        Ok(PublicKey::EC(_)) if spki.algorithm.algorithm == OID_KEY_TYPE_EC_PUBLIC_KEY => {
            let curve_oid = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok());
            let curve = match curve_oid {
                Some(oid) if oid == OID_EC_P256 => "P-256",
                Some(oid) if oid == OID_NIST_EC_P384 => "P-384",
                Some(oid) if oid == OID_NIST_EC_P521 => "P-521",
                _ => "unknown",
            };
            let bits = match curve {
                "P-256" => Some(256),
                "P-384" => Some(384),
                "P-521" => Some(521),
                _ => None,
            };
            Ok(KeyInfo {
                algorithm: "EC".into(),
                bits,
                curve: Some(curve.into()),
            })
        }
        _ => Err(Error::new(ErrorCode::UnsupportedAlgorithm)
            .arg("algorithm", spki.algorithm.algorithm.to_id_string())),
    }
}

fn usage(x509: &X509Certificate<'_>) -> (Vec<String>, bool) {
    let mut names = Vec::new();
    if let Ok(Some(ku)) = x509.key_usage() {
        let ku = ku.value;
        let flags = [
            (ku.digital_signature(), "digitalSignature"),
            (ku.non_repudiation(), "nonRepudiation"),
            (ku.key_encipherment(), "keyEncipherment"),
            (ku.data_encipherment(), "dataEncipherment"),
            (ku.key_agreement(), "keyAgreement"),
            (ku.key_cert_sign(), "keyCertSign"),
            (ku.crl_sign(), "cRLSign"),
        ];
        names = flags
            .iter()
            .filter(|(set, _)| *set)
            .map(|(_, n)| n.to_string())
            .collect();
    }
    let is_ca = matches!(x509.basic_constraints(), Ok(Some(bc)) if bc.value.ca);
    (names, is_ca)
}
