//! `status`: modules, tokens (with PIN flags) and a config summary. A web origin gets no module
//! paths (they contain user names) and token serials only as a per-origin hash.

use time::OffsetDateTime;
use vss_protocol::{
    ConfigSummary, Lang, ModuleReport, Result, Status, TokenReport, PROTOCOL_VERSION,
};

use crate::caller::Caller;
use crate::readiness;
use crate::service::Service;

pub fn run(service: &Service, caller: &Caller, lang: Lang) -> Result<Status> {
    let modules = service.modules();
    let full = caller.sees_everything();
    let tokens = modules
        .tokens()
        .unwrap_or_default()
        .into_iter()
        .map(|t| TokenReport {
            serial: caller.token_serial(&t.serial),
            slot: t.slot,
            label: t.label,
            manufacturer: t.manufacturer,
            model: t.model,
            pin: t.pin,
            protected_auth_path: t.protected_auth_path,
            module: full.then_some(t.module_path),
        })
        .collect();
    // Modules after tokens: one found unresponsive while listing them is reported.
    let module_list = modules
        .statuses()
        .into_iter()
        .map(|m| ModuleReport {
            path: full.then_some(m.path),
            loaded: m.loaded,
            error: m.error.filter(|_| full),
            error_code: m.error_code,
            unresponsive: m.unresponsive,
        })
        .collect();
    let config = &service.config;
    let summary = ConfigSummary {
        locked: config.locked,
        lang: config.lang.code().to_string(),
        allowed_origins: service.policy.allowed().map(|o| o.to_string()).collect(),
        allow_sha1: config.allow_sha1,
        dialog_timeout_seconds: config.dialog_timeout.as_secs(),
        module_source: full.then(|| format!("{:?}", modules.source()).to_lowercase()),
        machine_config: config
            .sources
            .machine
            .as_ref()
            .filter(|_| full)
            .map(|p| p.display().to_string()),
        user_config: config
            .sources
            .user
            .as_ref()
            .filter(|_| full)
            .map(|p| p.display().to_string()),
        pinentry: config
            .pinentry
            .as_ref()
            .filter(|_| full)
            .map(|p| p.display().to_string()),
    };
    Ok(Status {
        agent: crate::VERSION.to_string(),
        protocol: PROTOCOL_VERSION,
        modules: module_list,
        tokens,
        config: summary,
        readiness: full.then(|| readiness::assess(service, lang, OffsetDateTime::now_utc())),
        // Drivers that crashed the agent or `vss` lately (paths: local callers only).
        driver_crashes: full.then(|| modules.recent_crashes()),
    })
}
