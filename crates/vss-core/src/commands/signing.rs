//! The steps every signing command shares, in the order the user experiences them: find the
//! certificate, refuse the wrong unit or an expired certificate before any PIN, check revocation
//! (a revoked certificate is refused before any PIN), queue on the token, one consent + PIN
//! dialog, log in, sign, log out.

use time::OffsetDateTime;
use vss_cert::{display_date, identity_mismatch, mst_matches};
use vss_dialog::{Claim, Consent, Content, PromptAnswer, PromptRequest, Requester, Signer};
use vss_protocol::command::DocumentInfo;
use vss_protocol::messages::text;
use vss_protocol::{Error, ErrorCode, Lang, Result};
use vss_token::{CertificateRecord, Modules, Pin, SigningSession, Token};

use crate::caller::Caller;
use crate::service::Service;

/// Finds the certificate and runs every check that needs no PIN.
pub fn prepare(
    service: &Service,
    reference: &str,
    expected_mst: Option<&str>,
) -> Result<(Token, CertificateRecord)> {
    let now = OffsetDateTime::now_utc();
    let modules = service.modules();
    let (token, record) = modules.find_certificate(reference, now)?;
    if let Some(expected) = expected_mst {
        let actual = record.certificate.identity.mst.as_deref();
        if !actual.is_some_and(|m| mst_matches(m, expected)) {
            return Err(identity_mismatch(
                expected,
                &actual.into_iter().collect::<Vec<_>>(),
            ));
        }
    }
    record.check_validity(now)?;
    // The flags were read with the token just now; `consent` reads them again after the queue.
    if token.pin.locked {
        return Err(Error::new(ErrorCode::PinLocked));
    }
    Ok((token, record))
}

/// What the caller says is being signed: a page's (or another program's) words are marked
/// unverified; a local user's title is shown as given.
pub fn claim(caller: &Caller, document: Option<&DocumentInfo>) -> Option<Claim> {
    let document = document?;
    Some(Claim {
        title: document.title.clone(),
        description: document.description.clone(),
        by_local_user: matches!(caller, Caller::LocalUser { .. }),
    })
}

/// Who asks, as the dialog names it.
fn requester(caller: &Caller, lang: Lang) -> Requester {
    match caller {
        Caller::Web(origin) => Requester::Web(origin.to_string()),
        Caller::Extension => Requester::Local(text(lang, "dialog-requester-extension", &[])),
        Caller::LocalApp => Requester::Local(text(lang, "dialog-requester-local-app", &[])),
        Caller::LocalUser { program } => Requester::Local(program.clone()),
    }
}

/// Shows the one consent + PIN dialog for the operation (what is signed, what the caller
/// claims about it).
pub fn consent(
    service: &Service,
    caller: &Caller,
    lang: Lang,
    (token, record): (&Token, &CertificateRecord),
    modules: &Modules,
    operation: Operation,
    notices: Vec<String>,
) -> Result<Option<Pin>> {
    let Operation { content, claim } = operation;
    let flags = modules.pin_flags(token)?;
    if flags.locked {
        return Err(Error::new(ErrorCode::PinLocked));
    }
    let expiry = OffsetDateTime::parse(
        &record.certificate.not_after,
        &time::format_description::well_known::Rfc3339,
    )
    .map(display_date)
    .unwrap_or_else(|_| record.certificate.not_after.clone());
    let consent = Consent {
        requester: requester(caller, lang),
        signer: Signer {
            holder: record.certificate.holder.clone(),
            mst: record.certificate.identity.mst.clone(),
            expiry,
        },
        content,
        pin: flags,
        pinpad: token.protected_auth_path,
        notices,
        claim,
    };
    let request = PromptRequest {
        title: text(lang, "dialog-title", &[]),
        consent,
        lang,
        prompt: text(lang, "dialog-prompt", &[]),
        ok: text(lang, "dialog-ok", &[]),
        cancel: text(lang, "dialog-cancel", &[]),
        timeout: service.config.dialog_timeout,
        want_pin: !token.protected_auth_path,
        parent_window: service.parent_window.clone(),
    };
    match service.prompt.ask(&request)? {
        PromptAnswer::Pin(pin) => Ok(Some(Pin::new(pin))),
        PromptAnswer::Confirmed => Ok(None),
    }
}

/// What one operation shows in its dialog.
pub struct Operation {
    pub content: Content,
    pub claim: Option<Claim>,
}

/// The whole flow for one operation on the token: revocation, queue, dialog, login, `sign`,
/// logout. Every signing command (sign-hash, sign-xml, batches) goes through here.
pub fn sign_with_consent<T>(
    service: &Service,
    caller: &Caller,
    lang: Lang,
    token: &Token,
    record: &CertificateRecord,
    operation: Operation,
    sign: impl FnOnce(&SigningSession) -> Result<T>,
) -> Result<T> {
    let modules = service.modules();
    let revocation = crate::revocation::before_signing(service, &modules, record, lang)?;
    let key = format!("{}\n{}\n{}", token.module_path, token.label, token.serial);
    service.with_token(&key, || {
        let pin = consent(
            service,
            caller,
            lang,
            (token, record),
            &modules,
            operation,
            vec![revocation],
        )?;
        let session = SigningSession::open(&modules, token, record, pin.as_ref())?;
        drop(pin);
        sign(&session)
    })
}
