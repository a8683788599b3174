//! `verify-xml` `{"xml": base64}` → the verification report (DESIGN §4, §7), three answers per
//! signature: valid or not, chain trusted or not (and why), revocation good / revoked at T /
//! unknown (and why). Signer, identity and signing time beside them. For the extension's
//! dossier page and local callers; `vss verify-xml` shares the anchor loading, the revocation
//! step and the text lines.

use std::path::{Path, PathBuf};

use base64::Engine;
use vss_config::Config;
use vss_protocol::command::VerifyXmlArgs;
use vss_protocol::{limits, Error, ErrorCode, Lang, Result};
use vss_xml::{VerifyOptions, VerifyReport};

use crate::caller::Caller;
use crate::service::Service;

pub fn run(
    service: &Service,
    caller: &Caller,
    lang: Lang,
    args: &VerifyXmlArgs,
) -> Result<VerifyReport> {
    let xml = base64::engine::general_purpose::STANDARD
        .decode(args.xml.trim())
        .map_err(|_| Error::bad_request("reason-xml-base64"))?;
    let opts = configured_verify_options(&service.config, &[], caller, lang)?;
    verify_document(&xml, &opts)
}

/// The three answers for one document: `vss_xml::verify` (validity, chain) and the signers'
/// revocation. What every door verifies with (this command, `vss verify-xml`, the tray).
pub fn verify_document(xml: &[u8], opts: &VerifyOptions) -> Result<VerifyReport> {
    let mut report = vss_xml::verify(xml, opts)?;
    add_revocation(&mut report, &opts.trust_anchors);
    Ok(report)
}

/// Fills each signature's revocation status (OCSP, then CRL, cached), the issuer taken from the
/// document's KeyInfo or the anchors. A revoked signer makes the report untrusted.
fn add_revocation(report: &mut VerifyReport, anchors: &[Vec<u8>]) {
    let now = time::OffsetDateTime::now_utc();
    for sig in &mut report.signatures {
        let Some(id) = sig.certificate.as_ref().map(|c| c.id.clone()) else {
            continue;
        };
        let Some(signer) = sig
            .key_info_certificates
            .iter()
            .find(|der| vss_cert::certificate_id(der) == id)
            .cloned()
        else {
            continue;
        };
        let mut candidates = sig.key_info_certificates.clone();
        candidates.extend(anchors.iter().cloned());
        let status = crate::revocation::status(&signer, &candidates, now);
        if status.is_revoked() {
            sig.trusted = false;
        }
        sig.revocation = Some(status);
    }
    report.trusted = report.trusted && report.signatures.iter().all(|s| s.trusted);
}

/// The chain and revocation answers of one signature, in words: "trusted (A → B → C)" or
/// "not trusted — why", the answer at the claimed signing time, and the revocation status.
pub fn trust_lines(sig: &vss_xml::SignatureReport, lang: vss_protocol::Lang) -> Vec<String> {
    use vss_protocol::messages::text;
    let mut lines = Vec::new();
    let reason = |f: &vss_cert::PathFailure| {
        text(
            lang,
            &format!("chain-problem-{}", f.problem.code()),
            &[("subject", f.subject.clone()), ("detail", f.detail.clone())],
        )
    };
    match &sig.chain {
        Some(path) if path.trusted => {
            let names: Vec<String> = path.chain.iter().map(|l| l.subject.clone()).collect();
            lines.push(text(lang, "chain-trusted", &[("chain", names.join(" → "))]));
        }
        Some(path) => {
            let why = path.failure().map(reason).unwrap_or_default();
            lines.push(text(lang, "chain-untrusted", &[("reason", why)]));
        }
        None => lines.push(text(lang, "cli-verify-untrusted", &[])),
    }
    if let Some(then) = sig.chain.as_ref().and_then(|p| p.at_signing_time.as_ref()) {
        let line = match &then.failure {
            None => text(
                lang,
                "chain-at-signing-time-trusted",
                &[("time", then.time.clone())],
            ),
            Some(f) => text(
                lang,
                "chain-at-signing-time-untrusted",
                &[("time", then.time.clone()), ("reason", reason(f))],
            ),
        };
        lines.push(line);
    }
    if let Some(status) = &sig.revocation {
        lines.push(crate::revocation::describe(status, lang));
    }
    lines
}

/// The options every door verifies with: the configured anchors plus `extra`, the admin's
/// `[verify]` rules (SHA-1 rejected or a warning), findings in `lang`.
pub fn configured_verify_options(
    config: &Config,
    extra: &[PathBuf],
    caller: &Caller,
    lang: Lang,
) -> Result<VerifyOptions> {
    let anchors: Vec<PathBuf> = config.trust_anchors.iter().chain(extra).cloned().collect();
    let mut opts = verify_options(&anchors, caller)?;
    opts.lang = lang;
    opts.reject_sha1 = config.reject_sha1;
    Ok(opts)
}

/// The verification options for `caller` with the anchors in `paths` (PEM files).
pub fn verify_options(paths: &[PathBuf], caller: &Caller) -> Result<VerifyOptions> {
    Ok(VerifyOptions {
        trust_anchors: load_anchors(paths)?,
        allow_doctype: caller.may_send_doctype(),
        ..Default::default()
    })
}

/// The bundled roots (pinned, `vss_cert::anchors`) and every PEM certificate of each file.
pub fn load_anchors(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>> {
    let mut anchors = vss_cert::bundled_anchors();
    for path in paths {
        let bytes = crate::files::read_input(path, limits::PEM_FILE_MAX_BYTES)?;
        for pem in x509_parser::pem::Pem::iter_from_buffer(&bytes) {
            let pem = pem.map_err(|e| file_error(path, e))?;
            anchors.push(pem.contents);
        }
    }
    Ok(anchors)
}

/// `file_unreadable` naming the file.
pub fn file_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::FileUnreadable)
        .arg("path", vss_protocol::display::path(path))
        .arg("reason", e.to_string())
}

/// A verification report as lines for a person (the tray's result window): valid or not and
/// why, signer and MST, signing time, chain trust, weak algorithms, and each reference. The
/// findings are in the report's language; the caller escapes or cleans what it shows.
pub fn report_lines(report: &VerifyReport, lang: vss_protocol::Lang) -> Vec<String> {
    use vss_protocol::messages::text;
    let mut lines = Vec::new();
    for problem in &report.problems {
        lines.push(format!("! {problem}"));
    }
    if report.signatures.is_empty() && report.problems.is_empty() {
        lines.push(text(lang, "tray-verify-no-signature", &[]));
    }
    for sig in &report.signatures {
        if let Some(cert) = &sig.certificate {
            lines.push(text(
                lang,
                "dialog-holder",
                &[("holder", cert.holder.clone())],
            ));
            let mst = cert
                .identity
                .mst
                .clone()
                .unwrap_or_else(|| text(lang, "dialog-unknown", &[]));
            lines.push(text(lang, "dialog-mst", &[("mst", mst)]));
        }
        if let Some(time) = &sig.signing_time {
            let id = if time.signed {
                "cli-verify-time-signed"
            } else {
                "cli-verify-time-claim"
            };
            lines.push(text(lang, id, &[("time", time.value.clone())]));
        }
        lines.extend(trust_lines(sig, lang));
        for reference in &sig.references {
            lines.push(reference_line(reference));
        }
        for problem in &sig.problems {
            lines.push(format!("! {problem}"));
        }
        for warning in &sig.warnings {
            lines.push(format!("⚠ {warning}"));
        }
    }
    lines
}

/// One Reference in words: `✓ URI="…" — what it covers` (or why it was not followed).
pub fn reference_line(reference: &vss_xml::ReferenceReport) -> String {
    let mark = if reference.digest_valid { "✓" } else { "✗" };
    let what = match (&reference.covers, &reference.problem) {
        (Some(covers), None) => covers.message.clone(),
        (Some(covers), Some(problem)) => format!("{} ({})", covers.message, problem.message),
        (None, Some(problem)) => problem.message.clone(),
        (None, None) => String::new(),
    };
    format!("{mark} URI=\"{}\" — {what}", reference.uri)
}
