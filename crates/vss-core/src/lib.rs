//! The signing service under every front end (DESIGN §7): the native-messaging host and HTTP
//! (`vss-agent`), the `vss` command and the tray (`vss-tray`) are thin doors onto it.
//! - [`service`]: the service one process runs — config, origin policy, PKCS#11 modules loaded
//!   once, the dialog, per-token queues — and its entry point for a request,
//! - [`caller`]: who is asking and what each caller may run (the one authorization policy),
//! - [`batch`]: batch signing of dossier XML (one consent, one PIN) for every door, and
//!   [`files`]: the same for files on disk (read once, atomic outputs, never overwriting),
//! - [`commands`]: one file per protocol command (DESIGN §2), and the signing steps they share,
//! - [`readiness`]: ready / attention / problem, the same for `vss doctor`, the popup and the tray,
//! - [`logging`]: `tracing` to a rotating file (and stderr when asked),
//! - [`report`]: the redacted support report (`vss doctor --report`, the tray),
//! - [`revocation`]: revocation status before signing, for `vss certs`/`doctor` and readiness.

pub mod batch;
pub mod caller;
pub mod commands;
pub mod files;
pub mod logging;
pub mod readiness;
pub mod report;
pub mod revocation;
pub mod service;

pub use caller::Caller;
pub use service::{early_failure, Service};

/// The product's version, reported by `version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
