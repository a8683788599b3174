//! `verify-xml` `{"xml": base64}` → the verification report (DESIGN §4, §7): signature valid or
//! not, signer and identity, signing time, chain trust against the configured anchors. For the
//! extension's dossier page and local callers; `vss verify-xml` shares the anchor loading.

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
    vss_xml::verify(&xml, &opts)
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

/// Reads every PEM certificate of each file.
pub fn load_anchors(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>> {
    let mut anchors = Vec::new();
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
        let trust = if sig.trusted {
            "cli-verify-trusted"
        } else {
            "cli-verify-untrusted"
        };
        lines.push(text(lang, trust, &[]));
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
