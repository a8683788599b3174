//! The VSS Token Signing agent.
//! - [`agent`]: the state one process serves with (config, policy, modules loaded once, the
//!   dialog, per-token queues) and the request entry point,
//! - [`commands`]: one file per protocol command (DESIGN §2),
//! - [`native_host`]: Chrome/Edge native messaging on stdio (framing, chunking),
//! - [`http`]: `vss-agent serve`, the same commands on 127.0.0.1,
//! - [`logging`]: `tracing` to a rotating file (and stderr when asked).

pub mod agent;
pub mod commands;
pub mod http;
pub mod logging;
pub mod native_host;

pub use agent::{Agent, Caller};

/// The agent's version, reported by `version`.
pub const AGENT_VERSION: &str = env!("CARGO_PKG_VERSION");
