//! Dossier files on disk for a batch (`vss sign-xml`, the tray's "Ký hồ sơ…"): read each file
//! once, decide where its signed copy goes, and write that copy atomically and durably — to a
//! locked temporary file in the target folder, data synced, renamed into place, the renames
//! synced a group at a time before they are reported — never over an existing file unless
//! asked, never over the original.

use std::io::{Read, Write};
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
    let mut dirs: Vec<&Path> = outputs.iter().map(|o| parent_dir(o)).collect();
    dirs.dedup();
    for dir in dirs {
        remove_leftover_partials(dir);
    }
    let items: Vec<BatchItem> = inputs
        .iter()
        .zip(&outputs)
        .map(|(input, output)| {
            let name = input.display().to_string();
            if same_file(input, output) || (!overwrite && output.exists()) {
                return BatchItem::refused(name, output_exists(output));
            }
            match read_input(input, limits::XML_MAX_BYTES) {
                Ok(xml) => BatchItem::new(name, xml),
                Err(err) => BatchItem::refused(name, err),
            }
        })
        .collect();
    // Each signed output is written to a locked temporary file; a group at a time, the data
    // is synced, each file renamed into place (so a file under its final name is always
    // complete) and the renames made durable by one directory sync, and only then reported
    // written (see `make_durable`).
    let mut results: Vec<Option<Result<()>>> = vec![None; items.len()];
    let mut forms: Vec<Option<String>> = vec![None; items.len()];
    let mut placed: Vec<Staged> = Vec::new();
    // Settles files in order: their outcome is final, recorded and shown.
    let mut settle = |done: Vec<(usize, Result<()>)>,
                      results: &mut Vec<Option<Result<()>>>,
                      forms: &[Option<String>]| {
        for (index, result) in done {
            progress(&FileOutcome {
                input: inputs[index].clone(),
                output: outputs[index].clone(),
                form: forms[index].clone(),
                result: result.clone(),
            });
            results[index] = Some(result);
        }
    };
    let mut deliver = |index: usize, form: Option<&str>, result: Result<Vec<u8>>| {
        forms[index] = form.map(str::to_string);
        match result.and_then(|xml| write_temp(&outputs[index], &xml)) {
            Ok(temp) => placed.push((index, temp)),
            Err(err) => {
                // What was written before this one is settled first, to report in order.
                let mut done = make_durable(std::mem::take(&mut placed), &outputs, overwrite);
                done.push((index, Err(err)));
                settle(done, &mut results, &forms);
            }
        }
        if placed.len() >= limits::BATCH_SYNC_FILES {
            let done = make_durable(std::mem::take(&mut placed), &outputs, overwrite);
            settle(done, &mut results, &forms);
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
    let done = make_durable(std::mem::take(&mut placed), &outputs, overwrite);
    settle(done, &mut results, &forms);
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

/// Reads one input file (a dossier to sign or verify, a trust anchor) once, whole, into
/// memory: what the summary, the identity check and the dialog saw is then exactly what is
/// signed, however the file changes afterwards. Only a regular file is read (also through a
/// symbolic link): a FIFO, a device (`/dev/zero`), a directory or a socket is
/// `file_not_regular`, decided on the opened handle (no window between a check and the open),
/// and opening never waits for a FIFO's writer. At most `max` bytes are read: a larger file —
/// or one growing while read — is `file_too_large` without reading past the cap.
pub fn read_input(path: &Path, max: usize) -> Result<Vec<u8>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Non-blocking so that opening a FIFO returns at once (and is then refused); no
        // controlling terminal from a tty device.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(err) => {
            // A socket cannot even be opened, nor a directory on Windows: say what it is.
            return Err(match std::fs::metadata(path) {
                Ok(meta) if !meta.is_file() => not_regular(path, &meta.file_type()),
                _ => file_error(path, err),
            });
        }
    };
    let meta = file.metadata().map_err(|e| file_error(path, e))?;
    if !meta.is_file() {
        return Err(not_regular(path, &meta.file_type()));
    }
    let cap = max as u64;
    if meta.len() > cap {
        return Err(too_large(path, max));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| file_error(path, e))?;
    if bytes.len() > max {
        return Err(too_large(path, max));
    }
    Ok(bytes)
}

/// `file_not_regular`, naming what the path is instead.
fn not_regular(path: &Path, kind: &std::fs::FileType) -> Error {
    let what = if kind.is_dir() {
        "file-kind-directory"
    } else {
        special_kind(kind)
    };
    Error::new(ErrorCode::FileNotRegular)
        .arg("path", vss_protocol::display::path(path))
        .arg_text("kind", what)
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "file-kind-fifo"
    } else if kind.is_socket() {
        "file-kind-socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "file-kind-device"
    } else {
        "file-kind-other"
    }
}

#[cfg(not(unix))]
fn special_kind(_kind: &std::fs::FileType) -> &'static str {
    "file-kind-other"
}

fn too_large(path: &Path, max: usize) -> Error {
    Error::new(ErrorCode::FileTooLarge)
        .arg("path", vss_protocol::display::path(path))
        .arg("limit", max.to_string())
}

fn output_exists(path: &Path) -> Error {
    Error::new(ErrorCode::OutputExists).arg("path", vss_protocol::display::path(path))
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

/// Temporary outputs are named `.vss-partial-….tmp` and locked while being written, so a later
/// batch can tell one left by a killed process (unlocked) from one being written now.
const PARTIAL_PREFIX: &str = ".vss-partial-";
const PARTIAL_SUFFIX: &str = ".tmp";

/// Writes a signed output to a locked temporary file beside it (not yet synced, not in place).
fn write_temp(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let dir = parent_dir(path);
    let mut temp = tempfile::Builder::new()
        .prefix(PARTIAL_PREFIX)
        .suffix(PARTIAL_SUFFIX)
        .tempfile_in(dir)
        .map_err(|e| file_error(dir, e))?;
    fs4::FileExt::lock(temp.as_file()).map_err(|e| file_error(dir, e))?;
    temp.write_all(bytes).map_err(|e| file_error(path, e))?;
    Ok(temp)
}

/// Removes temporary outputs that a killed process left in `dir` (those nobody holds locked).
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

/// A signed output written to its temporary file, waiting for its group to be made durable.
type Staged = (usize, tempfile::NamedTempFile);

/// Makes a group of written outputs durable and puts them in place: their data synced, each
/// temporary file renamed to its output — never over an existing file unless `overwrite` — and
/// the renames synced, one `fsync` per directory. A crash at any point leaves, for each output,
/// either no file or the whole file under its name (and at most an abandoned temporary file,
/// removed by the next batch); each outcome is final once returned.
///
/// On Linux the data of the whole group is synced by one `syncfs(2)` on its file system
/// rather than an `fdatasync(2)` per file: each of those is a journal commit of its own, most
/// of the file writing's cost in a batch of small dossiers. Elsewhere each file's data is
/// synced before its rename.
fn make_durable(
    staged: Vec<Staged>,
    outputs: &[PathBuf],
    overwrite: bool,
) -> Vec<(usize, Result<()>)> {
    let synced = sync_group(&staged);
    let mut placed: Vec<(usize, Result<()>)> = staged
        .into_iter()
        .zip(synced)
        .map(|((index, temp), synced)| {
            let path = &outputs[index];
            let outcome = synced
                .map_err(|e| file_error(path, e))
                .and_then(|()| persist(temp, path, overwrite));
            (index, outcome)
        })
        .collect();
    let mut dirs: Vec<(&Path, std::io::Result<()>)> = Vec::new();
    for (index, outcome) in &mut placed {
        if outcome.is_err() {
            continue;
        }
        let dir = parent_dir(&outputs[*index]);
        if !dirs.iter().any(|(d, _)| *d == dir) {
            dirs.push((dir, sync_dir(dir)));
        }
        if let Some((_, Err(e))) = dirs.iter().find(|(d, _)| *d == dir) {
            *outcome = Err(file_error(&outputs[*index], e));
        }
    }
    placed
}

/// Syncs the data of a group's temporary files; one result per file.
fn sync_group(staged: &[Staged]) -> Vec<std::io::Result<()>> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // One file system per batch in practice (one output folder); one call per distinct
        // folder all the same.
        let mut dirs: Vec<(&Path, i32)> = Vec::new();
        staged
            .iter()
            .map(|(_, temp)| {
                let dir = parent_dir(temp.path());
                let result = match dirs.iter().find(|(d, _)| *d == dir) {
                    Some((_, rc)) => *rc,
                    None => {
                        // SAFETY: syncfs only reads the descriptor, which `temp` keeps open.
                        let rc = unsafe { libc::syncfs(temp.as_file().as_raw_fd()) };
                        let rc = if rc == 0 {
                            0
                        } else {
                            std::io::Error::last_os_error().raw_os_error().unwrap_or(-1)
                        };
                        dirs.push((dir, rc));
                        rc
                    }
                };
                match result {
                    0 => Ok(()),
                    errno => Err(std::io::Error::from_raw_os_error(errno)),
                }
            })
            .collect()
    }
    #[cfg(not(target_os = "linux"))]
    {
        staged
            .iter()
            .map(|(_, temp)| temp.as_file().sync_data())
            .collect()
    }
}

/// Renames a synced temporary file to `path` — never over an existing file unless `overwrite`.
fn persist(temp: tempfile::NamedTempFile, path: &Path, overwrite: bool) -> Result<()> {
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
