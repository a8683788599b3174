//! The commands of protocol v1 and their arguments, parsed from a request's `command` and
//! `arguments`. Parsing is strict: unknown fields are refused, so a page's typo is an error,
//! not a silently ignored option.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, ErrorCode, Result};

/// One protocol command with its arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Version,
    Status,
    ListCertificates(ListCertificatesArgs),
    SignHash(SignHashArgs),
    SignXml(SignXmlArgs),
    /// The batch form of `sign-xml`: several named documents, one consent, one login.
    SignXmlBatch(SignXmlBatchArgs),
    VerifyXml(VerifyXmlArgs),
    /// Read-only: what the agent reads from each document and whether it would refuse it
    /// before any PIN (the dossier page lists this before the user presses "Ký").
    SummarizeXml(SummarizeXmlArgs),
}

impl Command {
    pub fn parse(name: &str, arguments: &Value) -> Result<Command> {
        let args = if arguments.is_null() {
            Value::Object(Default::default())
        } else {
            arguments.clone()
        };
        match name {
            "version" => Ok(Command::Version),
            "status" => Ok(Command::Status),
            "list-certificates" => parse_args(args).map(Command::ListCertificates),
            "sign-hash" => parse_args(args).map(Command::SignHash),
            "sign-xml" if args.get("documents").is_some() => {
                parse_args(args).map(Command::SignXmlBatch)
            }
            "sign-xml" => parse_args(args).map(Command::SignXml),
            "verify-xml" => parse_args(args).map(Command::VerifyXml),
            "summarize-xml" => parse_args(args).map(Command::SummarizeXml),
            other => Err(Error::new(ErrorCode::UnknownCommand).arg("command", truncate(other, 64))),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Command::Version => "version",
            Command::Status => "status",
            Command::ListCertificates(_) => "list-certificates",
            Command::SignHash(_) => "sign-hash",
            Command::SignXml(_) | Command::SignXmlBatch(_) => "sign-xml",
            Command::VerifyXml(_) => "verify-xml",
            Command::SummarizeXml(_) => "summarize-xml",
        }
    }
}

fn parse_args<T: for<'de> Deserialize<'de>>(args: Value) -> Result<T> {
    serde_json::from_value(args).map_err(|e| Error::bad_request("reason-arguments").cause(e))
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// `list-certificates` arguments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListCertificatesArgs {
    #[serde(default)]
    pub filter: CertificateFilter,
}

/// Which certificates a caller wants.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateFilter {
    /// Only certificates of this tax code (the unit registered on the portal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mst: Option<String>,
    #[serde(default)]
    pub include_expired: bool,
}

/// What the page says it is signing. Unverified: dialogs label it as the website's words.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `sign-hash` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignHashArgs {
    /// Certificate id (hex SHA-256 of the DER) or base64 DER.
    pub certificate: String,
    /// Base64 hash.
    pub hash: String,
    pub hash_algorithm: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub padding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentInfo>,
    /// Tax code the caller expects the certificate to carry (`identity_mismatch` otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mst: Option<String>,
}

/// `sign-xml` arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignXmlArgs {
    pub certificate: String,
    /// Base64 of the UTF-8 XML.
    pub xml: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c14n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_time: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentInfo>,
}

/// `sign-xml` in its batch form: `{"certificate", "documents": [{"name", "xml"}], …}` with the
/// options of the single form applied to every document.
///
/// The option fields repeat those of [`SignXmlArgs`] on purpose: serde documents
/// `#[serde(deny_unknown_fields)]` as unsupported together with `#[serde(flatten)]` (a flattened
/// struct is handed every key the outer one does not claim, so unknown keys are no longer
/// reliably refused), and refusing unknown keys is what stops a page's typo or probe from being
/// silently ignored.
/// `signature_id` and `document` are left out: each document gets the default Id, and the
/// dialog lists the documents by name. Keep the two lists in step when adding an option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignXmlBatchArgs {
    pub certificate: String,
    pub documents: Vec<BatchDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c14n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_time: Option<bool>,
}

/// One named document of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchDocument {
    /// The file name, shown in the consent dialog and echoed in the result.
    pub name: String,
    /// Base64 of the XML.
    pub xml: String,
}

/// `verify-xml` `{"xml": "<base64>"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyXmlArgs {
    pub xml: String,
}

/// `summarize-xml` `{"documents": [{"name", "xml"}], "certificate"?}`: the documents of a batch
/// to be, read without signing; with a certificate, each is also checked against its MST.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummarizeXmlArgs {
    pub documents: Vec<BatchDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

/// Hash algorithms a caller may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    /// Reads `SHA-256`, `sha256`, `SHA256`, … ; anything else is `unsupported_algorithm`.
    pub fn parse(s: &str) -> Result<HashAlgorithm> {
        let norm: String = s
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .collect::<String>()
            .to_ascii_uppercase();
        match norm.as_str() {
            "SHA1" => Ok(HashAlgorithm::Sha1),
            "SHA256" => Ok(HashAlgorithm::Sha256),
            "SHA384" => Ok(HashAlgorithm::Sha384),
            "SHA512" => Ok(HashAlgorithm::Sha512),
            _ => Err(Error::new(ErrorCode::UnsupportedAlgorithm).arg("algorithm", truncate(s, 32))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha384 => "SHA-384",
            HashAlgorithm::Sha512 => "SHA-512",
        }
    }

    /// Digest length in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// `hash_length_mismatch` unless `hash` has this algorithm's length.
    pub fn check_len(self, hash: &[u8]) -> Result<()> {
        if hash.len() == self.digest_len() {
            return Ok(());
        }
        Err(Error::new(ErrorCode::HashLengthMismatch)
            .arg("algorithm", self.name())
            .arg("expected", self.digest_len().to_string())
            .arg("actual", hash.len().to_string())
            .detail("expected", self.digest_len())
            .detail("actual", hash.len()))
    }
}

/// RSA padding for `sign-hash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Padding {
    #[default]
    Pkcs1,
    Pss,
}

impl Padding {
    pub fn parse(s: Option<&str>) -> Result<Padding> {
        match s.map(str::to_ascii_lowercase).as_deref() {
            None | Some("pkcs1") => Ok(Padding::Pkcs1),
            Some("pss") => Ok(Padding::Pss),
            Some(other) => {
                Err(Error::new(ErrorCode::UnsupportedAlgorithm)
                    .arg("algorithm", truncate(other, 32)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_command_names_the_command() {
        let err = Command::parse("format-disk", &Value::Null).unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownCommand);
    }

    #[test]
    fn unknown_argument_fields_are_refused() {
        let err = Command::parse("list-certificates", &json!({"filtre": {}})).unwrap_err();
        assert_eq!(err.code, ErrorCode::BadRequest);
    }

    #[test]
    fn hash_length_is_checked_against_the_algorithm() {
        let alg = HashAlgorithm::parse("sha-256").unwrap();
        assert!(alg.check_len(&[0; 32]).is_ok());
        assert_eq!(
            alg.check_len(&[0; 20]).unwrap_err().code,
            ErrorCode::HashLengthMismatch
        );
        assert_eq!(
            HashAlgorithm::parse("MD5").unwrap_err().code,
            ErrorCode::UnsupportedAlgorithm
        );
    }
}
