//! Time limits on calls into PKCS#11 modules. A vendor driver can hang inside any call (a
//! smart-card service that never answers, a reader stuck mid-APDU); a hung call must not hang
//! the page, the other drivers or the next request.
//!
//! Each call runs on a thread of its own while the caller waits at most the call's limit. Past
//! it the caller gets `driver_unresponsive` (naming the driver's file and the function) and the
//! module counts as stuck, process-wide, until that call returns: every further call into it is
//! refused at once instead of piling up behind it. Each call gets a thread of its own rather
//! than one worker per module, so that a PIN-pad login, which legitimately holds its call while
//! the user types on the reader, does not make a concurrent `status` look like a hang. Threads
//! are reused: one that finished a call waits a while for the next (see [`run_on_worker`]), so
//! a request's ten-odd calls do not start ten-odd threads; a call finds an idle thread or starts
//! a new one, never waits for a busy one.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Condvar, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use vss_protocol::{limits, Error, ErrorCode, Result};

use crate::call_record::CallRecord;

/// The time limits for calls into modules (defaults in `vss_protocol::limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriverLimits {
    /// Loading, C_Initialize, listing slots and tokens, reading certificates.
    pub call: Duration,
    /// C_Login with a typed PIN, C_Sign.
    pub sign: Duration,
    /// C_Login on a PIN pad (the user types on the reader during the call).
    pub pinpad_login: Duration,
    /// C_Finalize when the process ends.
    pub finalize: Duration,
}

impl Default for DriverLimits {
    fn default() -> Self {
        DriverLimits {
            call: limits::DRIVER_CALL_TIMEOUT,
            sign: limits::DRIVER_SIGN_TIMEOUT,
            pinpad_login: limits::DRIVER_PINPAD_LOGIN_TIMEOUT,
            finalize: limits::DRIVER_FINALIZE_TIMEOUT,
        }
    }
}

/// A call that overran its limit and has not returned yet.
#[derive(Debug, Clone)]
struct StuckCall {
    function: &'static str,
    limit: Duration,
    count: usize,
}

/// Modules (by path) with calls stuck past their limit. Process-wide, because a library is
/// loaded once per process whatever number of contexts the code opens on it.
static STUCK: LazyLock<Mutex<HashMap<PathBuf, StuckCall>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `driver_unresponsive` for the module at `path`. Only the file name is shown: full paths can
/// contain the user's name and this error reaches web pages.
pub(crate) fn unresponsive(path: &Path, function: &str, limit: Duration) -> Error {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Error::new(ErrorCode::DriverUnresponsive)
        .arg("path", file.clone())
        .arg("function", function.to_string())
        .arg("seconds", limit.as_secs().max(1).to_string())
        .detail("driver", file)
        .detail("function", function)
        .cause(format!(
            "{} did not return from {function} within {limit:?}",
            path.display()
        ))
}

/// The error for a module with a call still stuck, if it has one.
pub(crate) fn stuck_error(path: &Path) -> Option<Error> {
    lock(&STUCK)
        .get(path)
        .map(|s| unresponsive(path, s.function, s.limit))
}

fn mark_stuck(path: &Path, function: &'static str, limit: Duration) {
    let mut stuck = lock(&STUCK);
    let entry = stuck.entry(path.to_path_buf()).or_insert(StuckCall {
        function,
        limit,
        count: 0,
    });
    entry.count += 1;
}

fn unmark_stuck(path: &Path) {
    let mut stuck = lock(&STUCK);
    if let Some(entry) = stuck.get_mut(path) {
        entry.count -= 1;
        if entry.count == 0 {
            stuck.remove(path);
            tracing::info!(module = %path.display(), "a stuck PKCS#11 call returned; the module is usable again");
        }
    }
}

/// Where a guarded call is: the PKCS#11 function it is in, for the error and the crash record.
pub(crate) struct Step {
    path: PathBuf,
    current: Mutex<&'static str>,
    record: Option<(Arc<CallRecord>, u64)>,
}

impl Step {
    /// Notes that the call is now in `function`.
    pub(crate) fn at(&self, function: &'static str) {
        *lock(&self.current) = function;
        if let Some((record, id)) = &self.record {
            record.update(*id, &self.path, function);
        }
    }

    fn current(&self) -> &'static str {
        *lock(&self.current)
    }
}

enum Handoff<T> {
    Waiting,
    Done(T),
    Abandoned,
}

/// Runs `f` on its own thread and waits at most `limit` for it. `f` starts in `function`
/// (and may move on with [`Step::at`]).
pub(crate) fn guarded<T: Send + 'static>(
    path: &Path,
    function: &'static str,
    limit: Duration,
    record: Option<&Arc<CallRecord>>,
    f: impl FnOnce(&Step) -> T + Send + 'static,
) -> Result<T> {
    if let Some(err) = stuck_error(path) {
        return Err(err);
    }
    let step = Arc::new(Step {
        path: path.to_path_buf(),
        current: Mutex::new(function),
        record: record.map(|r| (r.clone(), r.enter(path, function))),
    });
    let shared = Arc::new((
        Mutex::new(Handoff::<std::thread::Result<T>>::Waiting),
        Condvar::new(),
    ));
    let (thread_shared, thread_step, thread_path) =
        (shared.clone(), step.clone(), path.to_path_buf());
    let spawned = run_on_worker(Box::new(move || {
        let outcome = catch_unwind(AssertUnwindSafe(|| f(&thread_step)));
        if let Some((record, id)) = &thread_step.record {
            record.leave(*id);
        }
        let (state, done) = &*thread_shared;
        let mut state = lock(state);
        match *state {
            Handoff::Waiting => {
                *state = Handoff::Done(outcome);
                done.notify_one();
            }
            Handoff::Abandoned | Handoff::Done(_) => {
                drop(state);
                unmark_stuck(&thread_path);
            }
        }
    }));
    if let Err(e) = spawned {
        if let Some((record, id)) = &step.record {
            record.leave(*id);
        }
        return Err(Error::internal(format!(
            "cannot start a PKCS#11 call thread: {e}"
        )));
    }
    let deadline = Instant::now() + limit;
    let (state, done) = &*shared;
    let mut guard = lock(state);
    loop {
        if matches!(*guard, Handoff::Done(_)) {
            break;
        }
        let now = Instant::now();
        if now >= deadline {
            let function = step.current();
            *guard = Handoff::Abandoned;
            mark_stuck(path, function, limit);
            tracing::warn!(module = %path.display(), function, ?limit, "PKCS#11 call overran its time limit");
            return Err(unresponsive(path, function, limit));
        }
        guard = done
            .wait_timeout(guard, deadline - now)
            .map(|(g, _)| g)
            .unwrap_or_else(|poisoned| poisoned.into_inner().0);
    }
    match std::mem::replace(&mut *guard, Handoff::Abandoned) {
        Handoff::Done(Ok(value)) => Ok(value),
        Handoff::Done(Err(_)) => Err(Error::internal(format!(
            "a PKCS#11 call into {} panicked",
            path.display()
        ))),
        Handoff::Waiting | Handoff::Abandoned => Err(Error::internal("PKCS#11 call lost")),
    }
}

/// A call to run on a worker thread.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// Worker threads waiting for a call: each with its id and the way to hand it one.
static IDLE: LazyLock<Mutex<Vec<(u64, mpsc::Sender<Job>)>>> =
    LazyLock::new(|| Mutex::new(Vec::new()));
static NEXT_WORKER: AtomicU64 = AtomicU64::new(0);

/// Runs `job` on an idle worker thread, or on a new one when none is idle (so a call never
/// waits behind another, stuck or slow). A worker that finished goes back to the idle list
/// (at most `DRIVER_IDLE_WORKERS` of them) and ends after `DRIVER_WORKER_IDLE` without work.
fn run_on_worker(job: Job) -> std::io::Result<()> {
    if let Some((_, worker)) = lock(&IDLE).pop() {
        // A worker leaves the list (under its lock) before it ends, so one taken from it is
        // alive and receives: the send cannot fail.
        match worker.send(job) {
            Ok(()) => return Ok(()),
            Err(mpsc::SendError(job)) => return spawn_worker(job),
        }
    }
    spawn_worker(job)
}

fn spawn_worker(first: Job) -> std::io::Result<()> {
    let id = NEXT_WORKER.fetch_add(1, Ordering::Relaxed);
    let (sender, receiver) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("pkcs11-call".into())
        .spawn(move || {
            let mut job = first;
            loop {
                job();
                {
                    let mut idle = lock(&IDLE);
                    if idle.len() >= limits::DRIVER_IDLE_WORKERS {
                        return;
                    }
                    idle.push((id, sender.clone()));
                }
                job = match receiver.recv_timeout(limits::DRIVER_WORKER_IDLE) {
                    Ok(next) => next,
                    Err(_) => {
                        let mut idle = lock(&IDLE);
                        match idle.iter().position(|(i, _)| *i == id) {
                            Some(at) => {
                                idle.remove(at);
                                return;
                            }
                            // Taken from the list just now: its call is on the way.
                            None => {
                                drop(idle);
                                match receiver.recv() {
                                    Ok(next) => next,
                                    Err(_) => return,
                                }
                            }
                        }
                    }
                };
            }
        })
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_within_its_limit_returns_its_value() {
        let path = Path::new("/test/quick.so");
        let value = guarded(path, "C_GetSlotList", Duration::from_secs(5), None, |_| 7);
        assert_eq!(value.unwrap(), 7);
        assert!(stuck_error(path).is_none());
    }

    #[test]
    fn a_hung_call_is_refused_then_the_module_is_skipped_until_it_returns() {
        let path = Path::new("/test/hangs.so");
        let started = Instant::now();
        let err = guarded(path, "C_Sign", Duration::from_millis(100), None, |step| {
            step.at("C_Sign");
            std::thread::sleep(Duration::from_millis(600));
        })
        .unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(500));
        assert_eq!(err.code, ErrorCode::DriverUnresponsive);
        assert!(
            err.args.contains(&("path", "hangs.so".to_string())),
            "{err:?}"
        );
        assert!(err.args.contains(&("function", "C_Sign".to_string())));
        // Refused at once while the call is stuck.
        let quick = Instant::now();
        let again = guarded(path, "C_GetSlotList", Duration::from_secs(5), None, |_| ());
        assert_eq!(again.unwrap_err().code, ErrorCode::DriverUnresponsive);
        assert!(quick.elapsed() < Duration::from_millis(50));
        // Usable again once the stuck call returned.
        std::thread::sleep(Duration::from_millis(700));
        assert!(stuck_error(path).is_none());
        assert!(guarded(path, "C_GetSlotList", Duration::from_secs(5), None, |_| ()).is_ok());
    }

    #[test]
    fn calls_reuse_threads_and_overlapping_calls_each_get_their_own() {
        let path = Path::new("/test/reuse.so");
        let thread_of = || {
            guarded(path, "C_GetSlotList", Duration::from_secs(5), None, |_| {
                std::thread::current().id()
            })
            .unwrap()
        };
        // One after the other: the same worker (other tests may take it in between, so a
        // few tries).
        let reused = (0..20).any(|_| thread_of() == thread_of());
        assert!(reused, "a finished worker takes the next call");
        // A call that holds its thread (a PIN pad) does not hold up another.
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
        let holder = std::thread::spawn(move || {
            guarded(path, "C_Login", Duration::from_secs(5), None, move |_| {
                started_tx.send(()).unwrap();
                wait.recv().ok();
                std::thread::current().id()
            })
            .unwrap()
        });
        started_rx.recv().unwrap();
        let started = Instant::now();
        let other = thread_of();
        assert!(started.elapsed() < Duration::from_millis(500));
        release.send(()).unwrap();
        assert_ne!(holder.join().unwrap(), other);
    }

    #[test]
    fn a_panicking_call_is_an_internal_error_not_a_hang() {
        let path = Path::new("/test/panics.so");
        let err = guarded(path, "C_Login", Duration::from_secs(5), None, |_| -> () {
            panic!("driver bug")
        })
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::Internal);
        assert!(stuck_error(path).is_none());
    }
}
