//! `version` → `{"agent": "1.2.3", "protocol": 1}`.

use vss_protocol::{Result, VersionInfo, PROTOCOL_VERSION};

pub fn run() -> Result<VersionInfo> {
    Ok(VersionInfo {
        agent: crate::VERSION.to_string(),
        protocol: PROTOCOL_VERSION,
    })
}
