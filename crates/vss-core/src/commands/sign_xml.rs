//! `sign-xml`: an enveloped XMLDSig over a dossier, in the BHXH house style (DESIGN §4). The
//! consent dialog shows what the agent itself reads from the XML (form, unit, MST, period,
//! embedded files), not only what the page claims; a dossier of another unit (MaSoThue ≠ the
//! certificate's MST) is `identity_mismatch` before any PIN, as is every other check the batch
//! makes before its PIN ([`crate::batch::precheck`], the one implementation). Large replies are chunked by the
//! native host.

use base64::Engine;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vss_dialog::{Content, DocumentSummary};
use vss_protocol::command::SignXmlArgs;
use vss_protocol::{Error, ErrorCode, HashAlgorithm, Lang, Padding, Result, SignedXml};
use vss_token::{CertificateRecord, EcdsaFormat, HashToSign, SigningSession};
use vss_xml::{C14nMode, EcCurve, FormSummary, KeyKind, SignOptions, XmlSigner};

use crate::batch::precheck;
use crate::caller::Caller;
use crate::commands::signing::{claim, prepare, sign_with_consent, Operation};
use crate::service::Service;

/// Signs XML digests with a logged-in token session.
pub struct TokenXmlSigner<'a> {
    session: &'a SigningSession,
    key: KeyKind,
    der: &'a [u8],
    allow_sha1: bool,
}

impl<'a> TokenXmlSigner<'a> {
    pub fn new(
        session: &'a SigningSession,
        record: &'a CertificateRecord,
        allow_sha1: bool,
    ) -> Result<Self> {
        let info = &record.certificate.key;
        let key = match (info.algorithm.as_str(), info.curve.as_deref()) {
            ("RSA", _) => KeyKind::Rsa {
                bits: info.bits.unwrap_or(2048),
            },
            ("EC", Some("P-256")) => KeyKind::Ec {
                curve: EcCurve::P256,
            },
            ("EC", Some("P-384")) => KeyKind::Ec {
                curve: EcCurve::P384,
            },
            ("EC", Some("P-521")) => KeyKind::Ec {
                curve: EcCurve::P521,
            },
            (other, _) => {
                return Err(
                    Error::new(ErrorCode::UnsupportedAlgorithm).arg("algorithm", other.to_string())
                )
            }
        };
        Ok(TokenXmlSigner {
            session,
            key,
            der: &record.der,
            allow_sha1,
        })
    }
}

impl XmlSigner for TokenXmlSigner<'_> {
    fn key(&self) -> KeyKind {
        self.key
    }

    fn certificate_der(&self) -> &[u8] {
        self.der
    }

    fn sign_digest(&mut self, alg: HashAlgorithm, digest: &[u8]) -> Result<Vec<u8>> {
        let hash = HashToSign::new(alg, digest.to_vec(), self.allow_sha1)?;
        Ok(self
            .session
            .sign_hash(&hash, Padding::Pkcs1, EcdsaFormat::Raw)?
            .bytes)
    }
}

/// What the agent itself read from a document, for the consent dialog.
pub fn document_summary(summary: &FormSummary, name: Option<&str>) -> DocumentSummary {
    DocumentSummary {
        name: name.map(str::to_string),
        form: summary.form_code.clone(),
        unit: summary.unit_name.clone(),
        mst: summary.tax_code.clone(),
        bhxh_code: summary.bhxh_code.clone(),
        period: summary.period.clone(),
        files: summary
            .embedded_files
            .iter()
            .map(|f| f.name.clone())
            .collect(),
    }
}

/// The options a caller may give for an XML signature (the single and the batch form of
/// `sign-xml`, `vss sign-xml`, the tray).
#[derive(Debug, Clone, Default)]
pub struct XmlOptions<'a> {
    pub parent: Option<&'a str>,
    pub digest: Option<&'a str>,
    pub c14n: Option<&'a str>,
    pub signature_id: Option<&'a str>,
    /// Write a SigningTime (default yes).
    pub signing_time: Option<bool>,
}

impl<'a> From<&'a SignXmlArgs> for XmlOptions<'a> {
    fn from(args: &'a SignXmlArgs) -> Self {
        XmlOptions {
            parent: args.parent.as_deref(),
            digest: args.digest.as_deref(),
            c14n: args.c14n.as_deref(),
            signature_id: args.signature_id.as_deref(),
            signing_time: args.signing_time,
        }
    }
}

/// The signing options a caller asks for, checked. DOCTYPEs are accepted only from the local
/// user's own files.
pub fn sign_options(
    args: &XmlOptions<'_>,
    caller: &Caller,
    allow_sha1: bool,
) -> Result<SignOptions> {
    let mut opts = SignOptions::default();
    if let Some(digest) = args.digest {
        opts.digest = HashAlgorithm::parse(digest)?;
        if opts.digest == HashAlgorithm::Sha1 && !allow_sha1 {
            return Err(Error::new(ErrorCode::UnsupportedAlgorithm).arg("algorithm", "SHA-1"));
        }
    }
    if let Some(c14n) = args.c14n {
        opts.c14n = C14nMode::parse(c14n)?;
    }
    if let Some(id) = args.signature_id {
        opts.signature_id = id.to_string();
    }
    opts.parent = args.parent.map(str::to_string);
    opts.allow_doctype = caller.may_send_doctype();
    if args.signing_time.unwrap_or(true) {
        opts.signing_time = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok());
    }
    Ok(opts)
}

pub fn run(
    service: &Service,
    caller: &Caller,
    lang: Lang,
    args: &SignXmlArgs,
) -> Result<SignedXml> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let xml = b64
        .decode(args.xml.trim())
        .map_err(|_| Error::bad_request("reason-xml-base64"))?;
    let opts = sign_options(&args.into(), caller, service.config.allow_sha1)?;
    let (token, record) = prepare(service, &args.certificate, None)?;
    // Every check that needs no PIN, the batch's own: malformed, DOCTYPE, the unit's MST, an
    // invalid or used signature id, a missing, ambiguous or already signed parent.
    let summary = precheck(&xml, &opts, record.certificate.identity.mst.as_deref())?;
    let signed = sign_with_consent(
        service,
        caller,
        lang,
        &token,
        &record,
        Operation {
            content: Content::Documents(vec![document_summary(&summary, None)]),
            claim: claim(caller, args.document.as_ref()),
        },
        |session| {
            let mut signer = TokenXmlSigner::new(session, &record, service.config.allow_sha1)?;
            vss_xml::sign(&xml, &opts, &mut signer)
        },
    )?;
    Ok(SignedXml {
        xml: b64.encode(signed),
    })
}
