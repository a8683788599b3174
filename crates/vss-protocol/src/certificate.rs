//! The certificate object of DESIGN §2, as the agent returns it and pages read it.

use serde::{Deserialize, Serialize};

/// A signing certificate found on a token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    /// Lowercase hex SHA-256 of the DER.
    pub id: String,
    /// Base64 DER.
    pub der: String,
    pub subject: String,
    pub issuer: String,
    /// Serial number, lowercase hex.
    pub serial: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    pub valid_now: bool,
    /// Whole days until `not_after` (negative once expired).
    pub expires_in_days: i64,
    /// The holder's name (subject CN, else O), for dialogs and lists.
    pub holder: String,
    pub identity: Identity,
    pub key: KeyInfo,
    pub key_usage: Vec<String>,
    pub token: TokenRef,
}

/// Vietnamese identifiers read from the subject's `UID` entries (fallback O and CN).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Mã số thuế (tax code), e.g. `0101234567-001`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mst: Option<String>,
    /// Căn cước công dân.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cccd: Option<String>,
    /// Chứng minh nhân dân.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmnd: Option<String>,
    /// Mã ngân sách.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mns: Option<String>,
    /// Hộ chiếu (passport).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hc: Option<String>,
}

/// The certificate's public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// `RSA` or `EC`.
    pub algorithm: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bits: Option<u32>,
    /// `P-256`, `P-384`, `P-521`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve: Option<String>,
}

/// Where the certificate lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRef {
    pub slot: u64,
    pub label: String,
    pub serial: String,
}
