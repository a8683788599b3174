//! `vss doctor`: checks, in the order a support call would, everything the seed guides list as
//! why signing fails — configuration, token driver, token plugged in, PIN state, certificate
//! validity, the PIN window, and the browser registration — and says what to do for each.

use std::path::{Path, PathBuf};
use vss_protocol::display::escape;

use serde_json::{json, Value};
use time::OffsetDateTime;
use vss_core::report::{program_on_path, SupportReport};
use vss_core::{readiness, Service};
use vss_dialog::DefaultDialog;
use vss_protocol::messages::text;
use vss_protocol::readiness::Level;
use vss_protocol::{Error, ErrorCode, Lang};
use vss_setup::host;

use crate::install_host::default_agent_path;
use crate::output::Output;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    Warn,
    Fail,
}

struct Check {
    name: String,
    status: Status,
    message: String,
    hint: Option<String>,
}

struct Doctor {
    lang: Lang,
    checks: Vec<Check>,
}

impl Doctor {
    fn t(&self, id: &str, args: &[(&str, String)]) -> String {
        text(self.lang, id, args)
    }

    fn push(&mut self, name: &str, status: Status, message: String, hint: Option<String>) {
        self.checks.push(Check {
            name: name.to_string(),
            status,
            message,
            hint,
        });
    }

    fn error(&mut self, name: &'static str, status: Status, err: &Error) {
        let body = err.localize(self.lang);
        self.push(name, status, body.message, Some(body.hint));
    }
}

/// Runs every check; `Ok(false)` when one failed (all are printed either way).
pub fn run(service: &Service, out: &Output) -> Result<bool, Error> {
    let mut d = Doctor {
        lang: service.config.lang,
        checks: Vec::new(),
    };
    let config = &service.config;

    let files: Vec<String> = [&config.sources.machine, &config.sources.user]
        .into_iter()
        .flatten()
        .map(|p| p.display().to_string())
        .collect();
    let files = if files.is_empty() {
        d.t("doctor-config-defaults", &[])
    } else {
        files.join(", ")
    };
    let locked = if config.locked {
        d.t("doctor-config-locked", &[])
    } else {
        String::new()
    };
    d.push(
        "config",
        Status::Ok,
        d.t("doctor-config", &[("files", files), ("locked", locked)]),
        None,
    );

    // Driver, tokens, PIN state, certificates: the same readiness the popup and the tray show.
    let readiness = readiness::assess(service, d.lang, OffsetDateTime::now_utc());
    for finding in readiness.findings {
        let status = match finding.level {
            Level::Ready => Status::Ok,
            Level::Attention => Status::Warn,
            Level::Problem => Status::Fail,
        };
        d.checks.push(Check {
            name: finding.check,
            status,
            message: finding.message,
            hint: finding.hint,
        });
    }

    match vss_dialog::default_dialog(config.pinentry.clone()) {
        DefaultDialog::Win32 => d.push(
            "dialog",
            Status::Ok,
            d.t(
                "doctor-dialog-ok",
                &[("program", d.t("doctor-dialog-win32", &[]))],
            ),
            None,
        ),
        DefaultDialog::Pinentry(pinentry) if program_on_path(&pinentry) => d.push(
            "dialog",
            Status::Ok,
            d.t(
                "doctor-dialog-ok",
                &[("program", pinentry.display().to_string())],
            ),
            None,
        ),
        DefaultDialog::Pinentry(pinentry) => {
            let err = Error::new(ErrorCode::DialogUnavailable)
                .arg("reason", format!("{}: not found", pinentry.display()));
            d.error("dialog", Status::Fail, &err);
        }
    }

    let agent_path = default_agent_path().ok();
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let registered: Vec<String> = host::registrations(home.as_deref())
        .into_iter()
        .filter(|r| r.problem.is_none())
        .map(|r| format!("{} ({})", r.browser.display_name(), r.manifest.display()))
        .collect();
    if registered.is_empty() {
        d.push(
            "browser",
            Status::Warn,
            d.t("doctor-host-missing", &[]),
            Some(d.t("doctor-host-hint", &[])),
        );
    } else {
        d.push(
            "browser",
            Status::Ok,
            d.t("doctor-host-ok", &[("where", registered.join(", "))]),
            None,
        );
    }
    if !agent_path.as_deref().is_some_and(Path::is_file) {
        d.push(
            "agent",
            Status::Fail,
            d.t("doctor-agent-missing", &[]),
            Some(d.t("hint-dialog_unavailable", &[])),
        );
    }

    for check in &d.checks {
        let mark = match check.status {
            Status::Ok => "✓",
            Status::Warn => "⚠",
            Status::Fail => "✗",
        };
        // Messages carry token labels, module paths and certificate names: escaped.
        out.line_text(&format!("{mark} {}", escape(&check.message)));
        if let Some(hint) = &check.hint {
            out.line_text(&format!("    → {}", escape(hint)));
        }
    }
    let failed = d.checks.iter().any(|c| c.status == Status::Fail);
    if out.is_json() {
        let checks: Vec<Value> = d
            .checks
            .iter()
            .map(|c| json!({"check": c.name, "status": format!("{:?}", c.status).to_lowercase(), "message": c.message, "hint": c.hint}))
            .collect();
        out.line_json(&json!({ "ok": !failed, "checks": checks }));
    }
    Ok(!failed)
}

/// `vss doctor --report`: the redacted support report (vss_core::report) with this machine's
/// browser registrations and dialog.
pub fn report(service: &Service, out: &Output) -> Result<bool, Error> {
    let report = SupportReport::for_this_computer(service);
    if out.is_json() {
        out.line_json(&serde_json::to_value(&report).map_err(Error::internal)?);
    } else {
        // One escaped line per line of the report: a token label cannot add one.
        for line in report.text().trim_end().lines() {
            out.line_text(&escape(line));
        }
    }
    Ok(true)
}
