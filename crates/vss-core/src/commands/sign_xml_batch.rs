//! The batch form of `sign-xml` (DESIGN §7): several named documents, one consent dialog listing
//! each, one login, one result per document. Only the extension's dossier page and local callers
//! may ask (see [`crate::caller`]); the count and total size are capped before any PIN.

use base64::Engine;
use vss_protocol::command::{BatchDocument, SignXmlBatchArgs};
use vss_protocol::{limits, BatchOutcome, Error, ErrorCode, Lang, Result, SignedBatch};

use crate::batch::{sign_batch, BatchItem};
use crate::caller::Caller;
use crate::commands::sign_xml::{sign_options, XmlOptions};
use crate::service::Service;

pub fn run(
    service: &Service,
    caller: &Caller,
    lang: Lang,
    args: &SignXmlBatchArgs,
) -> Result<SignedBatch> {
    let items = decode_documents(&args.documents)?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let options = XmlOptions {
        parent: args.parent.as_deref(),
        digest: args.digest.as_deref(),
        c14n: args.c14n.as_deref(),
        signature_id: None,
        signing_time: args.signing_time,
    };
    let opts = sign_options(&options, caller, service.config.allow_sha1)?;
    let mut signed: Vec<Option<String>> = vec![None; items.len()];
    let outcomes = sign_batch(
        service,
        caller,
        lang,
        &args.certificate,
        &opts,
        &items,
        &mut |index, _, result| {
            if let Ok(xml) = result {
                signed[index] = Some(b64.encode(xml));
            }
            Ok(())
        },
    )?;
    Ok(SignedBatch {
        documents: outcomes
            .into_iter()
            .zip(signed)
            .map(|(outcome, xml)| BatchOutcome {
                name: outcome.name,
                ok: outcome.result.is_ok(),
                form: outcome.form,
                xml: xml.filter(|_| outcome.result.is_ok()),
                error: outcome.result.err().map(|e| e.localize(lang)),
            })
            .collect(),
    })
}

/// The documents of a batch request, decoded, within the caps (count, total size) — checked
/// before any PIN. Shared with `summarize-xml`.
pub fn decode_documents(documents: &[BatchDocument]) -> Result<Vec<BatchItem>> {
    let count = documents.len();
    if count == 0 || count > limits::MAX_BATCH_DOCUMENTS {
        return Err(Error::new(ErrorCode::BatchTooLarge)
            .arg("count", count.to_string())
            .arg("limit", limits::MAX_BATCH_DOCUMENTS.to_string())
            .detail("limit", limits::MAX_BATCH_DOCUMENTS));
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut total = 0usize;
    let items: Vec<BatchItem> = documents
        .iter()
        .map(|doc| {
            let name: String = doc
                .name
                .chars()
                .take(limits::MAX_DOCUMENT_NAME_CHARS)
                .collect();
            match b64.decode(doc.xml.trim()) {
                Ok(xml) => {
                    total += xml.len();
                    BatchItem::new(name, xml)
                }
                Err(_) => BatchItem::refused(name, Error::bad_request("reason-xml-base64")),
            }
        })
        .collect();
    if total > limits::MAX_BATCH_XML_BYTES {
        return Err(Error::new(ErrorCode::MessageTooLarge)
            .arg("size", total.to_string())
            .arg("limit", limits::MAX_BATCH_XML_BYTES.to_string())
            .detail("limit", limits::MAX_BATCH_XML_BYTES));
    }
    Ok(items)
}
