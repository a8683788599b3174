//! The readiness answer (ready / attention / problem) that `vss doctor`, the popup (through
//! `status`) and the tray show; computed by `vss_core::readiness`.

use serde::{Deserialize, Serialize};

use crate::certificate::Certificate;
use crate::result::TokenReport;

/// How ready signing is; ordered, so the worst of several is their `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ready,
    Attention,
    Problem,
}

/// One finding, already in the user's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// What was checked: `module`, `token`, `certificate`.
    pub check: String,
    pub level: Level,
    /// The stable error code behind a problem or warning, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub message: String,
    /// What to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// A token with its signing certificates, as the tray's menu and the popup list them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenCertificates {
    pub token: TokenReport,
    pub certificates: Vec<Certificate>,
}

/// The whole answer: the state, the one line to show first, every finding, and the tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Readiness {
    pub state: Level,
    /// The most important finding's message (or "ready to sign").
    pub headline: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The stable code of that finding, when it has one (`no_token`, `no_module`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub findings: Vec<Finding>,
    pub tokens: Vec<TokenCertificates>,
}
