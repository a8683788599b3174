//! `sign-hash`: a signature over a hash the page computed. Blind signing: the dialog says the
//! content cannot be shown, labels the page's text as unverified, and the capability must be
//! granted to the origin (on by default for the BHXH portal only; see [`crate::caller`]).

use base64::Engine;
use vss_dialog::Content;
use vss_protocol::command::SignHashArgs;
use vss_protocol::{Error, ErrorCode, HashAlgorithm, HashSignature, Lang, Padding, Result};
use vss_token::{EcdsaFormat, HashToSign};

use crate::caller::Caller;
use crate::commands::signing::{claim, prepare, sign_with_consent, Operation};
use crate::service::Service;

pub fn run(
    service: &Service,
    caller: &Caller,
    lang: Lang,
    args: &SignHashArgs,
) -> Result<HashSignature> {
    let algorithm = HashAlgorithm::parse(&args.hash_algorithm)?;
    let hash = base64::engine::general_purpose::STANDARD
        .decode(args.hash.trim())
        .map_err(|_| Error::bad_request("reason-hash-base64"))?;
    let hash = HashToSign::new(algorithm, hash, service.config.allow_sha1)?;
    let padding = Padding::parse(args.padding.as_deref())?;
    let (token, record) = prepare(service, &args.certificate, args.mst.as_deref())?;
    if padding == Padding::Pss && record.certificate.key.algorithm != "RSA" {
        return Err(
            Error::new(ErrorCode::UnsupportedAlgorithm).arg("algorithm", "PSS with an EC key")
        );
    }
    let signature = sign_with_consent(
        service,
        caller,
        lang,
        &token,
        &record,
        Operation {
            content: Content::Hash {
                algorithm: algorithm.name().to_string(),
                fingerprint: fingerprint(&hash.hash),
            },
            claim: claim(caller, args.document.as_ref()),
        },
        |session| session.sign_hash(&hash, padding, EcdsaFormat::Der),
    )?;
    let b64 = base64::engine::general_purpose::STANDARD;
    Ok(HashSignature {
        signature: b64.encode(&signature.bytes),
        signature_algorithm: signature.algorithm,
        certificate: b64.encode(&record.der),
    })
}

/// A short fingerprint of the hash, as the dialog shows it (first and last 8 hex digits).
fn fingerprint(hash: &[u8]) -> String {
    let hex = hex::encode_upper(hash);
    if hex.len() > 16 {
        format!("{}…{}", &hex[..8], &hex[hex.len() - 8..])
    } else {
        hex
    }
}
