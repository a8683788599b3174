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

/// The dialog this platform uses: the configured pinentry program (config or `VSS_PINENTRY`) if
/// there is one; otherwise the built-in Win32 dialog on Windows and `pinentry` on PATH elsewhere.
pub fn default_prompt(pinentry: Option<PathBuf>) -> Box<dyn Prompt> {
    #[cfg(windows)]
    if pinentry.is_none() {
        return Box::new(win32::Win32Dialog::new());
    }
    Box::new(Pinentry::new(pinentry))
}
