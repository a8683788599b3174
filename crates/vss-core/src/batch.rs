//! Batch signing of dossier XML: several named documents, one consent dialog listing each, one
//! PIN, one login. Every door uses it — `vss sign-xml` (files), the batch form of `sign-xml` (the
//! extension's dossier page) and the tray's "Ký hồ sơ…" — and only says where the documents
//! come from and where the signed ones go.
//!
//! Before any PIN each document is read once, summarised (form, unit, MST, period, embedded
//! files) and checked: malformed, already signed, DOCTYPE from a page, or another unit's dossier
//! (MaSoThue ≠ the certificate's MST) is reported by name and left out; the rest are signed from
//! the very bytes that fed the dialog and the checks. A token pulled mid-batch fails the rest the
//! same way; a bad document does not stop the others.

use vss_dialog::Content;
use vss_protocol::{Error, ErrorCode, Lang, Result};
use vss_xml::{FormSummary, SignOptions};

use crate::caller::Caller;
use crate::commands::sign_xml::{document_summary, TokenXmlSigner};
use crate::commands::signing::{prepare, sign_with_consent, Operation};
use crate::service::Service;

/// One document of a batch, as the door read it.
#[derive(Debug, Clone)]
pub struct BatchItem {
    /// What the user knows it by (a file name or path), shown in the dialog and the results.
    pub name: String,
    pub xml: Vec<u8>,
    /// A refusal the door found itself before any PIN (unreadable file, output already there).
    pub refused: Option<Error>,
}

impl BatchItem {
    pub fn new(name: impl Into<String>, xml: Vec<u8>) -> BatchItem {
        BatchItem {
            name: name.into(),
            xml,
            refused: None,
        }
    }

    pub fn refused(name: impl Into<String>, error: Error) -> BatchItem {
        BatchItem {
            name: name.into(),
            xml: Vec::new(),
            refused: Some(error),
        }
    }
}

/// What became of one document.
#[derive(Debug, Clone)]
pub struct ItemOutcome {
    pub name: String,
    /// The form the agent read, when it could read one.
    pub form: Option<String>,
    pub result: Result<()>,
}

/// What the door does with each document once its fate is known: called with the document's
/// index, the form read from it (if any) and `Ok(signed XML)` — the door stores it, and an `Err`
/// it returns becomes the document's outcome — or `Err(why it is not signed)`.
pub type Deliver<'a> = dyn FnMut(usize, Option<&str>, Result<Vec<u8>>) -> Result<()> + 'a;

/// Signs `items` with `certificate`. `Err` only when nothing could start (certificate not found,
/// expired, PIN locked); afterwards every document has an outcome, in the order given, and was
/// delivered exactly once.
pub fn sign_batch(
    service: &Service,
    caller: &Caller,
    lang: Lang,
    certificate: &str,
    opts: &SignOptions,
    items: &[BatchItem],
    deliver: &mut Deliver<'_>,
) -> Result<Vec<ItemOutcome>> {
    let (token, record) = prepare(service, certificate, None)?;
    let mst = record.certificate.identity.mst.clone();

    // Pass 1, before any PIN: what each document is, and whether it may be signed.
    let mut outcomes: Vec<Option<ItemOutcome>> = vec![None; items.len()];
    let mut summaries: Vec<(usize, FormSummary)> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let checked = match &item.refused {
            Some(err) => Err(err.clone()),
            None => precheck(&item.xml, opts, mst.as_deref()),
        };
        match checked {
            Ok(summary) => summaries.push((index, summary)),
            Err(err) => {
                let _ = deliver(index, None, Err(err.clone()));
                outcomes[index] = Some(ItemOutcome {
                    name: item.name.clone(),
                    form: None,
                    result: Err(err),
                });
            }
        }
    }

    if !summaries.is_empty() {
        let signed = sign_with_consent(
            service,
            caller,
            lang,
            &token,
            &record,
            Operation {
                content: Content::Documents(
                    summaries
                        .iter()
                        .map(|(index, summary)| {
                            document_summary(summary, Some(items[*index].name.as_str()))
                        })
                        .collect(),
                ),
                claim: None,
            },
            |session| {
                let mut signer = TokenXmlSigner::new(session, &record, true)?;
                for (index, summary) in &summaries {
                    let item = &items[*index];
                    let signed = vss_xml::sign(&item.xml, opts, &mut signer);
                    // A token gone (or its driver hung) mid-batch fails the rest the same way,
                    // unsigned; a bad file does not.
                    if let Err(err) = &signed {
                        if matches!(
                            err.code,
                            ErrorCode::TokenRemoved | ErrorCode::DriverUnresponsive
                        ) {
                            return Err(err.clone());
                        }
                    }
                    let form = Some(summary.form_code.as_str());
                    let result = match signed {
                        Ok(xml) => deliver(*index, form, Ok(xml)),
                        Err(err) => {
                            let _ = deliver(*index, form, Err(err.clone()));
                            Err(err)
                        }
                    };
                    outcomes[*index] = Some(ItemOutcome {
                        name: item.name.clone(),
                        form: Some(summary.form_code.clone()),
                        result,
                    });
                }
                Ok(())
            },
        );
        if let Err(err) = signed {
            for (index, summary) in &summaries {
                if outcomes[*index].is_none() {
                    let _ = deliver(*index, Some(&summary.form_code), Err(err.clone()));
                    outcomes[*index] = Some(ItemOutcome {
                        name: items[*index].name.clone(),
                        form: Some(summary.form_code.clone()),
                        result: Err(err.clone()),
                    });
                }
            }
        }
    }
    Ok(outcomes
        .into_iter()
        .zip(items)
        .map(|(outcome, item)| {
            outcome.unwrap_or_else(|| ItemOutcome {
                name: item.name.clone(),
                form: None,
                result: Err(Error::internal("document left without an outcome")),
            })
        })
        .collect())
}

/// Every check that needs no PIN: well-formed (characters XML forbids included), no forbidden
/// DOCTYPE, a valid and unused signature id, a unique free signature parent, and the unit's MST
/// (a MaSoThue the dossier does not state plainly included). Shared by the batch, the single
/// `sign-xml` and `summarize-xml`, so what the dossier page flags before signing is exactly what
/// either form of signing refuses, and nothing is refused only after the PIN.
pub fn precheck(xml: &[u8], opts: &SignOptions, mst: Option<&str>) -> Result<FormSummary> {
    let summary = vss_xml::summarize(xml)?;
    vss_xml::check_identity(&summary, mst)?;
    vss_xml::check_signable(xml, opts)?;
    Ok(summary)
}
