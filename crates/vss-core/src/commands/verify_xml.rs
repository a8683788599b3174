//! `verify-xml` `{"xml": base64}` → the verification report (DESIGN §4, §7): signature valid or
//! not, signer and identity, signing time, chain trust against the configured anchors. For the
//! extension's dossier page and local callers; `vss verify-xml` shares the anchor loading.

use std::path::{Path, PathBuf};

use base64::Engine;
use vss_protocol::command::VerifyXmlArgs;
use vss_protocol::{Error, ErrorCode, Result};
use vss_xml::{VerifyOptions, VerifyReport};

use crate::caller::Caller;
use crate::service::Service;

pub fn run(service: &Service, caller: &Caller, args: &VerifyXmlArgs) -> Result<VerifyReport> {
    let xml = base64::engine::general_purpose::STANDARD
        .decode(args.xml.trim())
        .map_err(|_| Error::bad_request("reason-xml-base64"))?;
    let opts = verify_options(&service.config.trust_anchors, caller)?;
    vss_xml::verify(&xml, &opts)
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
        let bytes = std::fs::read(path).map_err(|e| file_error(path, e))?;
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
        .arg("path", path.display().to_string())
        .arg("reason", e.to_string())
}

/// A verification report as lines for a person (the tray's result window): valid or not and
/// why, signer and MST, signing time, chain trust, and each reference.
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
            let mark = if reference.digest_valid { "✓" } else { "✗" };
            lines.push(format!(
                "{mark} URI=\"{}\" — {}",
                reference.uri, reference.covers
            ));
        }
        for problem in &sig.problems {
            lines.push(format!("! {problem}"));
        }
    }
    lines
}
