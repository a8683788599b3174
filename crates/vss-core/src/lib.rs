//! The signing service under every front end (DESIGN §7): the native-messaging host and HTTP
//! (`vss-agent`), the `vss` command and the tray (`vss-tray`) are thin doors onto it.
//! - [`service`]: the service one process runs — config, origin policy, PKCS#11 modules loaded
//!   once, the dialog, per-token queues — and its entry point for a request,
//! - [`commands`]: one file per protocol command (DESIGN §2), and the signing steps they share,
//! - [`logging`]: `tracing` to a rotating file (and stderr when asked),
//! - [`report`]: the redacted support report (`vss doctor --report`, the tray).

pub mod commands;
pub mod logging;
pub mod report;
pub mod service;

pub use service::{early_failure, Caller, Service};

/// The product's version, reported by `version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
