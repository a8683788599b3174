//! Configuration and policy.
//! - [`config`]: the TOML files (machine-wide, then per user) and `VSS_*` environment variables,
//!   merged in that order unless the machine file says `lock = true`.
//! - [`policy`]: which web origins may use the token, and with which capabilities.

pub mod config;
pub mod policy;

pub use config::{Config, ConfigSources, ServeConfig, TrayConfig};
pub use policy::{Capability, Origin, Policy};
