//! `version` → `{"agent": "1.2.3", "protocol": 1}`.

use serde_json::{json, Value};
use vss_protocol::{Result, PROTOCOL_VERSION};

pub fn run() -> Result<Value> {
    Ok(json!({"agent": crate::VERSION, "protocol": PROTOCOL_VERSION}))
}
