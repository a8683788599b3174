//! The closed set of error codes (DESIGN §2) and the error value every layer returns.
//!
//! An [`Error`] carries a stable code, the named arguments its message needs, machine-readable
//! details for pages, and an internal cause for logs. Text is produced only by
//! [`Error::localize`], from the catalogues in `i18n/`.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::lang::Lang;
use crate::messages;

macro_rules! error_codes {
    ($($variant:ident => $code:literal,)*) => {
        /// Stable error codes. The strings are a contract: add, never rename.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $($variant,)* }

        impl ErrorCode {
            /// Every code, in declaration order (tests check each has vi and en text).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            pub fn parse(s: &str) -> Option<ErrorCode> {
                match s { $($code => Some(ErrorCode::$variant),)* _ => None }
            }
        }
    };
}

error_codes! {
    BadRequest => "bad_request",
    UnknownCommand => "unknown_command",
    MessageTooLarge => "message_too_large",
    OriginNotAllowed => "origin_not_allowed",
    InsecureOrigin => "insecure_origin",
    NoModule => "no_module",
    ModuleLoadFailed => "module_load_failed",
    NoToken => "no_token",
    NoCertificates => "no_certificates",
    CertificateNotFound => "certificate_not_found",
    IdentityMismatch => "identity_mismatch",
    CertificateExpired => "certificate_expired",
    CertificateNotYetValid => "certificate_not_yet_valid",
    UserCancelled => "user_cancelled",
    UserTimeout => "user_timeout",
    PinIncorrect => "pin_incorrect",
    PinLocked => "pin_locked",
    TokenRemoved => "token_removed",
    Busy => "busy",
    UnsupportedAlgorithm => "unsupported_algorithm",
    HashLengthMismatch => "hash_length_mismatch",
    XmlMalformed => "xml_malformed",
    XmlParentNotFound => "xml_parent_not_found",
    XmlDtdForbidden => "xml_dtd_forbidden",
    XmlAlreadySigned => "xml_already_signed",
    CapabilityDenied => "capability_denied",
    Internal => "internal",
    // Additions beyond DESIGN §2's first list.
    ConfigInvalid => "config_invalid",
    DialogUnavailable => "dialog_unavailable",
    CertificateAmbiguous => "certificate_ambiguous",
    FileUnreadable => "file_unreadable",
    OutputExists => "output_exists",
    XmlParentAmbiguous => "xml_parent_ambiguous",
    // Additions of turn 2 (DESIGN §7).
    BatchTooLarge => "batch_too_large",
    DriverUnresponsive => "driver_unresponsive",
    // Additions of issue 17 (inputs read once, from regular files only, within their cap).
    FileNotRegular => "file_not_regular",
    FileTooLarge => "file_too_large",
    CertificateRevoked => "certificate_revoked",
    RevocationUnknown => "revocation_unknown",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ErrorCode::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown error code {s}")))
    }
}

/// An error with a stable code. Build with [`Error::new`] and the `arg`/`detail`/`cause` methods.
#[derive(Debug, Clone)]
pub struct Error {
    pub code: ErrorCode,
    /// Named values interpolated into the message and hint (e.g. `path`, `mst`).
    pub args: Vec<(&'static str, String)>,
    /// Named values that are themselves catalogue texts (a reason, a capability), rendered in
    /// the message's language so no English is spliced into a Vietnamese message.
    pub text_args: Vec<(&'static str, &'static str)>,
    /// Machine-readable details sent to the caller (e.g. `count_low`).
    pub details: Map<String, Value>,
    /// Internal cause for logs; never shown to a page.
    pub cause: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode) -> Self {
        Error {
            code,
            args: Vec::new(),
            text_args: Vec::new(),
            details: Map::new(),
            cause: None,
        }
    }

    /// Adds a value the message or hint interpolates.
    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// Adds a value that is the catalogue text `id`, rendered in the language of the message.
    pub fn arg_text(mut self, name: &'static str, id: &'static str) -> Self {
        self.text_args.push((name, id));
        self
    }

    /// Adds a machine-readable detail for the caller.
    pub fn detail(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.details.insert(name.to_string(), value.into());
        self
    }

    /// Records the internal cause (for logs).
    pub fn cause(mut self, cause: impl fmt::Display) -> Self {
        self.cause = Some(cause.to_string());
        self
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        Error::new(ErrorCode::Internal).cause(cause)
    }

    /// `bad_request` whose reason is the catalogue text `reason` (a `reason-…` id), so the
    /// message is in one language; what exactly failed goes to [`Error::cause`] for logs.
    pub fn bad_request(reason: &'static str) -> Self {
        Error::new(ErrorCode::BadRequest).arg_text("reason", reason)
    }

    /// The user-facing message, hint and details in `lang`.
    pub fn localize(&self, lang: Lang) -> ErrorBody {
        let mut args = self.args.clone();
        for (name, id) in &self.text_args {
            args.push((name, messages::text(lang, id, &self.args)));
        }
        ErrorBody {
            code: self.code,
            message: messages::error_message(lang, self.code, &args),
            hint: messages::error_hint(lang, self.code, &args),
            details: Value::Object(self.details.clone()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(cause) = &self.cause {
            write!(f, " ({cause})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The `error` object of a failed response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    pub hint: String,
    #[serde(default, skip_serializing_if = "is_empty_object")]
    pub details: Value,
}

fn is_empty_object(v: &Value) -> bool {
    v.is_null() || v.as_object().is_some_and(Map::is_empty)
}
