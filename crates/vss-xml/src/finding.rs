//! What the verifier found, as a stable code with arguments and the catalogue text in the
//! user's language (issue 10: no English spliced into a Vietnamese answer). JSON carries all
//! three — `{"code": "digest_mismatch", "message": "…", "args": {…}}` — so programs match the
//! code and people read the message; `vss verify-xml`, the tray and the dossier page show the
//! message. What each Reference covers is a finding of the same shape.

use std::collections::BTreeMap;

use serde::Serialize;
use vss_protocol::messages::text;
use vss_protocol::Lang;

macro_rules! finding_codes {
    ($($variant:ident => $code:literal,)*) => {
        /// Every code a finding can have; its text is `verify-<code>` in both catalogues.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum FindingCode { $($variant,)* }

        impl FindingCode {
            pub const ALL: &'static [FindingCode] = &[$(FindingCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(FindingCode::$variant => $code,)* }
            }
        }
    };
}

finding_codes! {
    // The document as a whole.
    DuplicateId => "duplicate_id",
    NoSignature => "no_signature",
    // One Signature.
    SignatureStructure => "signature_structure",
    UnsupportedCanonicalization => "unsupported_canonicalization",
    NoReference => "no_reference",
    UnsupportedSignatureMethod => "unsupported_signature_method",
    SignatureValueInvalid => "signature_value_invalid",
    NoCertificate => "no_certificate",
    // One Reference.
    UnsupportedDigestMethod => "unsupported_digest_method",
    ReferenceWithoutUri => "reference_without_uri",
    IdNotUnique => "id_not_unique",
    IdNotFound => "id_not_found",
    ExternalReference => "external_reference",
    C14nNotLast => "c14n_not_last",
    UnsupportedTransform => "unsupported_transform",
    DigestMismatch => "digest_mismatch",
    // Weak algorithms (SHA-1): a warning, or a problem where the admin rejects them.
    WeakSignatureMethod => "weak_signature_method",
    WeakDigestMethod => "weak_digest_method",
    WeakAlgorithmRejected => "weak_algorithm_rejected",
    // What a Reference covers.
    CoversDocument => "covers_document",
    CoversDocumentWithComments => "covers_document_with_comments",
    CoversElement => "covers_element",
    CoversDocumentEnveloped => "covers_document_enveloped",
    CoversDocumentWithCommentsEnveloped => "covers_document_with_comments_enveloped",
    CoversElementEnveloped => "covers_element_enveloped",
}

impl Serialize for FindingCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One finding: code, arguments (values from the document: an ID, an algorithm URI) and the
/// message in the report's language.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    pub code: FindingCode,
    pub message: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<&'static str, String>,
}

impl Finding {
    pub fn new(code: FindingCode) -> Finding {
        Finding {
            code,
            message: String::new(),
            args: BTreeMap::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Finding {
        self.args.insert(name, value.into());
        self
    }

    /// The catalogue id of this code's text.
    pub fn text_id(code: FindingCode) -> String {
        format!("verify-{}", code.as_str())
    }

    /// Sets the message in `lang` (the arguments as they are; whoever shows it escapes).
    pub fn localize(&mut self, lang: Lang) {
        let args: Vec<(&str, String)> = self.args.iter().map(|(k, v)| (*k, v.clone())).collect();
        self.message = text(lang, &Finding::text_id(self.code), &args);
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_text_in_both_languages_with_its_arguments() {
        for &code in FindingCode::ALL {
            for lang in [Lang::Vi, Lang::En] {
                let mut finding = Finding::new(code)
                    .arg("id", "ID-X")
                    .arg("algorithm", "ALG-X")
                    .arg("uri", "URI-X");
                finding.localize(lang);
                assert_ne!(finding.message, Finding::text_id(code), "{code:?} {lang:?}");
                assert!(!finding.message.contains("{$"), "{}", finding.message);
            }
        }
    }

    #[test]
    fn json_has_code_message_and_arguments() {
        let mut finding = Finding::new(FindingCode::IdNotFound).arg("id", "data");
        finding.localize(Lang::Vi);
        let json = serde_json::to_value(&finding).unwrap();
        assert_eq!(json["code"], "id_not_found");
        assert_eq!(json["args"]["id"], "data");
        assert!(json["message"].as_str().unwrap().contains("data"));
        let mut en = finding.clone();
        en.localize(Lang::En);
        assert_ne!(en.message, finding.message, "each language its own text");
    }
}
