//! The VSS Token Signing agent's transports, thin doors onto the signing service (`vss-core`):
//! - [`native_host`]: Chrome/Edge native messaging on stdio (framing, chunking),
//! - [`http`]: `vss-agent serve`, the same commands on 127.0.0.1.

pub mod http;
pub mod native_host;
