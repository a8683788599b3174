//! The redacted support report (`vss doctor --report`, the tray's "copy support report"): what a
//! hotline needs to see — versions, OS, configuration, dialog, browser registrations, token
//! drivers, token models, certificate issuers and expiry dates — and nothing that identifies a
//! person or a unit: no PIN (the report never asks for one), no CCCD/CMND/passport number, no
//! holder name or subject, token and certificate serials and the MST only as short hashes (a
//! support agent can hash the serial the user reads out and compare). Paths under the user's
//! home folder are shown from `~`.

use std::fmt::Write as _;

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::Service;
use vss_dialog::DefaultDialog;
use vss_setup::host;

/// A browser registration as the caller found it (deployment facts live in `vss_setup::host`,
/// which the front ends read; the core only reports them).
#[derive(Debug, Clone, Serialize)]
pub struct RegistrationLine {
    pub browser: String,
    /// `user` or `system`.
    pub scope: String,
    pub manifest: String,
    /// `ok`, or what is wrong (`manifest_unreadable`, `not_our_extension`, `agent_missing`).
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModuleLine {
    pub path: String,
    pub loaded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenLine {
    pub manufacturer: String,
    pub model: String,
    /// [`fingerprint`] of the token's serial number.
    pub serial: String,
    pub pin_count_low: bool,
    pub pin_final_try: bool,
    pub pin_locked: bool,
    pub pin_pad: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificateLine {
    /// The issuing CA's name (issuer CN, else the issuer DN).
    pub issuer: String,
    pub not_after: String,
    pub expires_in_days: i64,
    pub valid_now: bool,
    /// [`fingerprint`] of the certificate serial (hex).
    pub serial: String,
    /// [`fingerprint`] of the MST, when the certificate carries one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mst: Option<String>,
    pub key: String,
}

/// The whole report; [`SupportReport::text`] is what users paste into a ticket.
#[derive(Debug, Clone, Serialize)]
pub struct SupportReport {
    pub generated: String,
    pub product: String,
    pub os: String,
    pub config_files: Vec<String>,
    pub locked: bool,
    pub allowed_origins: Vec<String>,
    pub dialog: String,
    pub browsers: Vec<RegistrationLine>,
    pub modules: Vec<ModuleLine>,
    pub tokens: Vec<TokenLine>,
    pub certificates: Vec<CertificateLine>,
    /// Error codes met while gathering (e.g. `no_module`, `no_token`).
    pub problems: Vec<String>,
}

/// A short, stable stand-in for an identifying value: `sha256:` and the first 12 hex digits of
/// its SHA-256 (enough to compare with what the user reads out, not to recover it).
pub fn fingerprint(value: &str) -> String {
    let digest = Sha256::digest(value.trim().to_ascii_lowercase().as_bytes());
    format!("sha256:{}", &hex::encode(digest)[..12])
}

/// `path` with the user's home folder shown as `~` (the folder name is often the person's name).
pub fn redact_home(path: &str) -> String {
    for var in ["HOME", "USERPROFILE"] {
        if let Some(home) = std::env::var_os(var) {
            let home = home.to_string_lossy();
            let home = home.trim_end_matches(['/', '\\']);
            if home.len() > 1 {
                if let Some(rest) = path.strip_prefix(home) {
                    return format!("~{rest}");
                }
            }
        }
    }
    path.to_string()
}

/// Whether a program is found: a path that exists, or a name on `PATH`.
pub fn program_on_path(program: &std::path::Path) -> bool {
    if program.components().count() > 1 {
        return program.is_file();
    }
    std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths).any(|dir| {
                dir.join(program).is_file() || dir.join(program).with_extension("exe").is_file()
            })
        })
        .unwrap_or(false)
}

/// The browser registrations of this computer and user, as the report lists them.
pub fn browser_lines() -> Vec<RegistrationLine> {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    host::registrations(home.as_deref())
        .into_iter()
        .map(|r| RegistrationLine {
            browser: r.browser.name().to_string(),
            scope: match r.scope {
                host::Scope::User => "user",
                host::Scope::System => "system",
            }
            .to_string(),
            manifest: redact_home(&r.manifest.display().to_string()),
            status: match r.problem {
                None => "ok",
                Some(host::RegistrationProblem::ManifestUnreadable) => "manifest_unreadable",
                Some(host::RegistrationProblem::NotOurExtension) => "not_our_extension",
                Some(host::RegistrationProblem::AgentMissing(_)) => "agent_missing",
            }
            .to_string(),
        })
        .collect()
}

/// The consent dialog this computer uses, as the report names it.
pub fn dialog_line(service: &Service) -> String {
    match vss_dialog::default_dialog(service.config.pinentry.clone()) {
        DefaultDialog::Win32 => "win32 (built in)".to_string(),
        DefaultDialog::Pinentry(program) => {
            let found = if program_on_path(&program) {
                ""
            } else {
                " (not found)"
            };
            format!(
                "pinentry {}{found}",
                redact_home(&program.display().to_string())
            )
        }
    }
}

fn os_description() -> String {
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        });
    match pretty {
        Some(name) => format!(
            "{name} ({} {})",
            std::env::consts::OS,
            std::env::consts::ARCH
        ),
        None => format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
    }
}

fn issuer_name(dn: &str) -> String {
    dn.split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("CN="))
        .unwrap_or(dn)
        .to_string()
}

impl SupportReport {
    /// The report of this computer: its browser registrations and dialog (`vss doctor
    /// --report`, the tray's "copy support report").
    pub fn for_this_computer(service: &Service) -> SupportReport {
        SupportReport::gather(service, dialog_line(service), browser_lines())
    }

    /// Gathers the report from the service (no PIN is asked; tokens are only listed).
    pub fn gather(
        service: &Service,
        dialog: String,
        browsers: Vec<RegistrationLine>,
    ) -> SupportReport {
        let config = &service.config;
        let now = OffsetDateTime::now_utc();
        let mut problems = Vec::new();
        let modules = service.modules();
        let module_lines = modules
            .statuses()
            .into_iter()
            .map(|m| ModuleLine {
                path: redact_home(&m.path),
                loaded: m.loaded,
                error_code: m.error_code,
            })
            .collect();
        let tokens = match modules.tokens() {
            Ok(tokens) => tokens
                .into_iter()
                .map(|t| TokenLine {
                    manufacturer: t.manufacturer,
                    model: t.model,
                    serial: fingerprint(&t.serial),
                    pin_count_low: t.pin.count_low,
                    pin_final_try: t.pin.final_try,
                    pin_locked: t.pin.locked,
                    pin_pad: t.protected_auth_path,
                })
                .collect(),
            Err(err) => {
                problems.push(err.code.as_str().to_string());
                Vec::new()
            }
        };
        let certificates = match modules.signing_certificates(now, true) {
            Ok(certs) => certs
                .into_iter()
                .map(|(_, record)| {
                    let c = &record.certificate;
                    CertificateLine {
                        issuer: issuer_name(&c.issuer),
                        not_after: c.not_after.clone(),
                        expires_in_days: c.expires_in_days,
                        valid_now: c.valid_now,
                        serial: fingerprint(&c.serial),
                        mst: c.identity.mst.as_deref().map(fingerprint),
                        key: match (&c.key.bits, &c.key.curve) {
                            (Some(bits), _) => format!("{} {bits}", c.key.algorithm),
                            (None, Some(curve)) => format!("{} {curve}", c.key.algorithm),
                            (None, None) => c.key.algorithm.clone(),
                        },
                    }
                })
                .collect(),
            Err(err) => {
                let code = err.code.as_str().to_string();
                if !problems.contains(&code) {
                    problems.push(code);
                }
                Vec::new()
            }
        };
        let format = time::format_description::well_known::Rfc3339;
        SupportReport {
            generated: now.format(&format).unwrap_or_default(),
            product: format!(
                "VSS Token Signing {} (protocol {})",
                crate::VERSION,
                vss_protocol::PROTOCOL_VERSION
            ),
            os: os_description(),
            config_files: [&config.sources.machine, &config.sources.user]
                .into_iter()
                .flatten()
                .map(|p| redact_home(&p.display().to_string()))
                .collect(),
            locked: config.locked,
            allowed_origins: service
                .policy
                .allowed()
                .map(|o| o.as_str().to_string())
                .collect(),
            dialog,
            browsers,
            modules: module_lines,
            tokens,
            certificates,
            problems,
        }
    }

    /// The report as plain text for a ticket (fixed English field names, like a log).
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "== VSS Token Signing support report ==");
        let _ = writeln!(out, "generated: {}", self.generated);
        let _ = writeln!(out, "product:   {}", self.product);
        let _ = writeln!(out, "os:        {}", self.os);
        let files = if self.config_files.is_empty() {
            "(defaults)".to_string()
        } else {
            self.config_files.join(", ")
        };
        let _ = writeln!(
            out,
            "config:    {files}{}",
            if self.locked { " [locked]" } else { "" }
        );
        let _ = writeln!(out, "origins:   {}", self.allowed_origins.join(", "));
        let _ = writeln!(out, "dialog:    {}", self.dialog);
        let _ = writeln!(out, "browsers:");
        if self.browsers.is_empty() {
            let _ = writeln!(out, "  (not registered with any browser)");
        }
        for b in &self.browsers {
            let _ = writeln!(
                out,
                "  {} [{}] {}: {}",
                b.browser, b.scope, b.manifest, b.status
            );
        }
        let _ = writeln!(out, "modules:");
        for m in &self.modules {
            let state = match (&m.error_code, m.loaded) {
                (_, true) => "loaded".to_string(),
                (Some(code), false) => code.clone(),
                (None, false) => "not loaded".to_string(),
            };
            let _ = writeln!(out, "  {}: {state}", m.path);
        }
        let _ = writeln!(out, "tokens:");
        for t in &self.tokens {
            let mut pin = Vec::new();
            if t.pin_count_low {
                pin.push("pin count low");
            }
            if t.pin_final_try {
                pin.push("final try");
            }
            if t.pin_locked {
                pin.push("PIN LOCKED");
            }
            if t.pin_pad {
                pin.push("pin pad");
            }
            let _ = writeln!(
                out,
                "  {} {} serial {}{}",
                t.manufacturer,
                t.model,
                t.serial,
                if pin.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", pin.join(", "))
                }
            );
        }
        let _ = writeln!(out, "certificates:");
        for c in &self.certificates {
            let _ = writeln!(
                out,
                "  {} {} until {} ({} days{}) serial {}{}",
                c.issuer,
                c.key,
                c.not_after,
                c.expires_in_days,
                if c.valid_now { "" } else { ", NOT VALID" },
                c.serial,
                c.mst
                    .as_deref()
                    .map(|m| format!(" mst {m}"))
                    .unwrap_or_default()
            );
        }
        if !self.problems.is_empty() {
            let _ = writeln!(out, "problems:  {}", self.problems.join(", "));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_is_short_stable_and_case_insensitive() {
        assert_eq!(fingerprint("0A1B"), fingerprint("0a1b "));
        assert_eq!(fingerprint("0a1b").len(), "sha256:".len() + 12);
        assert_ne!(fingerprint("0a1b"), fingerprint("0a1c"));
    }

    #[test]
    fn the_issuer_is_named_by_its_cn() {
        assert_eq!(
            issuer_name("C=VN, O=VNPT, CN=VNPT Certification Authority"),
            "VNPT Certification Authority"
        );
        assert_eq!(issuer_name("O=Some CA"), "O=Some CA");
    }
}
