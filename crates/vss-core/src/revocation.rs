//! Revocation status of the product's own certificates, for every front end: before signing
//! (a revoked certificate is refused before any PIN; an unknown status continues with a notice
//! in the dialog, or is refused when the admin sets `refuse_unknown_revocation`), in `vss certs`
//! and `vss doctor`, and in readiness. The issuer is looked for among the tokens' certificates,
//! the bundled anchors and the configured `trust_anchors`.

use time::OffsetDateTime;
use vss_cert::display_date;
use vss_cert::revocation::{self, Revocation, RevocationConfig};
use vss_protocol::messages::text;
use vss_protocol::{Error, ErrorCode, Lang, Result};
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
pub fn status(der: &[u8], candidates: &[Vec<u8>], now: OffsetDateTime) -> Revocation {
    let issuer = revocation::find_issuer(der, candidates);
    revocation::check(der, issuer, now, &RevocationConfig::default())
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
        Revocation::Revoked { revoked_at, .. } => Err(Error::new(ErrorCode::CertificateRevoked)
            .arg("holder", record.certificate.holder.clone())
            .arg("date", display_rfc3339(&revoked_at))
            .detail("revoked_at", revoked_at)),
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

/// One line about a status, for people (`vss certs`, `vss doctor`, `vss verify-xml`).
pub fn describe(answer: &Revocation, lang: Lang) -> String {
    match answer {
        Revocation::Good { source, .. } => {
            let source = match source {
                revocation::Source::Ocsp => "OCSP",
                revocation::Source::Crl => "CRL",
            };
            text(lang, "revocation-good", &[("source", source.into())])
        }
        Revocation::Revoked { revoked_at, .. } => text(
            lang,
            "revocation-revoked",
            &[("date", display_rfc3339(revoked_at).into())],
        ),
        Revocation::Unknown { reason, .. } => {
            let why = text(lang, &format!("revocation-reason-{}", reason.code()), &[]);
            text(lang, "revocation-unknown", &[("reason", why.into())])
        }
    }
}

fn display_rfc3339(t: &str) -> String {
    OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .map(display_date)
        .unwrap_or_else(|_| t.to_string())
}
