//! `status`: modules, tokens (with PIN flags) and a config summary. A web origin gets no module
//! paths (they contain user names) and token serials only as a per-origin hash.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use vss_protocol::{Result, PROTOCOL_VERSION};

use crate::service::{Caller, Service};

pub fn run(service: &Service, caller: &Caller) -> Result<Value> {
    let modules = service.modules();
    let web_origin = caller.origin();
    // Tokens first: a module found unresponsive while listing them is reported below.
    let tokens: Vec<Value> = match modules.tokens() {
        Ok(tokens) => tokens
            .into_iter()
            .map(|t| {
                let serial = match web_origin {
                    Some(origin) => hex::encode(&Sha256::digest(format!("{origin}\n{}", t.serial).as_bytes())[..8]),
                    None => t.serial.clone(),
                };
                let mut v = json!({
                    "slot": t.slot, "label": t.label, "manufacturer": t.manufacturer, "model": t.model,
                    "serial": serial, "pin": t.pin, "protected_auth_path": t.protected_auth_path,
                });
                if web_origin.is_none() {
                    v["module"] = json!(t.module_path);
                }
                v
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let module_list: Vec<Value> = modules
        .statuses()
        .into_iter()
        .map(|m| match web_origin {
            Some(_) => json!({"loaded": m.loaded, "error_code": m.error_code}),
            None => serde_json::to_value(&m).unwrap_or(Value::Null),
        })
        .collect();
    let config = &service.config;
    let mut summary = json!({
        "locked": config.locked,
        "lang": config.lang.code(),
        "allowed_origins": service.policy.allowed().map(|o| o.as_str()).collect::<Vec<_>>(),
        "allow_sha1": config.allow_sha1,
        "dialog_timeout_seconds": config.dialog_timeout.as_secs(),
    });
    if web_origin.is_none() {
        summary["module_source"] = json!(format!("{:?}", modules.source()).to_lowercase());
        summary["machine_config"] = json!(config.sources.machine);
        summary["user_config"] = json!(config.sources.user);
        summary["pinentry"] = json!(config.pinentry);
    }
    let mut status = json!({
        "agent": crate::VERSION,
        "protocol": PROTOCOL_VERSION,
        "modules": module_list,
        "tokens": tokens,
        "config": summary,
    });
    if web_origin.is_none() {
        // Drivers that crashed the agent or `vss` lately (paths: local callers only).
        status["driver_crashes"] = json!(modules.recent_crashes());
    }
    Ok(status)
}
