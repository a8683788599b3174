//! Revocation status of the product's own certificates, for every front end: before signing
//! (a revoked certificate is refused before any PIN; an unknown status continues with a notice
//! in the dialog, or is refused when the admin sets `refuse_unknown_revocation`), in `vss certs`
//! and `vss doctor`, and in readiness. The issuer is looked for among the tokens' certificates,
//! the bundled anchors and the configured `trust_anchors`, then at the CA's AIA caIssuers URL.

use serde::Serialize;
use time::OffsetDateTime;
use vss_cert::revocation::{self, Revocation, RevocationConfig};
use vss_cert::{display_date, PathFailure, PathReport};
use vss_protocol::messages::text;
use vss_protocol::readiness::{Finding, Level};
use vss_protocol::{Certificate, Error, ErrorCode, Lang, Result};
use vss_token::{CertificateRecord, Modules};

use crate::commands::verify_xml::load_anchors;
use crate::service::Service;

/// Certificates that may have issued the product's certificates: the tokens' own (a token often
/// holds its CA's certificate), the bundled roots and the configured anchors.
pub fn issuer_candidates(
    service: &Service,
    modules: &Modules,
    now: OffsetDateTime,
) -> Vec<Vec<u8>> {
    let mut candidates: Vec<Vec<u8>> = modules
        .certificates(now)
        .map(|all| all.into_iter().map(|(_, r)| r.der).collect())
        .unwrap_or_default();
    candidates.extend(load_anchors(&service.config.trust_anchors).unwrap_or_default());
    candidates
}

/// The status of `der` (OCSP, then CRL, cached until nextUpdate).
/// The issuer is looked for among `candidates`, then at the certificate's AIA caIssuers address.
pub fn status(der: &[u8], candidates: &[Vec<u8>], now: OffsetDateTime) -> Revocation {
    let config = RevocationConfig::default();
    if let Some(issuer) = revocation::find_issuer(der, candidates) {
        return revocation::check(der, Some(issuer), now, &config);
    }
    let fetched = revocation::fetch_issuers(der, &config);
    let issuer = revocation::find_issuer(der, &fetched);
    revocation::check(der, issuer, now, &config)
}

/// The check before any PIN: `certificate_revoked` for a revoked certificate,
/// `revocation_unknown` for an unknown status when the admin requires one; otherwise the line the
/// dialog shows about it.
pub fn before_signing(
    service: &Service,
    modules: &Modules,
    record: &CertificateRecord,
    lang: Lang,
) -> Result<String> {
    let now = OffsetDateTime::now_utc();
    let candidates = issuer_candidates(service, modules, now);
    let answer = status(&record.der, &candidates, now);
    tracing::info!(status = answer.code(), "revocation status before signing");
    match answer {
        Revocation::Revoked { revoked_at, .. } => Err(revoked(&record.certificate, &revoked_at)),
        Revocation::Unknown { reason, detail } => {
            if service.config.refuse_unknown_revocation {
                return Err(Error::new(ErrorCode::RevocationUnknown)
                    .arg("holder", record.certificate.holder.clone())
                    .detail("reason", reason.code())
                    .detail("detail", detail));
            }
            Ok(text(lang, "dialog-revocation-unknown", &[]))
        }
        Revocation::Good { .. } => Ok(text(lang, "dialog-revocation-good", &[])),
    }
}

/// `certificate_revoked` for `certificate`, revoked at `revoked_at` (RFC 3339).
fn revoked(certificate: &Certificate, revoked_at: &str) -> Error {
    Error::new(ErrorCode::CertificateRevoked)
        .arg("holder", certificate.holder.clone())
        .arg("date", display_rfc3339(revoked_at))
        .detail("revoked_at", revoked_at.to_string())
}

/// What `vss certs` and `vss doctor` say about one of the product's certificates: its
/// certification path (through the tokens' certificates to the anchors) and its revocation.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateTrust {
    /// The certificate id.
    pub id: String,
    pub chain: PathReport,
    pub revocation: Revocation,
}

/// [`CertificateTrust`] of `der`, as of `now`; `candidates` from [`issuer_candidates`].
pub fn certificate_trust(
    service: &Service,
    der: &[u8],
    candidates: &[Vec<u8>],
    now: OffsetDateTime,
) -> CertificateTrust {
    let anchors = load_anchors(&service.config.trust_anchors).unwrap_or_default();
    CertificateTrust {
        id: vss_cert::certificate_id(der),
        chain: vss_cert::validate_path(der, candidates, &anchors, now, None),
        revocation: status(der, candidates, now),
    }
}

/// The chain line of a path report, in words.
pub fn chain_line(path: &PathReport, lang: Lang) -> String {
    match path.failure() {
        None => {
            let names: Vec<String> = path.chain.iter().map(|l| l.subject.clone()).collect();
            text(lang, "chain-trusted", &[("chain", names.join(" → "))])
        }
        Some(f) => text(
            lang,
            "chain-untrusted",
            &[("reason", problem_text(f, lang))],
        ),
    }
}

/// Why a path is not trusted, in words.
pub fn problem_text(f: &PathFailure, lang: Lang) -> String {
    text(
        lang,
        &format!("chain-problem-{}", f.problem.code()),
        &[("subject", f.subject.clone()), ("detail", f.detail.clone())],
    )
}

/// Readiness findings for one certificate (`what` names it): the chain (information only) and
/// the revocation status — revoked is a problem; unknown is a warning only when the admin
/// refuses unknown statuses.
pub fn findings(
    service: &Service,
    certificate: &Certificate,
    trust: &CertificateTrust,
    what: &str,
    lang: Lang,
) -> Vec<Finding> {
    let chain = Finding {
        check: "chain".into(),
        level: Level::Ready,
        code: None,
        message: format!("{what} — {}", chain_line(&trust.chain, lang)),
        hint: None,
    };
    let line = format!("{what} — {}", describe(&trust.revocation, lang));
    let revocation = match &trust.revocation {
        Revocation::Revoked { revoked_at, .. } => {
            let err = revoked(certificate, revoked_at);
            Finding {
                check: "revocation".into(),
                level: Level::Problem,
                code: Some(err.code.as_str().into()),
                message: line,
                hint: Some(err.localize(lang).hint),
            }
        }
        Revocation::Unknown { .. } if service.config.refuse_unknown_revocation => {
            let err =
                Error::new(ErrorCode::RevocationUnknown).arg("holder", certificate.holder.clone());
            Finding {
                check: "revocation".into(),
                level: Level::Attention,
                code: Some(err.code.as_str().into()),
                message: line,
                hint: Some(err.localize(lang).hint),
            }
        }
        _ => Finding {
            check: "revocation".into(),
            level: Level::Ready,
            code: None,
            message: line,
            hint: None,
        },
    };
    vec![chain, revocation]
}

/// One line about a status, for people (`vss certs`, `vss doctor`, `vss verify-xml`).
pub fn describe(answer: &Revocation, lang: Lang) -> String {
    match answer {
        Revocation::Good { source, .. } => text(
            lang,
            "revocation-good",
            &[("source", source.label().into())],
        ),
        Revocation::Revoked { revoked_at, .. } => text(
            lang,
            "revocation-revoked",
            &[("date", display_rfc3339(revoked_at))],
        ),
        Revocation::Unknown { reason, .. } => {
            let why = text(lang, &format!("revocation-reason-{}", reason.code()), &[]);
            text(lang, "revocation-unknown", &[("reason", why)])
        }
    }
}

fn display_rfc3339(t: &str) -> String {
    OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .map(display_date)
        .unwrap_or_else(|_| t.to_string())
}
