//! What `vss` prints: with `--json`, the result object of DESIGN §2 or
//! `{"error": {code, message, hint}}`; otherwise short lines in the user's language.

use std::io::Write;
use std::process::ExitCode;

/// `println!` that ends quietly when the reader went away (`vss certs | head`).
macro_rules! say {
    ($($arg:tt)*) => {{ let _ = writeln!(std::io::stdout().lock(), $($arg)*); }};
}
macro_rules! say_err {
    ($($arg:tt)*) => {{ let _ = writeln!(std::io::stderr().lock(), $($arg)*); }};
}

use serde_json::{json, Value};
use vss_protocol::limits::EXPIRY_WARNING_DAYS;
use vss_protocol::messages::text;
use vss_protocol::{Certificate, Error, HashSignature, Lang, TokenReport};

pub struct Output {
    lang: Lang,
    json: bool,
}

impl Output {
    pub fn new(lang: Lang, json: bool) -> Self {
        Output { lang, json }
    }

    fn t(&self, id: &str, args: &[(&str, String)]) -> String {
        text(self.lang, id, args)
    }

    pub fn success(&self, value: &Value) -> ExitCode {
        if self.json {
            say!(
                "{}",
                serde_json::to_string_pretty(value).unwrap_or_default()
            );
        }
        ExitCode::SUCCESS
    }

    pub fn failure(&self, err: &Error) -> ExitCode {
        let body = err.localize(self.lang);
        if self.json {
            say!(
                "{}",
                serde_json::to_string_pretty(&json!({ "error": body })).unwrap_or_default()
            );
        } else {
            say_err!("{}", self.t("cli-error", &[("message", body.message)]));
            say_err!("{}", self.t("cli-hint", &[("hint", body.hint)]));
        }
        ExitCode::FAILURE
    }

    pub fn tokens(&self, tokens: &[TokenReport]) {
        if self.json {
            return;
        }
        for token in tokens {
            say!(
                "{}",
                self.t(
                    "cli-token",
                    &[
                        ("label", token.label.clone()),
                        ("manufacturer", token.manufacturer.clone()),
                        ("model", token.model.clone()),
                        ("serial", token.serial.clone())
                    ]
                )
            );
            if token.pin.locked {
                say!("  {}", self.t("err-pin_locked", &[]));
            } else if token.pin.final_try {
                say!("  {}", self.t("dialog-pin-final-try", &[]));
            } else if token.pin.count_low {
                say!("  {}", self.t("dialog-pin-count-low", &[]));
            }
        }
    }

    pub fn certificates(
        &self,
        certificates: &[Certificate],
        trust: &[vss_core::revocation::CertificateTrust],
    ) {
        if self.json {
            return;
        }
        for c in certificates {
            let days = c.expires_in_days;
            let state = if !c.valid_now {
                self.t("cli-cert-invalid", &[])
            } else if days < EXPIRY_WARNING_DAYS {
                self.t("cli-cert-expiring", &[("days", days.to_string())])
            } else {
                self.t("cli-cert-valid", &[("days", days.to_string())])
            };
            say!("{}", c.id);
            say!(
                "  {}",
                self.t("dialog-holder", &[("holder", c.holder.clone())])
            );
            let mst = c
                .identity
                .mst
                .clone()
                .unwrap_or_else(|| self.t("dialog-unknown", &[]));
            say!("  {}", self.t("dialog-mst", &[("mst", mst)]));
            if let Some(cccd) = &c.identity.cccd {
                say!("  CCCD: {cccd}");
            }
            say!(
                "  {}",
                self.t("cli-cert-issuer", &[("issuer", c.issuer.clone())])
            );
            say!(
                "  {} — {state}",
                self.t("cli-cert-until", &[("date", c.not_after.clone())])
            );
            say!(
                "  {}",
                self.t("cli-cert-token", &[("label", c.token.label.clone())])
            );
            if let Some(t) = trust.iter().find(|t| t.id == c.id) {
                say!(
                    "  {}",
                    vss_core::revocation::chain_line(&t.chain, self.lang)
                );
                say!(
                    "  {}",
                    vss_core::revocation::describe(&t.revocation, self.lang)
                );
            }
        }
    }

    pub fn signature(&self, result: &HashSignature) {
        if self.json {
            return;
        }
        say!(
            "{}",
            self.t(
                "cli-signed",
                &[("algorithm", result.signature_algorithm.clone())]
            )
        );
        say!("{}", result.signature);
    }

    pub fn raw(&self, value: &Value) {
        if !self.json {
            say!(
                "{}",
                serde_json::to_string_pretty(value).unwrap_or_default()
            );
        }
    }

    /// One JSON value on its own line (JSON mode only).
    pub fn line_json(&self, value: &Value) {
        if self.json {
            say!("{value}");
        }
    }

    pub fn is_json(&self) -> bool {
        self.json
    }

    /// A line of already-localised text (not in JSON mode).
    pub fn line_text(&self, line: &str) {
        if !self.json {
            say!("{line}");
        }
    }

    /// One file's verification, in words.
    pub fn verify_report(
        &self,
        file: &std::path::Path,
        report: &vss_xml::VerifyReport,
        good: bool,
    ) {
        if self.json {
            return;
        }
        let file = file.display().to_string();
        say!(
            "{}",
            self.t(
                if good {
                    "cli-verify-ok"
                } else {
                    "cli-verify-bad"
                },
                &[("file", file)]
            )
        );
        for problem in &report.problems {
            say!("  ! {problem}");
        }
        for sig in &report.signatures {
            if let Some(cert) = &sig.certificate {
                say!(
                    "  {}",
                    self.t("dialog-holder", &[("holder", cert.holder.clone())])
                );
                let mst = cert
                    .identity
                    .mst
                    .clone()
                    .unwrap_or_else(|| self.t("dialog-unknown", &[]));
                say!("  {}", self.t("dialog-mst", &[("mst", mst)]));
            }
            if let Some(time) = &sig.signing_time {
                let id = if time.signed {
                    "cli-verify-time-signed"
                } else {
                    "cli-verify-time-claim"
                };
                say!("  {}", self.t(id, &[("time", time.value.clone())]));
            }
            for line in vss_core::commands::verify_xml::trust_lines(sig, self.lang) {
                say!("  {line}");
            }
            for reference in &sig.references {
                let mark = if reference.digest_valid { "✓" } else { "✗" };
                say!("  {mark} URI=\"{}\" — {}", reference.uri, reference.covers);
            }
            for problem in &sig.problems {
                say!("  ! {problem}");
            }
        }
    }

    pub fn line(&self, id: &str, args: &[(&str, String)]) {
        if !self.json {
            say!("{}", self.t(id, args));
        }
    }
}
