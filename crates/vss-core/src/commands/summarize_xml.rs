//! `summarize-xml` `{"documents": [{"name", "xml"}], "certificate"?}` → per document what the
//! agent reads from it (form, unit, MST, period, embedded files) and the refusal the batch would
//! give it before any PIN (malformed, already signed, DOCTYPE, another unit's MST). Read-only:
//! no token login, no dialog. For the extension's dossier page and local callers; the checks
//! are the batch's own [`precheck`], so the page flags exactly what `sign-xml` would refuse.

use time::OffsetDateTime;
use vss_protocol::command::SummarizeXmlArgs;
use vss_protocol::{DocumentSummaries, DocumentSummary, EmbeddedFileInfo, Lang, Result};

use crate::batch::precheck;
use crate::caller::Caller;
use crate::commands::sign_xml::{sign_options, XmlOptions};
use crate::commands::sign_xml_batch::decode_documents;
use crate::service::Service;

pub fn run(
    service: &Service,
    caller: &Caller,
    lang: Lang,
    args: &SummarizeXmlArgs,
) -> Result<DocumentSummaries> {
    let items = decode_documents(&args.documents)?;
    // The MST the batch will compare against: the chosen certificate's, when one is given.
    let mst = match &args.certificate {
        Some(reference) => {
            let (_, record) = service
                .modules()
                .find_certificate(reference, OffsetDateTime::now_utc())?;
            record.certificate.identity.mst.clone()
        }
        None => None,
    };
    let options = XmlOptions {
        parent: None,
        digest: None,
        c14n: None,
        signature_id: None,
        signing_time: None,
    };
    let opts = sign_options(&options, caller, service.config.allow_sha1)?;
    let documents = items
        .iter()
        .map(|item| {
            let mut out = DocumentSummary {
                name: item.name.clone(),
                ..Default::default()
            };
            if let Some(err) = &item.refused {
                out.refusal = Some(err.localize(lang));
                return out;
            }
            // What the agent read, shown even when the document is refused (another unit's file
            // still says whose it is).
            if let Ok(summary) = vss_xml::summarize(&item.xml) {
                out.form = Some(summary.form_code);
                out.root = Some(summary.root);
                out.unit_name = summary.unit_name;
                out.tax_code = summary.tax_code;
                out.bhxh_code = summary.bhxh_code;
                out.period = summary.period;
                out.signatures = summary.signatures;
                out.embedded_files = summary
                    .embedded_files
                    .into_iter()
                    .map(|f| EmbeddedFileInfo {
                        name: f.name,
                        encoded_size: f.encoded_size,
                    })
                    .collect();
            }
            out.refusal = precheck(&item.xml, &opts, mst.as_deref())
                .err()
                .map(|e| e.localize(lang));
            out
        })
        .collect();
    Ok(DocumentSummaries { documents })
}
