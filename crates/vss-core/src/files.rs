//! Dossier files on disk for a batch (`vss sign-xml`, the tray's "Ký hồ sơ…"): read each file
//! once, decide where its signed copy goes, and write that copy atomically and durably — to a
//! temporary file in the target folder, synced and renamed into place a group at a time — never
//! over an existing file unless asked, never over the original.

use std::io::Write;
use std::path::{Path, PathBuf};

use vss_protocol::{limits, Error, ErrorCode, Lang, Result};
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
    // Each signed output goes to a temporary file at once and is put in place a group at a
    // time (see `commit`): a file is reported written only once it would survive a power cut.
    let mut results: Vec<Option<Result<()>>> = vec![None; items.len()];
    let mut forms: Vec<Option<String>> = vec![None; items.len()];
    let mut pending: Vec<(usize, tempfile::NamedTempFile)> = Vec::new();
    let mut report = |index: usize, result: Result<()>, forms: &[Option<String>]| {
        progress(&FileOutcome {
            input: inputs[index].clone(),
            output: outputs[index].clone(),
            form: forms[index].clone(),
            result: result.clone(),
        });
        result
    };
    let mut deliver = |index: usize, form: Option<&str>, result: Result<Vec<u8>>| {
        forms[index] = form.map(str::to_string);
        match result.and_then(|xml| write_temp(&outputs[index], &xml)) {
            Ok(temp) => pending.push((index, temp)),
            Err(err) => results[index] = Some(report(index, Err(err.clone()), &forms)),
        }
        if pending.len() >= limits::BATCH_SYNC_FILES {
            for (index, outcome) in commit(std::mem::take(&mut pending), &outputs, overwrite) {
                results[index] = Some(report(index, outcome, &forms));
            }
        }
        Ok(())
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
    for (index, outcome) in commit(pending, &outputs, overwrite) {
        results[index] = Some(report(index, outcome, &forms));
    }
    Ok(outcomes
        .into_iter()
        .enumerate()
        .map(|(index, ItemOutcome { form, result, .. })| FileOutcome {
            input: inputs[index].clone(),
            output: outputs[index].clone(),
            form,
            result: results[index].take().unwrap_or(result),
        })
        .collect())
}

fn output_exists(path: &Path) -> Error {
    Error::new(ErrorCode::OutputExists).arg("path", path.display().to_string())
}

/// Whether two paths name one file (the output would replace the original). Only an existing
/// output can be the input, so paths are resolved only then.
fn same_file(input: &Path, output: &Path) -> bool {
    output.exists()
        && match (std::fs::canonicalize(input), std::fs::canonicalize(output)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}

fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes a signed output to a temporary file beside it (not yet synced, not yet in place).
fn write_temp(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let dir = parent_dir(path);
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| file_error(dir, e))?;
    temp.write_all(bytes).map_err(|e| file_error(path, e))?;
    Ok(temp)
}

/// Puts a group of written temporary files in place so that each output reported written
/// survives a power cut, at the least cost: (1) the data of every file reaches the disk — on
/// Linux one `syncfs` per directory's file system (one journal commit for the whole group,
/// where an `fsync` per file costs a commit each), elsewhere a data sync per file; (2) each is
/// renamed into place, never over an existing file unless `overwrite`; (3) one `fsync` of each
/// directory makes the renames durable. Only then are the outputs reported written; a crash
/// before leaves at most temporary files, never a partial output under the final name.
fn commit(
    written: Vec<(usize, tempfile::NamedTempFile)>,
    outputs: &[PathBuf],
    overwrite: bool,
) -> Vec<(usize, Result<()>)> {
    let mut dirs: Vec<&Path> = Vec::new();
    for (index, _) in &written {
        let dir = parent_dir(&outputs[*index]);
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    // One file-system sync per directory (Linux): every file of the group was written before.
    let dir_synced: Vec<Option<String>> = dirs
        .iter()
        .map(|dir| {
            let (_, temp) = written
                .iter()
                .find(|(i, _)| parent_dir(&outputs[*i]) == *dir)?;
            syncfs(temp.as_file()).err().map(|e| e.to_string())
        })
        .collect();
    let mut results = Vec::with_capacity(written.len());
    let mut placed = Vec::with_capacity(written.len());
    for (index, temp) in written {
        let path = &outputs[index];
        let dir = parent_dir(path);
        let group_failure = dirs
            .iter()
            .position(|d| *d == dir)
            .and_then(|i| dir_synced[i].clone());
        let synced = match group_failure {
            Some(reason) => Err(reason),
            None => sync_data(temp.as_file()).map_err(|e| e.to_string()),
        };
        if let Err(e) = synced {
            results.push((index, Err(file_error(path, e))));
            continue;
        }
        let persisted = if overwrite {
            temp.persist(path).map(|_| ())
        } else {
            temp.persist_noclobber(path).map(|_| ())
        };
        match persisted {
            Ok(()) => placed.push(index),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                results.push((index, Err(output_exists(path))))
            }
            Err(e) => results.push((index, Err(file_error(path, e.error)))),
        }
    }
    let dir_flushed: Vec<(&Path, std::io::Result<()>)> =
        dirs.iter().map(|dir| (*dir, sync_dir(dir))).collect();
    for index in placed {
        let dir = parent_dir(&outputs[index]);
        let outcome = match dir_flushed.iter().find(|(d, _)| *d == dir) {
            Some((_, Err(e))) => Err(file_error(&outputs[index], e)),
            _ => Ok(()),
        };
        results.push((index, outcome));
    }
    results.sort_by_key(|(index, _)| *index);
    results
}

#[cfg(target_os = "linux")]
fn syncfs(file: &std::fs::File) -> std::io::Result<()> {
    rustix::fs::syncfs(file).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn syncfs(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

/// Linux: done for the whole group by `syncfs`. Elsewhere: a data sync per file.
fn sync_data(file: &std::fs::File) -> std::io::Result<()> {
    if cfg!(target_os = "linux") {
        Ok(())
    } else {
        file.sync_data()
    }
}

/// Makes renames in a directory durable (POSIX); Windows has no directory handle to flush.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}
