//! What `vss` prints: with `--json`, the result object of DESIGN §2 or
//! `{"error": {code, message, hint}}`; otherwise short lines in the user's language.
//!
//! Nothing from outside reaches the terminal as it is (issue 17): every value put into a line —
//! a file name, a certificate's holder or issuer, a token's label, a verifier's finding — goes
//! through the one sanitizer's `escape` (controls, ANSI sequences, CR, bidi overrides, line
//! separators written as `\u{…}`), so no file or certificate can repaint a verdict or add a
//! line; JSON is written with the same characters as `\uXXXX` escapes (`display::json_text`).

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
use vss_core::commands::verify_xml::reference_line;
use vss_protocol::display::{escape, json_text};
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

    /// A catalogue text whose every argument is escaped (arguments are where outside text
    /// enters a line; the catalogue's own words are ours).
    fn t(&self, id: &str, args: &[(&str, String)]) -> String {
        let escaped: Vec<(&str, String)> = args
            .iter()
            .map(|(name, value)| (*name, escape(value).into_owned()))
            .collect();
        text(self.lang, id, &escaped)
    }

    pub fn success(&self, value: &Value) -> ExitCode {
        if self.json {
            say!("{}", json_text(value, true));
        }
        ExitCode::SUCCESS
    }

    pub fn failure(&self, err: &Error) -> ExitCode {
        let body = err.localize(self.lang);
        if self.json {
            say!("{}", json_text(&json!({ "error": body }), true));
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
            say!("{}", escape(&c.id));
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
                say!("  CCCD: {}", escape(cccd));
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
        say!("{}", escape(&result.signature));
    }

    pub fn raw(&self, value: &Value) {
        if !self.json {
            say!("{}", json_text(value, true));
        }
    }

    /// One JSON value on its own line (JSON mode only).
    pub fn line_json(&self, value: &Value) {
        if self.json {
            say!("{}", json_text(value, false));
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
        let file = vss_protocol::display::path(file);
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
        if good && report.weak {
            say!("  {}", self.t("cli-verify-weak", &[]));
        }
        for problem in &report.problems {
            say!("  ! {}", escape(&problem.message));
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
                say!("  {}", escape(&line));
            }
            for reference in &sig.references {
                say!("  {}", escape(&reference_line(reference)));
            }
            for problem in &sig.problems {
                say!("  ! {}", escape(&problem.message));
            }
            for warning in &sig.warnings {
                say!("  ⚠ {}", escape(&warning.message));
            }
        }
    }

    pub fn line(&self, id: &str, args: &[(&str, String)]) {
        if !self.json {
            say!("{}", self.t(id, args));
        }
    }
}
