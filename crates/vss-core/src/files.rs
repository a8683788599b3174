//! Dossier files on disk for a batch (`vss sign-xml`, the tray's "Ký hồ sơ…"): read each file
//! once, decide where its signed copy goes, and write that copy atomically — to a temporary file
//! in the target folder, renamed into place — never over an existing file unless asked, never
//! over the original.

use std::io::Write;
use std::path::{Path, PathBuf};

use vss_protocol::{Error, ErrorCode, Lang, Result};
use vss_xml::SignOptions;

use crate::batch::{sign_batch, BatchItem, ItemOutcome};
use crate::caller::Caller;
use crate::commands::verify_xml::file_error;
use crate::service::Service;

/// Where signed copies go.
#[derive(Debug, Clone)]
pub enum Destination {
    /// One input, this output file.
    File(PathBuf),
    /// Every input, under its own name, into this folder (created if missing).
    Folder(PathBuf),
}

/// One file of a batch and what became of it.
#[derive(Debug, Clone)]
pub struct FileOutcome {
    pub input: PathBuf,
    pub output: PathBuf,
    pub form: Option<String>,
    pub result: Result<()>,
}

/// A batch of files to sign.
#[derive(Debug, Clone)]
pub struct FileBatch<'a> {
    /// Certificate id (or base64 DER).
    pub certificate: &'a str,
    pub options: &'a SignOptions,
    pub inputs: &'a [PathBuf],
    pub destination: &'a Destination,
    /// Replace existing outputs (never the originals).
    pub overwrite: bool,
}

/// Signs the batch's inputs into its destination with one consent and one PIN. `progress` sees
/// each file as soon as its fate is known (refusals first, then each signed file). `Err` only
/// when nothing could start (certificate not found, expired, PIN locked, folder not creatable).
pub fn sign_files(
    service: &Service,
    caller: &Caller,
    lang: Lang,
    batch: &FileBatch<'_>,
    progress: &mut dyn FnMut(&FileOutcome),
) -> Result<Vec<FileOutcome>> {
    let FileBatch {
        certificate,
        options: opts,
        inputs,
        destination,
        overwrite,
    } = *batch;
    if matches!(destination, Destination::File(_)) && inputs.len() != 1 {
        return Err(Error::bad_request("reason-output-one-file"));
    }
    if let Destination::Folder(dir) = destination {
        std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
    }
    let outputs: Vec<PathBuf> = inputs
        .iter()
        .map(|input| match destination {
            Destination::File(path) => path.clone(),
            Destination::Folder(dir) => dir.join(input.file_name().unwrap_or_default()),
        })
        .collect();
    let items: Vec<BatchItem> = inputs
        .iter()
        .zip(&outputs)
        .map(|(input, output)| {
            let name = input.display().to_string();
            if same_file(input, output) || (!overwrite && output.exists()) {
                return BatchItem::refused(name, output_exists(output));
            }
            match std::fs::read(input) {
                Ok(xml) => BatchItem::new(name, xml),
                Err(e) => BatchItem::refused(name, file_error(input, e)),
            }
        })
        .collect();
    let mut deliver = |index: usize, form: Option<&str>, result: Result<Vec<u8>>| {
        let written = result.and_then(|xml| write_atomically(&outputs[index], &xml, overwrite));
        progress(&FileOutcome {
            input: inputs[index].clone(),
            output: outputs[index].clone(),
            form: form.map(str::to_string),
            result: written.clone(),
        });
        written
    };
    let outcomes = sign_batch(
        service,
        caller,
        lang,
        certificate,
        opts,
        &items,
        &mut deliver,
    )?;
    Ok(outcomes
        .into_iter()
        .enumerate()
        .map(|(index, ItemOutcome { form, result, .. })| FileOutcome {
            input: inputs[index].clone(),
            output: outputs[index].clone(),
            form,
            result,
        })
        .collect())
}

fn output_exists(path: &Path) -> Error {
    Error::new(ErrorCode::OutputExists).arg("path", path.display().to_string())
}

/// Whether two paths name one file (the output would replace the original).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes to a temporary file in the target directory, then renames it into place; refuses to
/// replace an existing file unless `overwrite`.
pub fn write_atomically(path: &Path, bytes: &[u8], overwrite: bool) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| file_error(dir, e))?;
    temp.write_all(bytes)
        .and_then(|_| temp.as_file().sync_all())
        .map_err(|e| file_error(path, e))?;
    let persisted = if overwrite {
        temp.persist(path).map(|_| ())
    } else {
        temp.persist_noclobber(path).map(|_| ())
    };
    persisted.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            output_exists(path)
        } else {
            file_error(path, e.error)
        }
    })
}
