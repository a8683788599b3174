//! The result object of every command (DESIGN §2, §7), typed: the service returns these, the
//! transports serialize them unchanged, and the CLI, the doctor, the tray and the tests read
//! their fields instead of looking up string keys.

use serde::{Deserialize, Serialize};

use crate::certificate::Certificate;
use crate::error::ErrorBody;
use crate::readiness::Readiness;

/// `version` → `{"agent": "1.2.3", "protocol": 1}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub agent: String,
    pub protocol: u32,
}

/// `status`: modules, tokens and a config summary. A web origin gets no module paths and token
/// serials only as a per-origin hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub agent: String,
    pub protocol: u32,
    pub modules: Vec<ModuleReport>,
    pub tokens: Vec<TokenReport>,
    pub config: ConfigSummary,
    /// Ready / attention / problem with what to do, in the request's language (callers that see
    /// everything: the extension's pages, the CLI, the tray).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<Readiness>,
    /// Drivers that crashed the agent or `vss` lately (callers that see everything).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver_crashes: Option<Vec<DriverCrash>>,
}

/// One PKCS#11 module the agent tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleReport {
    /// The module file (omitted for web origins: paths contain user names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub loaded: bool,
    /// Why it did not load (for IT; omitted for web origins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// A call into the module overran its time limit and has not returned: it is skipped.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unresponsive: bool,
}

/// A driver that crashed a process of this user during a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriverCrash {
    pub path: String,
    pub function: String,
    /// RFC 3339, when the crash was found (the next start of the agent or `vss`).
    pub at: String,
}

/// The token's PIN state, as far as PKCS#11 tells it (flags, not a number of tries).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinState {
    pub count_low: bool,
    pub final_try: bool,
    pub locked: bool,
}

/// A token present in a slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenReport {
    pub slot: u64,
    pub label: String,
    pub manufacturer: String,
    pub model: String,
    /// The token's serial; for a web origin a per-origin hash of it.
    pub serial: String,
    pub pin: PinState,
    pub protected_auth_path: bool,
    /// The module the token was found through (omitted for web origins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
}

/// The configuration in force, as `status` summarises it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigSummary {
    pub locked: bool,
    pub lang: String,
    pub allowed_origins: Vec<String>,
    pub allow_sha1: bool,
    pub dialog_timeout_seconds: u64,
    /// Local callers only: where modules came from (`environment`, `config`, `builtin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_config: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_config: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinentry: Option<String>,
}

/// `list-certificates` → `{"certificates": [Certificate]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateList {
    pub certificates: Vec<Certificate>,
}

/// `sign-hash` → the signature, its algorithm and the signer's certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HashSignature {
    /// Base64; ECDSA signatures are DER-encoded.
    pub signature: String,
    /// e.g. `RSASSA-PKCS1-v1_5-SHA256`.
    pub signature_algorithm: String,
    /// Base64 DER.
    pub certificate: String,
}

/// `sign-xml` (one document) → `{"xml": "<base64 of the signed XML>"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedXml {
    pub xml: String,
}

/// `sign-xml` in its batch form → one entry per document, in the order given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedBatch {
    pub documents: Vec<BatchOutcome>,
}

/// What became of one document of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchOutcome {
    /// The name the caller gave (a file name).
    pub name: String,
    pub ok: bool,
    /// The form the agent read (`TK1-TS`, `BHXHDienTu`, …), when it could read one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    /// Base64 of the signed XML, when `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml: Option<String>,
    /// Why it was not signed, when not `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

/// `summarize-xml` → one entry per document, in the order given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentSummaries {
    pub documents: Vec<DocumentSummary>,
}

/// What the agent read from one document (the fields of its consent summary), and why it would
/// refuse to sign it before any PIN, if it would.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentSummary {
    pub name: String,
    /// The procedure or form code (`TK1-TS`, `BHXHDienTu`, …), when the document could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bhxh_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// The files embedded in a BHXHDienTu envelope.
    #[serde(default)]
    pub embedded_files: Vec<EmbeddedFileInfo>,
    /// Signatures already in the document.
    #[serde(default)]
    pub signatures: usize,
    /// Why the batch would refuse it (malformed, already signed, DOCTYPE, another unit's MST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<ErrorBody>,
}

/// One file inside an envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddedFileInfo {
    pub name: String,
    /// Size of its base64 content, in characters.
    pub encoded_size: usize,
}
