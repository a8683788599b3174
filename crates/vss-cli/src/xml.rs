//! `vss sign-xml`, `vss verify-xml`, `vss c14n`: dossier XML for integrators and accountants.
//! The batch itself (one consent, one PIN, atomic outputs, a bad file reported by name while
//! the rest goes on) is `vss_core::files`; this door parses arguments and reports each file.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use vss_config::Config;
use vss_core::commands::sign_xml::{sign_options, XmlOptions};
use vss_core::commands::verify_xml::{configured_verify_options, file_error, verify_document};
use vss_core::files::{read_input, sign_files, Destination, FileBatch, FileOutcome};
use vss_core::{Caller, Service};
use vss_protocol::messages::text;
use vss_protocol::{display, limits, Error, Lang};
use vss_xml::C14nMode;

use crate::output::Output;

#[derive(Debug, Args)]
pub struct SignXmlCli {
    /// Dossier XML files to sign.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output file (one input file only).
    #[arg(
        short = 'o',
        long,
        conflicts_with = "out_dir",
        required_unless_present = "out_dir"
    )]
    output: Option<PathBuf>,
    /// Output directory (same file names).
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// Certificate id (see `vss certs`); may be left out when exactly one valid certificate is present.
    #[arg(long)]
    cert: Option<String>,
    /// Element to hold the signature (default: Cky, CKy_Dvi, CKyDTu, else the root).
    #[arg(long)]
    parent: Option<String>,
    /// Digest: SHA-256 (default) or SHA-1.
    #[arg(long, default_value = "SHA-256")]
    digest: String,
    /// Canonicalization: c14n10 (default), c14n10-comments, exc-c14n, exc-c14n-comments.
    #[arg(long, default_value = "c14n10")]
    c14n: String,
    /// Overwrite existing output files.
    #[arg(long)]
    force: bool,
    /// Do not write a SigningTime.
    #[arg(long)]
    no_signing_time: bool,
}

impl SignXmlCli {
    pub fn cert(&self) -> Option<&str> {
        self.cert.as_deref()
    }
}

#[derive(Debug, Args)]
pub struct VerifyXmlCli {
    /// Signed XML files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Trust anchors (PEM certificates), besides the configured `trust_anchors`.
    #[arg(long = "trusted")]
    trusted: Vec<PathBuf>,
    /// Also fail when the signer's chain does not reach a trust anchor.
    #[arg(long)]
    require_trusted: bool,
}

#[derive(Debug, Args)]
pub struct C14nCli {
    file: PathBuf,
    /// c14n10 (default), c14n10-comments, exc-c14n, exc-c14n-comments.
    #[arg(long, default_value = "c14n10")]
    c14n: String,
}

/// One input, read once from a regular file within the XML size cap.
fn read(path: &Path) -> Result<Vec<u8>, Error> {
    read_input(path, limits::XML_MAX_BYTES)
}

/// A file name for JSON: lossy where it is not UTF-8 (never a panic); the JSON writer escapes
/// what could hide or forge text.
fn json_name(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Reports each file as it is done: JSON lines, a progress bar on a terminal, or plain lines.
struct Reporter<'a> {
    out: &'a Output,
    lang: Lang,
    json: bool,
    bar: Option<ProgressBar>,
}

impl Reporter<'_> {
    fn done(&self, file: &FileOutcome) {
        if self.json {
            let value = match &file.result {
                Ok(()) => {
                    json!({"file": json_name(&file.input), "ok": true, "output": json_name(&file.output), "form": file.form})
                }
                Err(err) => {
                    json!({"file": json_name(&file.input), "ok": false, "error": err.localize(self.lang)})
                }
            };
            self.out.line_json(&value);
            return;
        }
        let line = match &file.result {
            Ok(()) => text(
                self.lang,
                "cli-xml-signed",
                &[
                    ("file", display::path(&file.input)),
                    ("output", display::path(&file.output)),
                ],
            ),
            Err(err) => text(
                self.lang,
                "cli-xml-failed",
                &[
                    ("file", display::path(&file.input)),
                    // The message may quote the document (an MST, a reason): escaped too.
                    (
                        "message",
                        display::escape(&err.localize(self.lang).message).into_owned(),
                    ),
                ],
            ),
        };
        match &self.bar {
            Some(bar) => {
                if file.result.is_err() {
                    bar.println(line);
                }
                bar.inc(1);
            }
            None => self.out.line_text(&line),
        }
    }
}

/// Signs the batch; `Ok(false)` when some file failed (each already reported).
pub fn sign_xml(
    service: &Service,
    args: &SignXmlCli,
    out: &Output,
    certificate: String,
) -> Result<bool, Error> {
    let lang = service.config.lang;
    let destination = match (&args.output, &args.out_dir) {
        (Some(file), _) => Destination::File(file.clone()),
        (None, Some(dir)) => Destination::Folder(dir.clone()),
        (None, None) => return Err(Error::bad_request("reason-output-required")),
    };
    let caller = Caller::local("vss sign-xml");
    let options = XmlOptions {
        parent: args.parent.as_deref(),
        digest: Some(&args.digest),
        c14n: Some(&args.c14n),
        signature_id: None,
        signing_time: Some(!args.no_signing_time),
    };
    // SHA-1 on the command line is the user's explicit request.
    let opts = sign_options(&options, &caller, true)?;
    let bar = (!out.is_json() && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(args.files.len() as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
            bar.set_style(style);
        }
        bar
    });
    let reporter = Reporter {
        out,
        lang,
        json: out.is_json(),
        bar,
    };
    let batch = FileBatch {
        certificate: &certificate,
        options: &opts,
        inputs: &args.files,
        destination: &destination,
        overwrite: args.force,
    };
    let outcomes = sign_files(service, &caller, lang, &batch, &mut |file| {
        reporter.done(file)
    })?;
    if let Some(bar) = &reporter.bar {
        bar.finish_and_clear();
    }
    let signed = outcomes.iter().filter(|o| o.result.is_ok()).count();
    let failed = outcomes.len() - signed;
    out.line(
        "cli-xml-summary",
        &[
            ("signed", signed.to_string()),
            ("total", outcomes.len().to_string()),
            ("failed", failed.to_string()),
        ],
    );
    Ok(failed == 0)
}

/// Verifies each file; `Ok(false)` when some file did not verify (each already reported).
pub fn verify_xml(
    args: &VerifyXmlCli,
    config: &Config,
    out: &Output,
    lang: Lang,
) -> Result<bool, Error> {
    let caller = Caller::local("vss verify-xml");
    let opts = configured_verify_options(config, &args.trusted, &caller, lang)?;
    let mut failed = 0;
    for file in &args.files {
        let outcome = read(file).and_then(|xml| verify_document(&xml, &opts));
        let entry = match outcome {
            Ok(report) => {
                let good = report.valid && (report.trusted || !args.require_trusted);
                if !good {
                    failed += 1;
                }
                out.verify_report(file, &report, good);
                json!({"file": json_name(file), "ok": good, "report": report})
            }
            Err(err) => {
                failed += 1;
                let body = err.localize(lang);
                out.line(
                    "cli-xml-failed",
                    &[
                        ("file", display::path(file)),
                        ("message", body.message.clone()),
                    ],
                );
                json!({"file": json_name(file), "ok": false, "error": body})
            }
        };
        out.line_json(&entry);
    }
    Ok(failed == 0)
}

pub fn c14n(args: &C14nCli) -> Result<bool, Error> {
    let mode = C14nMode::parse(&args.c14n)?;
    let canonical = vss_xml::canonicalize(&read(&args.file)?, mode)?;
    std::io::stdout()
        .lock()
        .write_all(&canonical)
        .map_err(|e| file_error(Path::new("-"), e))?;
    Ok(true)
}
