//! Who is asking, and what each kind of caller may run: the one authorization policy of the
//! product (DESIGN §5, §7). Front doors only establish the caller — from the browser's origin,
//! the HTTP Origin header or bearer token, or the local user — and [`authorize`] decides.
//!
//! | caller | may run |
//! |---|---|
//! | web origin on the allowlist | `version`, `status` (redacted), `list-certificates`, `sign-xml` (one document), `sign-hash` where the origin has the hash-signing capability |
//! | the extension's own pages (`chrome-extension://<its id>`) | reading (`version`, `status`, `list-certificates`), the batch form of `sign-xml`, `verify-xml` and `summarize-xml` (the dossier page); never single-operation signing |
//! | the local user (`vss`, `vss-tray`) | everything |
//! | a local application over HTTP with the bearer token | everything |

use sha2::{Digest, Sha256};
use vss_config::{Capability, Origin, Policy};
use vss_protocol::{Command, Error, ErrorCode, Result};

/// A caller as a front door established it, never as a request claims it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A web page on an allowlisted origin (checked against the policy).
    Web(Origin),
    /// One of the extension's own pages (popup, dossier page): the origin
    /// `chrome-extension://<its id>` set by its service worker, which pages cannot forge.
    Extension,
    /// The user at this computer, through `program` (`vss`, `vss-tray`, …).
    LocalUser { program: String },
    /// A local program over HTTP that presented the bearer token.
    LocalApp,
}

impl Caller {
    /// The local user through `program`.
    pub fn local(program: impl Into<String>) -> Caller {
        Caller::LocalUser {
            program: program.into(),
        }
    }

    /// The web origin, for web callers.
    pub fn origin(&self) -> Option<&Origin> {
        match self {
            Caller::Web(origin) => Some(origin),
            _ => None,
        }
    }

    /// How the caller appears in logs and, for local callers, in the consent dialog.
    pub fn label(&self) -> String {
        match self {
            Caller::Web(origin) => origin.to_string(),
            Caller::Extension => "extension".into(),
            Caller::LocalUser { program } => program.clone(),
            Caller::LocalApp => "local application".into(),
        }
    }

    /// Whether the caller sees everything (module paths, token serials) as the CLI does.
    pub fn sees_everything(&self) -> bool {
        !matches!(self, Caller::Web(_))
    }

    /// A token's serial as this caller may see it: the real one for local callers and the
    /// extension's own pages; for a web origin a per-origin hash (the first 8 bytes of
    /// SHA-256 over origin and serial, in hex), so two sites cannot match the same token and a
    /// site can still tell its user's tokens apart (DESIGN §2, `status` and `list-certificates`).
    pub fn token_serial(&self, serial: &str) -> String {
        match self {
            Caller::Web(origin) => {
                hex::encode(&Sha256::digest(format!("{origin}\n{serial}").as_bytes())[..8])
            }
            _ => serial.to_string(),
        }
    }

    /// Whether XML from this caller may carry a DOCTYPE: only files the local user chose
    /// (DESIGN §4: XML from a page or HTTP never does).
    pub fn may_send_doctype(&self) -> bool {
        matches!(self, Caller::LocalUser { .. })
    }
}

/// `capability_denied` unless `caller` may run `command` under `policy`.
pub fn authorize(policy: &Policy, caller: &Caller, command: &Command) -> Result<()> {
    let reading = matches!(
        command,
        Command::Version | Command::Status | Command::ListCertificates(_)
    );
    match caller {
        Caller::LocalUser { .. } | Caller::LocalApp => Ok(()),
        Caller::Extension => match command {
            _ if reading => Ok(()),
            Command::SignXmlBatch(_) | Command::VerifyXml(_) | Command::SummarizeXml(_) => Ok(()),
            _ => Err(denied("extension", "capability-single-signing")),
        },
        Caller::Web(origin) => match command {
            _ if reading => Ok(()),
            Command::SignXml(_) => Ok(()),
            Command::SignHash(_) => policy.require(origin, Capability::HashSigning),
            Command::SignXmlBatch(_) => Err(denied(origin.as_str(), "capability-batch-signing")),
            Command::VerifyXml(_) => Err(denied(origin.as_str(), "capability-verification")),
            Command::SummarizeXml(_) => Err(denied(origin.as_str(), "capability-summary")),
            _ => Err(denied(origin.as_str(), "capability-signing")),
        },
    }
}

fn denied(who: &str, capability: &'static str) -> Error {
    Error::new(ErrorCode::CapabilityDenied)
        .arg("origin", who.to_string())
        .arg_text("capability", capability)
}

/// Checks the caller named in a native host's argv against the built-in and configured extension ids, and
/// returns the origin the extension gives its own pages' requests. Chrome/Edge pass
/// `chrome-extension://<id>/`; Firefox passes the host manifest's path and then the add-on id
/// (its own pages' `moz-extension://<uuid>` differs per profile, so the extension names them
/// `moz-extension://<add-on id>`, which no web page can send: page origins are https).
pub fn check_extension(
    argv_origin: &str,
    firefox_id: Option<&str>,
    extra_ids: &[String],
) -> Result<String, Error> {
    let refuse = |shown: &str| {
        Error::new(ErrorCode::OriginNotAllowed)
            .arg("origin", shown.chars().take(100).collect::<String>())
    };
    if !argv_origin.starts_with("chrome-extension://") {
        if let Some(id) = firefox_id {
            let known =
                id == vss_protocol::FIREFOX_EXTENSION_ID || extra_ids.iter().any(|e| e == id);
            return if known {
                Ok(format!("moz-extension://{id}"))
            } else {
                Err(refuse(id))
            };
        }
    }
    let id = argv_origin
        .strip_prefix("chrome-extension://")
        .and_then(|rest| rest.strip_suffix('/'))
        .filter(|id| id.len() == 32 && id.chars().all(|c| c.is_ascii_lowercase()))
        .ok_or_else(|| refuse(argv_origin))?;
    let known = id == vss_protocol::EXTENSION_ID || extra_ids.iter().any(|e| e == id);
    if !known {
        return Err(refuse(argv_origin));
    }
    Ok(format!("chrome-extension://{id}"))
}

/// The caller of one native-messaging request: the extension's own pages when the service
/// worker set our own origin, else a web origin checked against the policy.
pub fn native_caller(policy: &Policy, own_origin: &str, origin: Option<&str>) -> Result<Caller> {
    match origin.map(|o| o.trim_end_matches('/')) {
        Some(o) if o == own_origin => Ok(Caller::Extension),
        Some(o) => Ok(Caller::Web(policy.check(o)?)),
        None => Err(Error::new(ErrorCode::OriginNotAllowed).arg("origin", "—")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vss_config::Config;
    use vss_protocol::{BatchDocument, SignXmlBatchArgs, SummarizeXmlArgs, VerifyXmlArgs};

    fn policy() -> Policy {
        Policy::from_config(&Config {
            extra_origins: vec!["https://ivan.example.vn".into()],
            ..Default::default()
        })
    }

    fn command(name: &str, args: serde_json::Value) -> Command {
        Command::parse(name, &args).unwrap()
    }

    fn batch() -> Command {
        Command::SignXmlBatch(SignXmlBatchArgs {
            certificate: "x".into(),
            documents: vec![BatchDocument {
                name: "a.xml".into(),
                xml: String::new(),
            }],
            parent: None,
            digest: None,
            c14n: None,
            signing_time: None,
        })
    }

    fn sign_hash() -> Command {
        command(
            "sign-hash",
            serde_json::json!({"certificate": "x", "hash": "", "hash_algorithm": "SHA-256"}),
        )
    }

    fn sign_xml() -> Command {
        command(
            "sign-xml",
            serde_json::json!({"certificate": "x", "xml": ""}),
        )
    }

    fn verify() -> Command {
        Command::VerifyXml(VerifyXmlArgs { xml: String::new() })
    }

    fn summarize() -> Command {
        Command::SummarizeXml(SummarizeXmlArgs {
            documents: vec![],
            certificate: None,
        })
    }

    fn code(r: Result<()>) -> Option<ErrorCode> {
        r.err().map(|e| e.code)
    }

    #[test]
    fn web_pages_never_get_a_batch_or_verification() {
        let p = policy();
        for origin in [
            "https://gddt.baohiemxahoi.gov.vn",
            "https://ivan.example.vn",
        ] {
            let web = Caller::Web(p.check(origin).unwrap());
            assert_eq!(
                code(authorize(&p, &web, &batch())),
                Some(ErrorCode::CapabilityDenied)
            );
            assert_eq!(
                code(authorize(&p, &web, &verify())),
                Some(ErrorCode::CapabilityDenied)
            );
            assert_eq!(
                code(authorize(&p, &web, &summarize())),
                Some(ErrorCode::CapabilityDenied)
            );
            assert_eq!(code(authorize(&p, &web, &sign_xml())), None);
            assert_eq!(code(authorize(&p, &web, &Command::Status)), None);
        }
    }

    #[test]
    fn blind_hash_signing_only_where_granted() {
        let p = policy();
        let portal = Caller::Web(p.check("https://gddt.baohiemxahoi.gov.vn").unwrap());
        let added = Caller::Web(p.check("https://ivan.example.vn").unwrap());
        assert_eq!(code(authorize(&p, &portal, &sign_hash())), None);
        assert_eq!(
            code(authorize(&p, &added, &sign_hash())),
            Some(ErrorCode::CapabilityDenied)
        );
    }

    #[test]
    fn extension_pages_read_batch_and_verify_but_never_sign_one_operation() {
        let p = policy();
        let e = Caller::Extension;
        assert_eq!(code(authorize(&p, &e, &Command::Version)), None);
        assert_eq!(code(authorize(&p, &e, &batch())), None);
        assert_eq!(code(authorize(&p, &e, &verify())), None);
        assert_eq!(code(authorize(&p, &e, &summarize())), None);
        assert_eq!(
            code(authorize(&p, &e, &sign_hash())),
            Some(ErrorCode::CapabilityDenied)
        );
        assert_eq!(
            code(authorize(&p, &e, &sign_xml())),
            Some(ErrorCode::CapabilityDenied)
        );
    }

    #[test]
    fn local_callers_run_everything() {
        let p = policy();
        for caller in [Caller::local("vss"), Caller::LocalApp] {
            for c in [
                sign_hash(),
                sign_xml(),
                batch(),
                verify(),
                summarize(),
                Command::Status,
            ] {
                assert_eq!(code(authorize(&p, &caller, &c)), None);
            }
        }
    }

    #[test]
    fn the_own_origin_is_the_extension_and_others_are_checked() {
        let p = policy();
        let own = check_extension(
            &format!("chrome-extension://{}/", vss_protocol::EXTENSION_ID),
            None,
            &[],
        )
        .unwrap();
        let id = own.as_str();
        assert_eq!(
            native_caller(&p, id, Some(&own)).unwrap(),
            Caller::Extension
        );
        assert_eq!(
            native_caller(&p, id, Some(&format!("{own}/"))).unwrap(),
            Caller::Extension
        );
        for other in [
            "chrome-extension://bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "https://evil.example",
            "null",
        ] {
            assert!(native_caller(&p, id, Some(other)).is_err(), "{other}");
        }
        assert!(native_caller(&p, id, None).is_err());
    }
}
