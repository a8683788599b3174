//! Certification path validation: does a signer's certificate chain, through the intermediates
//! at hand (a document's KeyInfo, a token's other certificates), to a trust anchor, with every
//! rule of RFC 5280 §6 that matters here checked — the signatures along the path, basic
//! constraints (CA and path length), key usage (keyCertSign for every issuer), validity periods,
//! name chaining and critical extensions — at the document's claimed signing time and now.
//!
//! The rules are not hand-written: OpenSSL's `X509_verify_cert` (through the `openssl` crate's
//! `X509Store` + `X509StoreContext`) builds and checks the path. Why OpenSSL and not a Rust
//! validator:
//! - it is what xmlsec1 (the reference verifier of DESIGN §4) itself calls, so "trusted" here
//!   and "trusted" for xmlsec1 come from the same code;
//! - `webpki`/`rustls-webpki` validate TLS server and client certificates only: they require an
//!   extended key usage of a TLS kind (or none) and have no notion of a document signer's
//!   digitalSignature/nonRepudiation, no validation at a past time other than "now" passed in,
//!   and no OCSP/CRL machinery; the Vietnamese CAs' signing certificates carry EKUs such as
//!   emailProtection/clientAuth/documentSigning that webpki's TLS usages do not model;
//! - OpenSSL also brings OCSP request/response handling and CRL parsing (`openssl::ocsp`,
//!   `X509Crl`), which revocation needs: one maintained dependency instead of three.
//!
//! Linux links the system libssl (libssl-dev); the Windows build compiles OpenSSL from source
//! (`vendored`, see Cargo.toml). Only the signer's own key usage (digitalSignature or
//! nonRepudiation) is checked here on top of OpenSSL, which leaves the end entity's purpose to
//! the application.

use std::fmt;

use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use openssl::x509::{X509Ref, X509StoreContext, X509};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::x509::certificate_id;

/// Why a path is not trusted. Stable snake_case strings (reports, JSON, message keys
/// `chain-problem-<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PathProblem {
    /// No trust anchor is configured.
    NoAnchor,
    /// A certificate does not parse.
    Malformed,
    /// No issuer of a certificate was found among the intermediates and anchors (the names do
    /// not chain, or the issuer is missing).
    UnknownIssuer,
    /// A self-signed certificate that is not an anchor.
    SelfSignedNotAnchor,
    /// A signature along the path does not verify with its issuer's key.
    BadSignature,
    /// An issuer is not a CA (basic constraints absent or CA:FALSE).
    IssuerNotCa,
    /// An issuer's key usage does not allow keyCertSign.
    IssuerWithoutKeyCertSign,
    /// An issuer's pathLenConstraint is exceeded.
    PathLengthExceeded,
    /// A certificate of the path has expired (at the time checked).
    Expired,
    /// A certificate of the path is not yet valid (at the time checked).
    NotYetValid,
    /// A certificate carries a critical extension the validator does not know.
    UnhandledCriticalExtension,
    /// The signer's key usage allows neither digitalSignature nor nonRepudiation.
    SignerKeyUsage,
    /// Any other rule of the validator.
    Other,
}

impl PathProblem {
    /// The stable string (`issuer_not_ca`, …).
    pub fn code(self) -> &'static str {
        match self {
            PathProblem::NoAnchor => "no_anchor",
            PathProblem::Malformed => "malformed",
            PathProblem::UnknownIssuer => "unknown_issuer",
            PathProblem::SelfSignedNotAnchor => "self_signed_not_anchor",
            PathProblem::BadSignature => "bad_signature",
            PathProblem::IssuerNotCa => "issuer_not_ca",
            PathProblem::IssuerWithoutKeyCertSign => "issuer_without_key_cert_sign",
            PathProblem::PathLengthExceeded => "path_length_exceeded",
            PathProblem::Expired => "expired",
            PathProblem::NotYetValid => "not_yet_valid",
            PathProblem::UnhandledCriticalExtension => "unhandled_critical_extension",
            PathProblem::SignerKeyUsage => "signer_key_usage",
            PathProblem::Other => "other",
        }
    }

    /// Every problem, for catalogue tests.
    pub const ALL: [PathProblem; 13] = [
        PathProblem::NoAnchor,
        PathProblem::Malformed,
        PathProblem::UnknownIssuer,
        PathProblem::SelfSignedNotAnchor,
        PathProblem::BadSignature,
        PathProblem::IssuerNotCa,
        PathProblem::IssuerWithoutKeyCertSign,
        PathProblem::PathLengthExceeded,
        PathProblem::Expired,
        PathProblem::NotYetValid,
        PathProblem::UnhandledCriticalExtension,
        PathProblem::SignerKeyUsage,
        PathProblem::Other,
    ];
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A failed check: what, where in the path (0 = the signer), on which certificate, and the
/// validator's own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathFailure {
    pub problem: PathProblem,
    pub depth: u32,
    /// Subject of the certificate at fault (RFC 4514-ish, as x509-parser prints it).
    pub subject: String,
    /// OpenSSL's verify error string (English), for logs and experts.
    pub detail: String,
}

/// One certificate of a built path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainLink {
    /// Lowercase hex SHA-256 of the DER.
    pub id: String,
    pub subject: String,
    pub issuer: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
}

/// The outcome at one point in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathAtTime {
    /// RFC 3339.
    pub time: String,
    pub trusted: bool,
    pub failure: Option<PathFailure>,
}

/// Path validation of one certificate: now, and at the claimed signing time when there is one.
/// `trusted` is the answer now (a claimed signing time is the signer's word, not proof).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathReport {
    pub trusted: bool,
    pub now: PathAtTime,
    pub at_signing_time: Option<PathAtTime>,
    /// The path the validator built, signer first, anchor last (as built now; empty when no
    /// path reached an anchor).
    pub chain: Vec<ChainLink>,
}

impl PathReport {
    /// The failure now, if any.
    pub fn failure(&self) -> Option<&PathFailure> {
        self.now.failure.as_ref()
    }
}

/// Validates the path from `signer` (DER) through `intermediates` (DER, in any order; the
/// signer itself and unrelated certificates may be among them) to one of `anchors` (DER).
/// An anchor may be a root or any certificate the administrator chose to trust (a CA's
/// intermediate, or the signer itself): the path ends at the first anchor reached.
pub fn validate_path(
    signer: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &[Vec<u8>],
    now: OffsetDateTime,
    signing_time: Option<OffsetDateTime>,
) -> PathReport {
    let (now_result, chain) = verify_at(signer, intermediates, anchors, now);
    let at_signing_time = signing_time.map(|t| verify_at(signer, intermediates, anchors, t).0);
    PathReport {
        trusted: now_result.trusted,
        now: now_result,
        at_signing_time,
        chain,
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn subject_of(der: &[u8]) -> String {
    X509Certificate::from_der(der)
        .map(|(_, c)| c.subject().to_string())
        .unwrap_or_default()
}

fn failure(problem: PathProblem, depth: u32, der: &[u8], detail: &str) -> PathFailure {
    PathFailure {
        problem,
        depth,
        subject: subject_of(der),
        detail: detail.to_string(),
    }
}

fn verify_at(
    signer: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &[Vec<u8>],
    at: OffsetDateTime,
) -> (PathAtTime, Vec<ChainLink>) {
    let outcome = |failure: Option<PathFailure>| PathAtTime {
        time: rfc3339(at),
        trusted: failure.is_none(),
        failure,
    };
    if anchors.is_empty() {
        let f = failure(
            PathProblem::NoAnchor,
            0,
            signer,
            "no trust anchor configured",
        );
        return (outcome(Some(f)), Vec::new());
    }
    match openssl_verify(signer, intermediates, anchors, at) {
        Ok((None, chain)) => match signer_usage_failure(signer) {
            Some(f) => (outcome(Some(f)), chain),
            None => (outcome(None), chain),
        },
        Ok((Some(f), _)) => (outcome(Some(f)), Vec::new()),
        Err(e) => {
            let f = failure(PathProblem::Malformed, 0, signer, &e.to_string());
            (outcome(Some(f)), Vec::new())
        }
    }
}

type Verified = (Option<PathFailure>, Vec<ChainLink>);

fn openssl_verify(
    signer: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &[Vec<u8>],
    at: OffsetDateTime,
) -> Result<Verified, openssl::error::ErrorStack> {
    let leaf = X509::from_der(signer)?;
    let mut store = X509StoreBuilder::new()?;
    for anchor in anchors {
        // An unreadable anchor file is the configuration's problem: it simply anchors nothing.
        if let Ok(a) = X509::from_der(anchor) {
            store.add_cert(a)?;
        }
    }
    let mut param = X509VerifyParam::new()?;
    // An anchor is trusted as such even when it is not self-signed (an administrator may
    // anchor a licensed CA's intermediate).
    // No X509_STRICT: xmlsec1 does not set it and older Vietnamese certificates would fail it.
    param.set_flags(X509VerifyFlags::PARTIAL_CHAIN)?;
    param.set_time(at.unix_timestamp() as _);
    store.set_param(&param)?;
    let store = store.build();
    let mut pool = Stack::new()?;
    for der in intermediates {
        if der.as_slice() == signer {
            continue;
        }
        if let Ok(c) = X509::from_der(der) {
            pool.push(c)?;
        }
    }
    let mut ctx = X509StoreContext::new()?;
    ctx.init(&store, &leaf, &pool, |ctx| {
        if ctx.verify_cert()? {
            let chain = ctx
                .chain()
                .map(|c| c.iter().filter_map(link).collect())
                .unwrap_or_default();
            return Ok((None, chain));
        }
        let depth = ctx.error_depth();
        let at_fault = ctx
            .current_cert()
            .and_then(|c| c.to_der().ok())
            .unwrap_or_else(|| signer.to_vec());
        let error = ctx.error();
        let problem = classify(error.as_raw(), &at_fault);
        Ok((
            Some(failure(problem, depth, &at_fault, error.error_string())),
            Vec::new(),
        ))
    })
}

fn link(c: &X509Ref) -> Option<ChainLink> {
    let der = c.to_der().ok()?;
    let (_, x) = X509Certificate::from_der(&der).ok()?;
    Some(ChainLink {
        id: certificate_id(&der),
        subject: x.subject().to_string(),
        issuer: x.issuer().to_string(),
        not_before: rfc3339(x.validity().not_before.to_datetime()),
        not_after: rfc3339(x.validity().not_after.to_datetime()),
    })
}

/// Maps OpenSSL's verify error to the product's problem; "invalid CA" is split by looking at
/// the certificate at fault (CA:FALSE or no basic constraints, vs. no keyCertSign).
fn classify(code: i32, der: &[u8]) -> PathProblem {
    use openssl_sys as ffi;
    match code {
        ffi::X509_V_ERR_CERT_HAS_EXPIRED => PathProblem::Expired,
        ffi::X509_V_ERR_CERT_NOT_YET_VALID => PathProblem::NotYetValid,
        ffi::X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT
        | ffi::X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        | ffi::X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE => PathProblem::UnknownIssuer,
        ffi::X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT | ffi::X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN => {
            PathProblem::SelfSignedNotAnchor
        }
        ffi::X509_V_ERR_CERT_SIGNATURE_FAILURE
        | ffi::X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY => PathProblem::BadSignature,
        ffi::X509_V_ERR_PATH_LENGTH_EXCEEDED => PathProblem::PathLengthExceeded,
        ffi::X509_V_ERR_KEYUSAGE_NO_CERTSIGN => PathProblem::IssuerWithoutKeyCertSign,
        ffi::X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION => PathProblem::UnhandledCriticalExtension,
        ffi::X509_V_ERR_INVALID_CA => match X509Certificate::from_der(der) {
            Ok((_, c)) => match c.basic_constraints() {
                Ok(Some(bc)) if bc.value.ca => PathProblem::IssuerWithoutKeyCertSign,
                _ => PathProblem::IssuerNotCa,
            },
            Err(_) => PathProblem::Malformed,
        },
        _ => PathProblem::Other,
    }
}

/// The signer's own purpose: a key usage extension, when present, must allow
/// digitalSignature or nonRepudiation (RFC 5280 §4.2.1.3; no extension allows every use).
fn signer_usage_failure(signer: &[u8]) -> Option<PathFailure> {
    let (_, c) = X509Certificate::from_der(signer).ok()?;
    match c.key_usage() {
        Ok(Some(ku)) if !ku.value.digital_signature() && !ku.value.non_repudiation() => {
            Some(failure(
                PathProblem::SignerKeyUsage,
                0,
                signer,
                "key usage allows neither digitalSignature nor nonRepudiation",
            ))
        }
        _ => None,
    }
}
