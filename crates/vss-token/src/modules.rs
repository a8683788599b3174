//! PKCS#11 modules loaded once per process, their tokens and the certificates on them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::slot::Slot;
use serde::Serialize;
use time::OffsetDateTime;
use vss_protocol::{Error, ErrorCode, PinState, Result, TokenRef, TokenReport};

use vss_cert::{certificate_id, parse_certificate, reference_to_id};

use crate::discovery::ModuleSource;
use crate::record::CertificateRecord;

/// A module file that loaded, with its initialised context.
struct LoadedModule {
    path: PathBuf,
    context: Pkcs11,
}

/// What `status` reports about each module tried.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleStatus {
    pub path: String,
    pub loaded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

/// The token's PIN state, as far as PKCS#11 tells it (flags, not a number of tries).
pub use vss_protocol::PinState as PinFlags;

/// A token present in a slot.
#[derive(Debug, Clone, Serialize)]
pub struct Token {
    #[serde(skip)]
    pub module: usize,
    #[serde(skip)]
    pub slot_handle: Slot,
    pub slot: u64,
    pub label: String,
    pub manufacturer: String,
    pub model: String,
    pub serial: String,
    pub pin: PinFlags,
    /// PIN-pad reader or token: the PIN is typed on the device, not in our dialog.
    pub protected_auth_path: bool,
    /// Path of the module the token was found through.
    pub module_path: String,
}

impl Token {
    /// The PIN flags in the protocol's terms.
    pub fn pin_state(&self) -> PinState {
        self.pin
    }

    /// The token as `status` reports it to a caller that sees everything.
    pub fn report(&self) -> TokenReport {
        TokenReport {
            slot: self.slot,
            label: self.label.clone(),
            manufacturer: self.manufacturer.clone(),
            model: self.model.clone(),
            serial: self.serial.clone(),
            pin: self.pin_state(),
            protected_auth_path: self.protected_auth_path,
            module: Some(self.module_path.clone()),
        }
    }

    pub fn token_ref(&self) -> TokenRef {
        TokenRef {
            slot: self.slot,
            label: self.label.clone(),
            serial: self.serial.clone(),
        }
    }
}

/// Every module this process loaded (each initialised exactly once) and those that failed.
pub struct Modules {
    loaded: Vec<LoadedModule>,
    failed: Vec<(PathBuf, Error)>,
    source: ModuleSource,
    /// The certificates last read from each token (see [`CachedToken`]).
    cache: Mutex<HashMap<CacheKey, CachedToken>>,
}

/// A token as the cache knows it: module, slot, serial and label (a token swapped for another
/// in the same slot has another serial).
type CacheKey = (usize, u64, String, String);

/// The certificate objects of a token when last read: their handles (the cheap change check —
/// one C_FindObjects, compared before the cached values are used) and each one's DER and
/// CKA_ID. Certificates are public objects: nothing secret is kept. Validity is recomputed
/// from the DER on every use.
struct CachedToken {
    handles: Vec<ObjectHandle>,
    objects: Vec<(Vec<u8>, Vec<u8>)>,
    /// Certificate ids (SHA-256 of the DER) in the order of `objects`.
    ids: Vec<String>,
}

impl Modules {
    /// Loads and initialises each module. A module that fails is recorded with its path and
    /// reason and does not stop the others.
    pub fn load(source: ModuleSource, paths: &[PathBuf]) -> Modules {
        let mut modules = Modules {
            loaded: Vec::new(),
            failed: Vec::new(),
            source,
            cache: Mutex::new(HashMap::new()),
        };
        for path in paths {
            match load_one(path) {
                Ok(context) => {
                    tracing::info!(module = %path.display(), "PKCS#11 module loaded");
                    modules.loaded.push(LoadedModule {
                        path: path.clone(),
                        context,
                    });
                }
                Err(err) => {
                    tracing::warn!(module = %path.display(), error = %err, "PKCS#11 module not loaded");
                    modules.failed.push((path.clone(), err));
                }
            }
        }
        modules
    }

    /// Whether at least one module loaded.
    pub fn any_loaded(&self) -> bool {
        !self.loaded.is_empty()
    }

    pub fn source(&self) -> ModuleSource {
        self.source
    }

    pub(crate) fn context(&self, module: usize) -> Result<&Pkcs11> {
        self.loaded
            .get(module)
            .map(|m| &m.context)
            .ok_or_else(|| Error::internal("no such module"))
    }

    /// Each module tried, loaded or not, for `status`.
    pub fn statuses(&self) -> Vec<ModuleStatus> {
        let loaded = self.loaded.iter().map(|m| ModuleStatus {
            path: m.path.display().to_string(),
            loaded: true,
            error: None,
            error_code: None,
        });
        let failed = self.failed.iter().map(|(path, err)| ModuleStatus {
            path: path.display().to_string(),
            loaded: false,
            error: err.cause.clone(),
            error_code: Some(err.code.as_str().to_string()),
        });
        loaded.chain(failed).collect()
    }

    /// `no_module` / `module_load_failed` when nothing is loaded at all.
    fn require_any(&self) -> Result<()> {
        if !self.loaded.is_empty() {
            return Ok(());
        }
        Err(match self.failed.first() {
            Some((_, err)) => err.clone(),
            None => Error::new(ErrorCode::NoModule)
                .arg("path", "—")
                .cause("no known PKCS#11 module is installed"),
        })
    }

    /// Tokens present in every loaded module. A token seen through two modules (say, the vendor
    /// driver and p11-kit-proxy) is listed once.
    pub fn tokens(&self) -> Result<Vec<Token>> {
        self.require_any()?;
        let mut tokens: Vec<Token> = Vec::new();
        for (index, module) in self.loaded.iter().enumerate() {
            let slots = match module.context.get_slots_with_token() {
                Ok(slots) => slots,
                Err(err) => {
                    tracing::warn!(module = %module.path.display(), error = %err, "cannot list slots");
                    continue;
                }
            };
            for slot in slots {
                let info = match module.context.get_token_info(slot) {
                    Ok(info) => info,
                    Err(err) => {
                        tracing::warn!(module = %module.path.display(), error = %err, "cannot read token info");
                        continue;
                    }
                };
                if !info.token_initialized() {
                    continue; // an empty slot (SoftHSM2 always offers one), not a token
                }
                let token = token_from_info(index, &module.path, slot, &info);
                let duplicate = tokens.iter().any(|t| {
                    t.serial == token.serial
                        && t.label == token.label
                        && t.manufacturer == token.manufacturer
                });
                if !duplicate {
                    tokens.push(token);
                }
            }
        }
        Ok(tokens)
    }

    /// Fresh PIN flags of a token (after a failed login, say).
    pub fn pin_flags(&self, token: &Token) -> Result<PinFlags> {
        let info = self
            .context(token.module)?
            .get_token_info(token.slot_handle)
            .map_err(map_ck_error)?;
        Ok(PinFlags {
            count_low: info.user_pin_count_low(),
            final_try: info.user_pin_final_try(),
            locked: info.user_pin_locked(),
        })
    }

    /// Every certificate on every token, signing certificates first. `no_token` when no token
    /// is present.
    pub fn certificates(&self, now: OffsetDateTime) -> Result<Vec<(Token, CertificateRecord)>> {
        let tokens = self.tokens()?;
        if tokens.is_empty() {
            return Err(Error::new(ErrorCode::NoToken));
        }
        let mut found = Vec::new();
        for token in tokens {
            match self.token_certificates(&token, now) {
                Ok(records) => found.extend(records.into_iter().map(|r| (token.clone(), r))),
                Err(err) => {
                    tracing::warn!(token = %token.label, error = %err, "cannot read certificates")
                }
            }
        }
        found.sort_by_key(|(_, r)| !r.is_signing);
        Ok(found)
    }

    fn token_certificates(
        &self,
        token: &Token,
        now: OffsetDateTime,
    ) -> Result<Vec<CertificateRecord>> {
        let session = self
            .context(token.module)?
            .open_ro_session(token.slot_handle)
            .map_err(map_ck_error)?;
        let template = [
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
        ];
        let handles = session.find_objects(&template).map_err(map_ck_error)?;
        let key = cache_key(token);
        let cached = self.cached_objects(&key, &handles);
        let objects = match cached {
            Some(objects) => objects,
            None => {
                let mut objects = Vec::with_capacity(handles.len());
                for handle in &handles {
                    let attrs = session
                        .get_attributes(*handle, &[AttributeType::Value, AttributeType::Id])
                        .map_err(map_ck_error)?;
                    let (mut der, mut cka_id) = (Vec::new(), Vec::new());
                    for attr in attrs {
                        match attr {
                            Attribute::Value(v) => der = v,
                            Attribute::Id(v) => cka_id = v,
                            _ => {}
                        }
                    }
                    objects.push((der, cka_id));
                }
                self.store(key, handles, &objects);
                objects
            }
        };
        let mut records = Vec::new();
        for (der, cka_id) in objects {
            match parse_certificate(&der, token.token_ref(), now) {
                Ok((certificate, is_signing)) => records.push(CertificateRecord {
                    certificate,
                    der,
                    cka_id,
                    module: token.module,
                    is_signing,
                }),
                Err(err) => {
                    tracing::warn!(token = %token.label, error = %err, "skipping a certificate that does not parse")
                }
            }
        }
        Ok(records)
    }

    /// Signing certificates, optionally with expired ones.
    pub fn signing_certificates(
        &self,
        now: OffsetDateTime,
        include_expired: bool,
    ) -> Result<Vec<(Token, CertificateRecord)>> {
        let all = self.certificates(now)?;
        let signing: Vec<_> = all
            .into_iter()
            .filter(|(_, r)| r.is_signing && (include_expired || r.certificate.valid_now))
            .collect();
        Ok(signing)
    }

    /// The cached objects of a token if its certificate handles are still those cached.
    fn cached_objects(
        &self,
        key: &CacheKey,
        handles: &[ObjectHandle],
    ) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
        let cache = self.cache.lock().ok()?;
        let entry = cache.get(key)?;
        (entry.handles == handles).then(|| entry.objects.clone())
    }

    fn store(&self, key: CacheKey, handles: Vec<ObjectHandle>, objects: &[(Vec<u8>, Vec<u8>)]) {
        let ids = objects.iter().map(|(der, _)| certificate_id(der)).collect();
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(
                key,
                CachedToken {
                    handles,
                    objects: objects.to_vec(),
                    ids,
                },
            );
        }
    }

    /// The certificate `id` from the cache, without enumerating every token: its token must
    /// still be in its slot (same serial and label, read now, with fresh PIN flags) and still
    /// hold the same certificate objects (one C_FindObjects). `None` sends the caller to the
    /// full enumeration, which refreshes the cache.
    fn find_cached(&self, id: &str, now: OffsetDateTime) -> Option<(Token, CertificateRecord)> {
        let (key, der, cka_id) = {
            let cache = self.cache.lock().ok()?;
            let (key, entry) = cache.iter().find(|(_, e)| e.ids.iter().any(|i| i == id))?;
            let at = entry.ids.iter().position(|i| i == id)?;
            let (der, cka_id) = entry.objects.get(at)?.clone();
            (key.clone(), der, cka_id)
        };
        let module = self.loaded.get(key.0)?;
        let slot = module
            .context
            .get_slots_with_token()
            .ok()?
            .into_iter()
            .find(|s| s.id() == key.1)?;
        let info = module.context.get_token_info(slot).ok()?;
        if !info.token_initialized() {
            return None;
        }
        let token = token_from_info(key.0, &module.path, slot, &info);
        if cache_key(&token) != key {
            return None;
        }
        let session = module.context.open_ro_session(slot).ok()?;
        let template = [
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
        ];
        let handles = session.find_objects(&template).ok()?;
        self.cached_objects(&key, &handles)?;
        let (certificate, is_signing) = parse_certificate(&der, token.token_ref(), now).ok()?;
        if certificate.id != id {
            return None;
        }
        let record = CertificateRecord {
            certificate,
            der,
            cka_id,
            module: token.module,
            is_signing,
        };
        Some((token, record))
    }

    /// Finds the certificate a request names (id or base64 DER). `certificate_not_found` when
    /// tokens are present but none holds it: most often another token is plugged in. A
    /// certificate seen before is found on its token alone (see `find_cached`).
    pub fn find_certificate(
        &self,
        reference: &str,
        now: OffsetDateTime,
    ) -> Result<(Token, CertificateRecord)> {
        let id = reference_to_id(reference)?;
        if let Some(found) = self.find_cached(&id, now) {
            return Ok(found);
        }
        let all = self.certificates(now)?;
        all.into_iter()
            .find(|(_, r)| r.certificate.id == id)
            .ok_or_else(|| Error::new(ErrorCode::CertificateNotFound).detail("certificate", id))
    }
}

fn cache_key(token: &Token) -> CacheKey {
    (
        token.module,
        token.slot,
        token.serial.clone(),
        token.label.clone(),
    )
}

fn token_from_info(
    module: usize,
    path: &Path,
    slot: Slot,
    info: &cryptoki::slot::TokenInfo,
) -> Token {
    Token {
        module,
        slot_handle: slot,
        slot: slot.id(),
        label: info.label().trim().to_string(),
        manufacturer: info.manufacturer_id().trim().to_string(),
        model: info.model().trim().to_string(),
        serial: info.serial_number().trim().to_string(),
        pin: PinFlags {
            count_low: info.user_pin_count_low(),
            final_try: info.user_pin_final_try(),
            locked: info.user_pin_locked(),
        },
        protected_auth_path: info.protected_authentication_path(),
        module_path: path.display().to_string(),
    }
}

fn load_one(path: &Path) -> Result<Pkcs11> {
    if !path.exists() {
        return Err(Error::new(ErrorCode::NoModule)
            .arg("path", path.display().to_string())
            .cause(format!("{} does not exist", path.display())));
    }
    let failed = |reason: String| {
        Error::new(ErrorCode::ModuleLoadFailed)
            .arg("path", path.display().to_string())
            .arg("reason", reason.clone())
            .cause(reason)
    };
    let context = Pkcs11::new(path).map_err(|e| failed(e.to_string()))?;
    match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => Ok(context),
        Err(e) => Err(failed(e.to_string())),
    }
}

/// Maps a PKCS#11 failure to a stable code. Callers map login errors themselves (see signing).
pub(crate) fn map_ck_error(err: CkError) -> Error {
    match &err {
        CkError::Pkcs11(
            RvError::DeviceRemoved
            | RvError::TokenNotPresent
            | RvError::SessionHandleInvalid
            | RvError::SessionClosed
            | RvError::SlotIdInvalid
            | RvError::TokenNotRecognized,
            _,
        ) => Error::new(ErrorCode::TokenRemoved).cause(err),
        CkError::Pkcs11(RvError::PinLocked, _) => Error::new(ErrorCode::PinLocked).cause(err),
        CkError::Pkcs11(RvError::PinIncorrect | RvError::PinLenRange | RvError::PinInvalid, _) => {
            Error::new(ErrorCode::PinIncorrect).cause(err)
        }
        CkError::Pkcs11(
            RvError::MechanismInvalid
            | RvError::KeyTypeInconsistent
            | RvError::KeyFunctionNotPermitted,
            _,
        ) => Error::new(ErrorCode::UnsupportedAlgorithm)
            .arg("algorithm", "PKCS#11")
            .cause(err),
        _ => Error::internal(err),
    }
}
