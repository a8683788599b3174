//! The steps every signing command shares, in the order the user experiences them: find the
//! certificate, refuse the wrong unit or an expired certificate before any PIN, queue on the
//! token, one consent + PIN dialog, log in, sign, log out.

use time::OffsetDateTime;
use vss_cert::{display_date, identity_mismatch, mst_matches};
use vss_dialog::{ConsentText, PromptAnswer, PromptRequest};
use vss_protocol::command::DocumentInfo;
use vss_protocol::messages::text;
use vss_protocol::{Error, ErrorCode, Lang, Result};
use vss_token::{CertificateRecord, Modules, Pin, SigningSession, Token};

use crate::service::{Caller, Service};

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

/// What the caller says is being signed: a page's words are marked unverified; a local user's
/// title is shown as given.
pub fn describe_document(
    consent: &mut ConsentText,
    caller: &Caller,
    document: Option<&DocumentInfo>,
) {
    let Some(document) = document else { return };
    match caller {
        Caller::Web(_) => {
            consent.page_document(document.title.as_deref(), document.description.as_deref());
        }
        Caller::Local { .. } => {
            if let Some(title) = document.title.as_deref() {
                consent.local_document(title);
            }
        }
    }
}

/// Shows the one consent + PIN dialog. `describe` adds the operation's own lines.
pub fn consent(
    service: &Service,
    caller: &Caller,
    lang: Lang,
    token: &Token,
    record: &CertificateRecord,
    modules: &Modules,
    describe: impl FnOnce(&mut ConsentText),
) -> Result<Option<Pin>> {
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
    let mut consent = ConsentText::new(lang);
    let program = match caller {
        Caller::Local { program } => program.as_str(),
        Caller::Web(_) => "",
    };
    consent.requester(caller.origin().map(|o| o.as_str()), program);
    consent.certificate(&record.certificate, &expiry);
    describe(&mut consent);
    consent.pin_state(flags.count_low, flags.final_try, token.protected_auth_path);
    let request = PromptRequest {
        title: text(lang, "dialog-title", &[]),
        description: consent.build(),
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

/// The whole flow for one operation on the token: queue, dialog, login, `sign`, logout.
pub fn sign_with_consent<T>(
    service: &Service,
    caller: &Caller,
    lang: Lang,
    token: &Token,
    record: &CertificateRecord,
    describe: impl FnOnce(&mut ConsentText),
    sign: impl FnOnce(&SigningSession) -> Result<T>,
) -> Result<T> {
    let modules = service.modules();
    let key = format!("{}\n{}\n{}", token.module_path, token.label, token.serial);
    service.with_token(&key, || {
        let pin = consent(service, caller, lang, token, record, &modules, describe)?;
        let session = SigningSession::open(&modules, token, record, pin.as_ref())?;
        drop(pin);
        sign(&session)
    })
}
