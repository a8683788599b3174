//! The boundary to the user. One dialog per operation (or per batch) shows what is being signed
//! ([`consent`]) and asks for the PIN in the same window. The dialog is behind the [`Prompt`]
//! trait; [`pinentry::Pinentry`] implements it with any pinentry program (tests use a scripted
//! one), so the rest of the product is tested for real. On Windows, where no pinentry is
//! installed, `win32::Win32Dialog` is the built-in native dialog ([`default_prompt`] chooses).

pub mod consent;
pub mod pinentry;
#[cfg(windows)]
pub mod win32;

use std::path::PathBuf;
use std::time::Duration;

use vss_protocol::{Error, ErrorCode, Result};
use zeroize::Zeroizing;

pub use consent::{
    sanitize_page_text, Claim, Consent, Content, DocumentSummary, Requester, Signer,
};
pub use pinentry::Pinentry;

/// What one dialog shows and asks.
#[derive(Debug, Clone)]
pub struct PromptRequest {
    pub title: String,
    /// What the dialog tells the user; each dialog renders it ([`Consent::render`]).
    pub consent: Consent,
    /// The language of the dialog.
    pub lang: vss_protocol::Lang,
    pub prompt: String,
    pub ok: String,
    pub cancel: String,
    pub timeout: Duration,
    /// `false` for PIN-pad tokens: the dialog only confirms, the PIN is typed on the device.
    pub want_pin: bool,
    /// Window to parent the dialog to (Chrome's `--parent-window=<hwnd>` on Windows).
    pub parent_window: Option<String>,
}

/// The user's answer: a PIN, or a confirmation (PIN-pad tokens).
pub enum PromptAnswer {
    Pin(Zeroizing<String>),
    Confirmed,
}

/// A consent/PIN dialog. Errors: `user_cancelled`, `user_timeout`, `dialog_unavailable`.
pub trait Prompt: Send + Sync {
    fn ask(&self, request: &PromptRequest) -> Result<PromptAnswer>;
}

/// `user_timeout`, saying how long the dialog waited (the timeout is configurable).
pub fn timed_out(timeout: Duration) -> Error {
    let seconds = timeout.as_secs();
    let err = Error::new(ErrorCode::UserTimeout);
    if seconds >= 60 && seconds % 60 == 0 {
        err.arg("n", (seconds / 60).to_string())
            .arg_text("wait", "wait-minutes")
    } else {
        err.arg("n", seconds.to_string())
            .arg_text("wait", "wait-seconds")
    }
}

/// Which dialog this platform uses: the configured pinentry program (config or `VSS_PINENTRY`)
/// if there is one; otherwise the built-in Win32 dialog on Windows and `pinentry` on PATH
/// elsewhere. [`default_prompt`] builds it; `vss doctor` checks the same choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultDialog {
    /// The built-in Win32 consent/PIN window (part of the agent; nothing to install).
    Win32,
    /// A pinentry program, by absolute path or by name on PATH.
    Pinentry(PathBuf),
}

/// The dialog [`default_prompt`] uses for this configured pinentry.
pub fn default_dialog(pinentry: Option<PathBuf>) -> DefaultDialog {
    match pinentry {
        Some(program) => DefaultDialog::Pinentry(program),
        None if cfg!(windows) => DefaultDialog::Win32,
        None => DefaultDialog::Pinentry(PathBuf::from("pinentry")),
    }
}

/// The platform's dialog ([`default_dialog`]).
pub fn default_prompt(pinentry: Option<PathBuf>) -> Box<dyn Prompt> {
    match default_dialog(pinentry) {
        #[cfg(windows)]
        DefaultDialog::Win32 => Box::new(win32::Win32Dialog::new()),
        #[cfg(not(windows))]
        DefaultDialog::Win32 => Box::new(Pinentry::new(None)),
        DefaultDialog::Pinentry(program) => Box::new(Pinentry::new(Some(program))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_pinentry_wins_else_the_platform_dialog() {
        let configured = PathBuf::from("/usr/bin/pinentry-gnome3");
        assert_eq!(
            default_dialog(Some(configured.clone())),
            DefaultDialog::Pinentry(configured)
        );
        let expected = if cfg!(windows) {
            DefaultDialog::Win32
        } else {
            DefaultDialog::Pinentry(PathBuf::from("pinentry"))
        };
        assert_eq!(default_dialog(None), expected);
    }
}
