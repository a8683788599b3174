//! Is this computer ready to sign, and if not, what is the one thing to do? The token-side
//! checks every front end shows the same way: `vss doctor` (with its deployment checks around
//! them), the extension popup (through `status`'s `readiness`), and the tray's icon and menu.
//!
//! States: **ready**; **attention** — a certificate expires within
//! [`limits::EXPIRY_WARNING_DAYS`], PIN tries are low; **problem** — no driver, no token, a
//! locked PIN, only expired (or not yet valid) certificates, a revoked certificate.

use time::OffsetDateTime;
use vss_protocol::messages::text;
use vss_protocol::readiness::{Finding, Level, Readiness, TokenCertificates};
use vss_protocol::{limits, Certificate, Error, ErrorCode, Lang, PinState};

use crate::service::Service;

/// Checks the driver, the tokens, their PIN state and certificates, as of `now`.
pub fn assess(service: &Service, lang: Lang, now: OffsetDateTime) -> Readiness {
    let mut findings = Vec::new();
    let mut tokens_out = Vec::new();
    let modules = service.modules();
    // A driver that crashed the agent or `vss` lately (found from the record the crash left):
    // the crash is past, but the driver may do it again.
    if let Some(crash) = modules.recent_crashes().first() {
        findings.push(Finding {
            check: "driver".into(),
            level: Level::Attention,
            code: None,
            message: text(
                lang,
                "doctor-driver-crashed",
                &[
                    ("path", crash.path.clone()),
                    ("time", crash.at.clone()),
                    ("function", crash.function.clone()),
                ],
            ),
            hint: Some(text(lang, "doctor-driver-crashed-hint", &[])),
        });
    }
    for status in modules
        .statuses()
        .into_iter()
        .filter(|m| m.loaded && !m.unresponsive)
    {
        findings.push(Finding {
            check: "module".into(),
            level: Level::Ready,
            code: None,
            message: text(lang, "doctor-module-ok", &[("path", status.path)]),
            hint: None,
        });
    }
    match modules.tokens() {
        Err(err) => findings.push(problem("module", &err, lang)),
        Ok(tokens) if tokens.is_empty() => {
            findings.push(problem("token", &Error::new(ErrorCode::NoToken), lang))
        }
        Ok(tokens) => {
            let certificates = modules.signing_certificates(now, true);
            for token in &tokens {
                findings.push(token_finding(&token.label, token.pin_state(), lang));
            }
            match certificates {
                Err(err) => findings.push(problem("certificate", &err, lang)),
                Ok(certs) if certs.is_empty() => findings.push(problem(
                    "certificate",
                    &Error::new(ErrorCode::NoCertificates),
                    lang,
                )),
                Ok(certs) => {
                    let any_valid = certs.iter().any(|(_, r)| r.certificate.valid_now);
                    let candidates = crate::revocation::issuer_candidates(service, &modules, now);
                    for (_, record) in &certs {
                        findings.push(certificate_finding(
                            &record.certificate,
                            record.check_validity(now).err(),
                            any_valid,
                            lang,
                        ));
                        // Chain and revocation of the certificates that can still sign.
                        if record.certificate.valid_now {
                            let trust = crate::revocation::certificate_trust(
                                service,
                                &record.der,
                                &candidates,
                                now,
                            );
                            findings.extend(crate::revocation::findings(
                                service,
                                &record.certificate,
                                &trust,
                                &certificate_name(&record.certificate, lang),
                                lang,
                            ));
                        }
                    }
                    for token in &tokens {
                        tokens_out.push(TokenCertificates {
                            token: token.report(),
                            certificates: certs
                                .iter()
                                .filter(|(t, _)| t.module == token.module && t.slot == token.slot)
                                .map(|(_, r)| r.certificate.clone())
                                .collect(),
                        });
                    }
                }
            }
            if tokens_out.is_empty() {
                tokens_out = tokens
                    .iter()
                    .map(|t| TokenCertificates {
                        token: t.report(),
                        certificates: Vec::new(),
                    })
                    .collect();
            }
        }
    }
    // Drivers that did not answer in time while the tokens were listed.
    for err in modules.unresponsive() {
        findings.push(problem("driver", &err, lang));
    }
    let state = findings
        .iter()
        .map(|f| f.level)
        .max()
        .unwrap_or(Level::Problem);
    let first = findings
        .iter()
        .find(|f| f.level == state && state != Level::Ready);
    let (headline, hint, code) = match first {
        Some(f) => (f.message.clone(), f.hint.clone(), f.code.clone()),
        None => (text(lang, "readiness-ready", &[]), None, None),
    };
    Readiness {
        state,
        headline,
        hint,
        code,
        findings,
        tokens: tokens_out,
    }
}

fn problem(check: &str, err: &Error, lang: Lang) -> Finding {
    let body = err.localize(lang);
    Finding {
        check: check.into(),
        level: Level::Problem,
        code: Some(err.code.as_str().into()),
        message: body.message,
        hint: Some(body.hint),
    }
}

fn token_finding(label: &str, pin: PinState, lang: Lang) -> Finding {
    let message = text(lang, "doctor-token", &[("label", label.to_string())]);
    if pin.locked {
        return problem("token", &Error::new(ErrorCode::PinLocked), lang);
    }
    if pin.count_low || pin.final_try {
        let id = if pin.final_try {
            "dialog-pin-final-try"
        } else {
            "dialog-pin-count-low"
        };
        return Finding {
            check: "token".into(),
            level: Level::Attention,
            code: None,
            message,
            hint: Some(text(lang, id, &[])),
        };
    }
    Finding {
        check: "token".into(),
        level: Level::Ready,
        code: None,
        message,
        hint: None,
    }
}

/// "The certificate of HOLDER, MST …".
fn certificate_name(c: &Certificate, lang: Lang) -> String {
    let unknown = text(lang, "dialog-unknown", &[]);
    text(
        lang,
        "doctor-certificate",
        &[
            ("holder", c.holder.clone()),
            ("mst", c.identity.mst.clone().unwrap_or(unknown)),
        ],
    )
}

/// An expired certificate is a problem only when no valid one is left beside it (a renewed
/// token often keeps the old certificate).
fn certificate_finding(
    c: &Certificate,
    invalid: Option<Error>,
    any_valid: bool,
    lang: Lang,
) -> Finding {
    let what = certificate_name(c, lang);
    let days = text(
        lang,
        "doctor-certificate-days",
        &[("days", c.expires_in_days.to_string())],
    );
    match invalid {
        Some(err) => {
            let body = err.localize(lang);
            Finding {
                check: "certificate".into(),
                level: if any_valid {
                    Level::Attention
                } else {
                    Level::Problem
                },
                code: Some(err.code.as_str().into()),
                message: format!("{what} — {}", body.message),
                hint: Some(body.hint),
            }
        }
        None if c.expires_in_days < limits::EXPIRY_WARNING_DAYS => Finding {
            check: "certificate".into(),
            level: Level::Attention,
            code: None,
            message: format!("{what}: {days}"),
            hint: Some(text(lang, "doctor-certificate-expiring", &[])),
        },
        None => Finding {
            check: "certificate".into(),
            level: Level::Ready,
            code: None,
            message: format!("{what}: {days}"),
            hint: None,
        },
    }
}
