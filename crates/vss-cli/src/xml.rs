//! `vss sign-xml`, `vss verify-xml`, `vss c14n`: dossier XML for integrators and accountants.
//! A batch is signed with one consent dialog and one PIN (one login); originals are never
//! modified; each output is written to a temporary file beside it and renamed into place; a
//! bad file is reported by name and the rest of the batch goes on.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use vss_core::commands::sign_xml::{describe_form, sign_options, TokenXmlSigner};
use vss_core::commands::signing::{prepare, sign_with_consent};
use vss_core::{Caller, Service};
use vss_protocol::command::SignXmlArgs;
use vss_protocol::messages::text;
use vss_protocol::{Error, ErrorCode, Lang};
use vss_xml::{C14nMode, FormSummary, VerifyOptions};

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

fn file_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::FileUnreadable)
        .arg("path", path.display().to_string())
        .arg("reason", e.to_string())
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| file_error(path, e))
}

/// One file of a batch and what became of it.
struct Item {
    input: PathBuf,
    output: PathBuf,
    form: String,
    outcome: Option<Result<(), Error>>,
}

/// Reports each file as it is done: JSON lines, a progress bar on a terminal, or plain lines.
struct Reporter<'a> {
    out: &'a Output,
    lang: Lang,
    json: bool,
    bar: Option<ProgressBar>,
}

impl Reporter<'_> {
    fn done(&self, item: &Item) {
        let Some(outcome) = &item.outcome else { return };
        if self.json {
            let value = match outcome {
                Ok(()) => {
                    json!({"file": item.input, "ok": true, "output": item.output, "form": item.form})
                }
                Err(err) => {
                    json!({"file": item.input, "ok": false, "error": err.localize(self.lang)})
                }
            };
            let _ = writeln!(std::io::stdout().lock(), "{value}");
            return;
        }
        let line = match outcome {
            Ok(()) => text(
                self.lang,
                "cli-xml-signed",
                &[
                    ("file", item.input.display().to_string()),
                    ("output", item.output.display().to_string()),
                ],
            ),
            Err(err) => {
                let body = err.localize(self.lang);
                text(
                    self.lang,
                    "cli-xml-failed",
                    &[
                        ("file", item.input.display().to_string()),
                        ("message", body.message),
                    ],
                )
            }
        };
        match &self.bar {
            Some(bar) => {
                if outcome.is_err() {
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
    if args.output.is_some() && args.files.len() != 1 {
        return Err(Error::bad_request(
            "-o takes one input file; use --out-dir for several",
        ));
    }
    let request = SignXmlArgs {
        certificate: certificate.clone(),
        xml: String::new(),
        parent: args.parent.clone(),
        digest: Some(args.digest.clone()),
        c14n: Some(args.c14n.clone()),
        signature_id: None,
        signing_time: Some(!args.no_signing_time),
        document: None,
    };
    // SHA-1 on the command line is the user's explicit request.
    let mut opts = sign_options(&request, true)?;
    opts.allow_doctype = true;
    let (token, record) = prepare(service, &certificate, None)?;
    let mst = record.certificate.identity.mst.clone();

    // Pass 1, before any PIN: read every file, its form and unit, and where it will go.
    let mut items = Vec::new();
    let mut summaries: Vec<FormSummary> = Vec::new();
    for input in &args.files {
        let output = match (&args.output, &args.out_dir) {
            (Some(o), _) => o.clone(),
            (None, Some(dir)) => dir.join(input.file_name().unwrap_or_default()),
            (None, None) => return Err(Error::bad_request("-o or --out-dir is required")),
        };
        let mut item = Item {
            input: input.clone(),
            output,
            form: String::new(),
            outcome: None,
        };
        let checked = read(input)
            .and_then(|xml| vss_xml::summarize(&xml))
            .and_then(|summary| {
                vss_xml::check_identity(&summary, mst.as_deref())?;
                let same_file =
                    std::fs::canonicalize(&item.output).ok() == std::fs::canonicalize(input).ok();
                if same_file || (item.output.exists() && !args.force) {
                    return Err(Error::new(ErrorCode::OutputExists)
                        .arg("path", item.output.display().to_string()));
                }
                Ok(summary)
            });
        match checked {
            Ok(summary) => {
                item.form = summary.form_code.clone();
                summaries.push(summary);
            }
            Err(err) => item.outcome = Some(Err(err)),
        }
        items.push(item);
    }
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
    }
    let mut output_dirs: Vec<&Path> = items.iter().map(|i| output_dir(&i.output)).collect();
    output_dirs.dedup();
    for dir in output_dirs {
        remove_leftover_partials(dir);
    }

    let bar = (!out.is_json() && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(items.len() as u64);
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
    for item in items.iter().filter(|i| i.outcome.is_some()) {
        reporter.done(item);
    }

    let to_sign = items.iter().filter(|i| i.outcome.is_none()).count();
    if to_sign > 0 {
        let mut forms: BTreeMap<&str, usize> = BTreeMap::new();
        for summary in &summaries {
            *forms.entry(summary.form_code.as_str()).or_default() += 1;
        }
        let forms_text: Vec<String> = forms
            .iter()
            .map(|(form, n)| format!("{form} ×{n}"))
            .collect();
        let caller = Caller::Local {
            program: "vss sign-xml".into(),
        };
        let batch = sign_with_consent(
            service,
            &caller,
            lang,
            &token,
            &record,
            |consent| {
                consent.derived(text(
                    lang,
                    "dialog-batch",
                    &[
                        ("count", to_sign.to_string()),
                        ("forms", forms_text.join(", ")),
                    ],
                ));
                if let [only] = summaries.as_slice() {
                    describe_form(consent, lang, only);
                }
            },
            |session| {
                let mut signer = TokenXmlSigner::new(session, &record, true)?;
                let mut fatal: Option<Error> = None;
                for item in items.iter_mut().filter(|i| i.outcome.is_none()) {
                    // A token gone (or its driver hung) mid-batch fails the rest the same way,
                    // unsigned; a bad file does not.
                    let result = match &fatal {
                        Some(err) => Err(err.clone()),
                        None => read(&item.input)
                            .and_then(|xml| vss_xml::sign(&xml, &opts, &mut signer))
                            .and_then(|signed| write_atomically(&item.output, &signed, args.force)),
                    };
                    if let Err(e) = &result {
                        if matches!(
                            e.code,
                            ErrorCode::TokenRemoved | ErrorCode::DriverUnresponsive
                        ) {
                            fatal = Some(e.clone());
                        }
                    }
                    item.outcome = Some(result);
                    reporter.done(item);
                }
                Ok(())
            },
        );
        if let Err(err) = batch {
            for item in items.iter_mut().filter(|i| i.outcome.is_none()) {
                item.outcome = Some(Err(err.clone()));
                reporter.done(item);
            }
        }
    }
    if let Some(bar) = &reporter.bar {
        bar.finish_and_clear();
    }
    let signed = items
        .iter()
        .filter(|i| matches!(i.outcome, Some(Ok(()))))
        .count();
    let failed = items.len() - signed;
    out.line(
        "cli-xml-summary",
        &[
            ("signed", signed.to_string()),
            ("total", items.len().to_string()),
            ("failed", failed.to_string()),
        ],
    );
    Ok(failed == 0)
}

/// Temporary outputs are named `.vss-partial-….tmp` and locked while being written, so a
/// later batch can tell one left by a killed `vss` (unlocked) from one being written now.
const PARTIAL_PREFIX: &str = ".vss-partial-";
const PARTIAL_SUFFIX: &str = ".tmp";

/// Writes to a locked temporary file in the target directory, then renames it into place.
fn write_atomically(path: &Path, bytes: &[u8], force: bool) -> Result<(), Error> {
    let dir = output_dir(path);
    let mut temp = tempfile::Builder::new()
        .prefix(PARTIAL_PREFIX)
        .suffix(PARTIAL_SUFFIX)
        .tempfile_in(dir)
        .map_err(|e| file_error(dir, e))?;
    fs4::FileExt::lock(temp.as_file()).map_err(|e| file_error(dir, e))?;
    temp.write_all(bytes)
        .and_then(|_| temp.as_file().sync_all())
        .map_err(|e| file_error(path, e))?;
    let persisted = if force {
        temp.persist(path).map(|_| ())
    } else {
        temp.persist_noclobber(path).map(|_| ())
    };
    persisted.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            Error::new(ErrorCode::OutputExists).arg("path", path.display().to_string())
        } else {
            file_error(path, e.error)
        }
    })
}

fn output_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Removes temporary outputs that a killed `vss` left in `dir` (those nobody holds locked).
fn remove_leftover_partials(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(PARTIAL_PREFIX) && name.ends_with(PARTIAL_SUFFIX)) {
            continue;
        }
        let path = entry.path();
        let abandoned = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .is_ok_and(|file| fs4::FileExt::try_lock(&file).is_ok());
        if abandoned {
            let _ = std::fs::remove_file(&path);
        }
    }
}

fn load_anchors(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, Error> {
    let mut anchors = Vec::new();
    for path in paths {
        let bytes = read(path)?;
        for pem in x509_parser::pem::Pem::iter_from_buffer(&bytes) {
            let pem = pem.map_err(|e| file_error(path, e))?;
            anchors.push(pem.contents);
        }
    }
    Ok(anchors)
}

/// Verifies each file; `Ok(false)` when some file did not verify (each already reported).
pub fn verify_xml(
    args: &VerifyXmlCli,
    configured: &[PathBuf],
    out: &Output,
    lang: Lang,
) -> Result<bool, Error> {
    let anchors: Vec<PathBuf> = configured.iter().chain(&args.trusted).cloned().collect();
    let opts = VerifyOptions {
        trust_anchors: load_anchors(&anchors)?,
        allow_doctype: true,
        ..Default::default()
    };
    let mut failed = 0;
    for file in &args.files {
        let outcome = read(file).and_then(|xml| vss_xml::verify(&xml, &opts));
        let entry = match outcome {
            Ok(report) => {
                let good = report.valid && (report.trusted || !args.require_trusted);
                if !good {
                    failed += 1;
                }
                out.verify_report(file, &report, good);
                json!({"file": file, "ok": good, "report": report})
            }
            Err(err) => {
                failed += 1;
                let body = err.localize(lang);
                out.line(
                    "cli-xml-failed",
                    &[
                        ("file", file.display().to_string()),
                        ("message", body.message.clone()),
                    ],
                );
                json!({"file": file, "ok": false, "error": body})
            }
        };
        if out.is_json() {
            let _ = writeln!(std::io::stdout().lock(), "{entry}");
        }
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
