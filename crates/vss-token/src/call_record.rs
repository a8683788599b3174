//! A record, kept on disk, of the calls this process has in flight into PKCS#11 modules, so that
//! a driver that crashes the process (SIGSEGV, access violation) is still known afterwards:
//! `vss doctor` and `status` name it.
//!
//! Each process writes the calls it is in ("C_Sign\t/path/driver.so") to its own file in the
//! record directory and holds an exclusive lock on that file while it lives. The OS drops the
//! lock when the process dies, however it dies; a later process that can lock a file left with
//! calls in it knows that its owner died inside those calls, moves them to the crash history
//! and removes the file.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
#[cfg(not(unix))]
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vss_protocol::limits;

const RECORD_SUFFIX: &str = "calls";
const HISTORY_FILE: &str = "crashes.log";

/// A driver that crashed a process of this user during a call.
pub use vss_protocol::DriverCrash;

struct State {
    file: File,
    /// The file mapped into memory (Unix): a change is a memory write, no system call, and
    /// the kernel's page cache keeps it however the process dies.
    #[cfg(unix)]
    map: Option<memmap2::MmapMut>,
    next_id: u64,
    in_flight: Vec<(u64, String, String)>,
    /// Bytes written at the start of the file last time.
    written: usize,
}

/// This process's record of calls in flight.
pub struct CallRecord {
    dir: PathBuf,
    state: Mutex<State>,
}

static PROCESS_RECORD: OnceLock<Option<Arc<CallRecord>>> = OnceLock::new();

impl CallRecord {
    /// The process's record in `dir` (created on first use; later calls get the same record).
    /// Leftover records of dead processes are moved to the crash history first. `None` when
    /// the directory cannot be written: calls then go unrecorded, nothing else changes.
    pub fn for_process(dir: &Path) -> Option<Arc<CallRecord>> {
        PROCESS_RECORD
            .get_or_init(|| match CallRecord::open(dir) {
                Ok(record) => Some(Arc::new(record)),
                Err(e) => {
                    tracing::warn!(dir = %dir.display(), error = %e, "cannot keep a record of driver calls");
                    None
                }
            })
            .clone()
    }

    fn open(dir: &Path) -> std::io::Result<CallRecord> {
        std::fs::create_dir_all(dir)?;
        collect_leftovers(dir);
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        let path = dir.join(format!("{}-{nanos}.{RECORD_SUFFIX}", std::process::id()));
        let file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(&path)?;
        fs4::FileExt::lock(&file)?;
        #[cfg(unix)]
        let map = map_record(&file);
        Ok(CallRecord {
            dir: dir.to_path_buf(),
            state: Mutex::new(State {
                file,
                #[cfg(unix)]
                map,
                next_id: 0,
                in_flight: Vec::new(),
                written: 0,
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes a call into `module`, starting in `function`. Returns its id for [`Self::leave`].
    pub(crate) fn enter(&self, module: &Path, function: &str) -> u64 {
        let mut state = self.lock();
        let id = state.next_id;
        state.next_id += 1;
        state
            .in_flight
            .push((id, function.to_string(), module.display().to_string()));
        rewrite(&mut state);
        id
    }

    /// The call `id` moved on to `function`.
    pub(crate) fn update(&self, id: u64, module: &Path, function: &str) {
        let mut state = self.lock();
        if let Some(entry) = state.in_flight.iter_mut().find(|(i, _, _)| *i == id) {
            if entry.1 == function {
                return;
            }
            entry.1 = function.to_string();
            entry.2 = module.display().to_string();
        }
        rewrite(&mut state);
    }

    /// The call `id` returned.
    pub(crate) fn leave(&self, id: u64) {
        let mut state = self.lock();
        state.in_flight.retain(|(i, _, _)| *i != id);
        rewrite(&mut state);
    }

    /// Drivers that crashed a process of this user in the last days.
    pub fn recent_crashes(&self) -> Vec<DriverCrash> {
        recent_crashes(&self.dir, OffsetDateTime::now_utc())
    }
}

/// Writes the calls in flight over the start of the file, padded with empty lines to the
/// length written before instead of truncating: one positioned write per change (readers skip
/// empty lines), the file never longer than the most calls ever in flight at once.
fn rewrite(state: &mut State) {
    let mut text: String = state
        .in_flight
        .iter()
        .map(|(_, function, module)| format!("{function}\t{module}\n"))
        .collect();
    if text.len() < state.written {
        let pad = state.written - text.len();
        text.extend(std::iter::repeat_n('\n', pad));
    }
    state.written = text.len();
    #[cfg(unix)]
    if let Some(map) = &mut state.map {
        // Past the mapping's end (calls in flight by the thousand), the record keeps what fits
        // up to the last whole line.
        let mut len = text.len().min(map.len());
        while len > 0 && !text.is_char_boundary(len) {
            len -= 1;
        }
        let len = text[..len].rfind('\n').map_or(0, |end| end + 1);
        let end = text.len().min(map.len());
        map[..len].copy_from_slice(&text.as_bytes()[..len]);
        map[len..end].fill(b'\n');
        return;
    }
    let written = write_at_start(&state.file, text.as_bytes());
    if let Err(e) = written {
        tracing::debug!(error = %e, "cannot update the record of driver calls");
    }
}

/// Maps the record file, grown to `CALL_RECORD_BYTES` (zeros, which readers skip); `None` if
/// the system refuses (then each change is a positioned write).
#[cfg(unix)]
fn map_record(file: &File) -> Option<memmap2::MmapMut> {
    let mapped = file
        .set_len(limits::CALL_RECORD_BYTES as u64)
        .and_then(|()| {
            // SAFETY: the file is this process's own (a unique name, locked exclusively while the
            // process lives); other processes read it only once they can lock it, after this
            // process is gone. Nothing truncates it while mapped.
            unsafe { memmap2::MmapMut::map_mut(file) }
        });
    match mapped {
        Ok(map) => Some(map),
        Err(e) => {
            tracing::debug!(error = %e, "the record of driver calls is written, not mapped");
            None
        }
    }
}

#[cfg(unix)]
fn write_at_start(file: &File, bytes: &[u8]) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, 0)
}

#[cfg(not(unix))]
fn write_at_start(mut file: &File, bytes: &[u8]) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(0))?;
    file.write_all(bytes)
}

/// Moves the calls of dead processes' records to the history and removes those records.
fn collect_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some(RECORD_SUFFIX) {
            continue;
        }
        let Ok(mut file) = OpenOptions::new().read(true).write(true).open(&path) else {
            continue;
        };
        if fs4::FileExt::try_lock(&file).is_err() {
            continue; // its process is alive
        }
        let mut text = String::new();
        let _ = file.read_to_string(&mut text);
        drop(file);
        let crashes: String = text
            .trim_end_matches('\0')
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(function, module)| format!("{now}\t{function}\t{module}\n"))
            .collect();
        if !crashes.is_empty() {
            tracing::warn!(calls = %text.trim(), "a previous process died inside a PKCS#11 call");
            let appended = OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join(HISTORY_FILE))
                .and_then(|mut history| history.write_all(crashes.as_bytes()));
            if let Err(e) = appended {
                tracing::warn!(error = %e, "cannot write the driver crash history");
            }
        }
        let _ = std::fs::remove_file(&path);
    }
}

/// The crash history of `dir`, newest first, within `DRIVER_CRASH_MEMORY_DAYS` of `now`.
pub fn recent_crashes(dir: &Path, now: OffsetDateTime) -> Vec<DriverCrash> {
    let text = std::fs::read_to_string(dir.join(HISTORY_FILE)).unwrap_or_default();
    let oldest = now - time::Duration::days(limits::DRIVER_CRASH_MEMORY_DAYS);
    let mut crashes: Vec<DriverCrash> = text
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(3, '\t');
            let (at, function, path) = (fields.next()?, fields.next()?, fields.next()?);
            let when = OffsetDateTime::parse(at, &Rfc3339).ok()?;
            (when >= oldest).then(|| DriverCrash {
                path: path.to_string(),
                function: function.to_string(),
                at: at.to_string(),
            })
        })
        .collect();
    crashes.reverse();
    crashes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The record's text without the zeros of the mapped file's unused end.
    fn read_record(path: &Path) -> String {
        std::fs::read_to_string(path)
            .unwrap()
            .trim_end_matches('\0')
            .to_string()
    }

    #[test]
    fn a_record_left_unlocked_with_calls_in_it_becomes_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        // A dead process's record: written, never locked by anyone now.
        std::fs::write(
            dir.path().join(format!("999999-1.{RECORD_SUFFIX}")),
            "C_Sign\t/opt/ca/libvendor.so\n",
        )
        .unwrap();
        // A dead process that had no call in flight.
        std::fs::write(dir.path().join(format!("999998-1.{RECORD_SUFFIX}")), "").unwrap();
        let record = CallRecord::open(dir.path()).unwrap();
        let crashes = record.recent_crashes();
        assert_eq!(crashes.len(), 1, "{crashes:?}");
        assert_eq!(crashes[0].path, "/opt/ca/libvendor.so");
        assert_eq!(crashes[0].function, "C_Sign");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == RECORD_SUFFIX))
            .collect();
        assert_eq!(left.len(), 1, "only this process's own record remains");
    }

    #[test]
    fn a_live_processs_record_is_left_alone_and_calls_are_cleared_when_they_return() {
        let dir = tempfile::tempdir().unwrap();
        let record = CallRecord::open(dir.path()).unwrap();
        let id = record.enter(Path::new("/opt/ca/a.so"), "C_Initialize");
        record.update(id, Path::new("/opt/ca/a.so"), "C_GetSlotList");
        let own = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .find(|e| e.path().extension().is_some_and(|x| x == RECORD_SUFFIX))
            .unwrap()
            .path();
        assert_eq!(read_record(&own), "C_GetSlotList\t/opt/ca/a.so\n");
        // Another process starting now sees a locked record: not a crash.
        collect_leftovers(dir.path());
        assert!(own.exists());
        assert!(recent_crashes(dir.path(), OffsetDateTime::now_utc()).is_empty());
        // A second call, then both return: the file holds only empty lines (no call).
        let second = record.enter(Path::new("/opt/ca/b.so"), "C_Sign");
        assert_eq!(
            read_record(&own),
            "C_GetSlotList\t/opt/ca/a.so\nC_Sign\t/opt/ca/b.so\n"
        );
        record.leave(id);
        assert_eq!(
            read_record(&own),
            "C_Sign\t/opt/ca/b.so\n".to_string() + &"\n".repeat(27)
        );
        record.leave(second);
        let left = read_record(&own);
        assert!(left.chars().all(|c| c == '\n'), "{left:?}");
        // A process that died now would leave no call behind.
        drop(record);
        collect_leftovers(dir.path());
        assert!(recent_crashes(dir.path(), OffsetDateTime::now_utc()).is_empty());
    }
}
