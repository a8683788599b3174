//! What a verifier says about a signer certificate (subject, holder, Vietnamese identity,
//! validity) and `X509SubjectName` formatting. Whether its chain reaches a trust anchor is
//! `vss_cert::validate_path` (OpenSSL).

use serde::Serialize;
use time::OffsetDateTime;
use vss_protocol::{Error, ErrorCode, Identity, KeyInfo, TokenRef};
use x509_parser::der_parser::asn1_rs::Tag;
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

/// The certificate that made a signature, as reported by [`crate::verify`]. The identity and
/// holder are read by `vss-cert`, the same code that reads certificates on tokens.
#[derive(Debug, Clone, Serialize)]
pub struct SignerCertificate {
    /// Lowercase hex SHA-256 of the DER (the certificate `id` of the protocol).
    pub id: String,
    pub subject: String,
    pub issuer: String,
    /// Serial number, lowercase hex.
    pub serial: String,
    /// Subject CN, else O.
    pub holder: String,
    pub identity: Identity,
    pub key: KeyInfo,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    pub valid_now: bool,
    /// Validity at the signature's SigningTime claim; `None` without a (parsable) claim.
    pub valid_at_signing_time: Option<bool>,
}

pub(crate) fn parse_cert(der: &[u8]) -> Result<X509Certificate<'_>, Error> {
    match X509Certificate::from_der(der) {
        Ok((_, c)) => Ok(c),
        Err(e) => Err(Error::new(ErrorCode::XmlMalformed)
            .arg("reason", "a certificate in KeyInfo cannot be read")
            .cause(e)),
    }
}

fn valid_at(cert: &X509Certificate<'_>, at: OffsetDateTime) -> bool {
    let v = cert.validity();
    v.not_before.to_datetime() <= at && at <= v.not_after.to_datetime()
}

impl SignerCertificate {
    pub(crate) fn describe(der: &[u8], signing_time: Option<OffsetDateTime>) -> Option<Self> {
        let x509 = parse_cert(der).ok()?;
        let none = TokenRef {
            slot: 0,
            label: String::new(),
            serial: String::new(),
        };
        let (c, _) = vss_cert::parse_certificate(der, none, OffsetDateTime::now_utc()).ok()?;
        Some(SignerCertificate {
            id: c.id,
            subject: c.subject,
            issuer: c.issuer,
            serial: c.serial,
            holder: c.holder,
            identity: c.identity,
            key: c.key,
            not_before: c.not_before,
            not_after: c.not_after,
            valid_now: c.valid_now,
            valid_at_signing_time: signing_time.map(|t| valid_at(&x509, t)),
        })
    }
}

/// Reads a distinguished-name value of any string type (Vietnamese CAs use UTF8String and,
/// in older certificates, BMPString).
fn attr_string(attr: &x509_parser::x509::AttributeTypeAndValue<'_>) -> String {
    if let Ok(s) = attr.as_str() {
        return s.to_string();
    }
    let data = attr.attr_value().data;
    if attr.attr_value().tag() == Tag::BmpString {
        let units: Vec<u16> = data
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    String::from_utf8_lossy(data).into_owned()
}

fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        _ => return None,
    })
}

/// A distinguished name as an RFC 4514 string, the form `X509SubjectName` carries (XMLDSig
/// §4.4.4): most significant RDN last, unknown types as dotted OIDs.
pub(crate) fn rfc4514(name: &X509Name<'_>) -> String {
    let rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|a| {
                    let oid = a.attr_type().to_id_string();
                    let key = short_name(&oid).map(str::to_string).unwrap_or(oid);
                    format!("{key}={}", escape_dn_value(&attr_string(a)))
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(",")
}

fn escape_dn_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let last = v.chars().count().saturating_sub(1);
    for (i, c) in v.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
