//! PKCS#11 modules loaded once per process, their tokens and the certificates on them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass};
use cryptoki::slot::{Slot, TokenInfo};
use serde::Serialize;
use time::OffsetDateTime;
use vss_protocol::{Error, ErrorCode, PinState, Result, TokenRef, TokenReport};

use vss_cert::{parse_certificate, reference_to_id};

use crate::call_record::{CallRecord, DriverCrash};
use crate::discovery::ModuleSource;
use crate::record::CertificateRecord;
use crate::watchdog::{guarded, stuck_error, DriverLimits, Step};

/// A module file that loaded, with its initialised context and the watch over its calls.
#[derive(Clone)]
pub(crate) struct Driver {
    pub(crate) path: PathBuf,
    context: Pkcs11,
    pub(crate) limits: DriverLimits,
    record: Option<Arc<CallRecord>>,
}

impl Driver {
    /// Runs `f` on the module's context within `limit` (see [`crate::watchdog`]). The outer
    /// error is the watchdog's (`driver_unresponsive`), the inner one the module's own.
    pub(crate) fn call_raw<T: Send + 'static>(
        &self,
        function: &'static str,
        limit: Duration,
        f: impl FnOnce(&Pkcs11, &Step) -> Result<T, CkError> + Send + 'static,
    ) -> Result<Result<T, CkError>> {
        let context = self.context.clone();
        guarded(
            &self.path,
            function,
            limit,
            self.record.as_ref(),
            move |step| f(&context, step),
        )
    }

    /// [`Self::call_raw`] with the module's error mapped to a stable code.
    pub(crate) fn call<T: Send + 'static>(
        &self,
        function: &'static str,
        limit: Duration,
        f: impl FnOnce(&Pkcs11, &Step) -> Result<T, CkError> + Send + 'static,
    ) -> Result<T> {
        self.call_raw(function, limit, f)?.map_err(map_ck_error)
    }
}

/// How modules are watched: time limits, and where the record of calls in flight is kept
/// (the user's data directory) so a driver that crashes the process is named afterwards.
#[derive(Debug, Clone, Default)]
pub struct DriverSettings {
    pub limits: DriverLimits,
    pub record_dir: Option<PathBuf>,
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
    /// A call into the module overran its time limit and has not returned: it is skipped.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unresponsive: bool,
}

/// The token's PIN state, as far as PKCS#11 tells it (flags, not a number of tries).
pub use vss_protocol::PinState as PinFlags;

/// The PIN flags a token reports in its token info.
fn pin_flags_of(info: &TokenInfo) -> PinFlags {
    {
        PinFlags {
            count_low: info.user_pin_count_low(),
            final_try: info.user_pin_final_try(),
            locked: info.user_pin_locked(),
        }
    }
}

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

/// A certificate and the token it is on.
type TokenCertificate = (Token, CertificateRecord);

/// The certificate objects of a token as read: (CKA_VALUE, CKA_ID) each.
type CertificateObjects = Arc<Vec<(Vec<u8>, Vec<u8>)>>;

/// A token as the cache of its certificates knows it: module, slot, serial, label. A token
/// unplugged and another plugged into the same slot differ in serial (or label).
type TokenKey = (usize, u64, String, String);

fn token_key(token: &Token) -> TokenKey {
    (
        token.module,
        token.slot,
        token.serial.clone(),
        token.label.clone(),
    )
}

/// Whether a pass over the tokens may use the certificates read before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// Read every token's certificates now (listings: what the user sees is current).
    Fresh,
    /// Use what was read from a token that is still there (finding a certificate a request
    /// names, which was listed just before; a miss reads again).
    Cached,
}

/// Every module this process loaded (each initialised exactly once) and those that failed.
pub struct Modules {
    loaded: Vec<Driver>,
    failed: Vec<(PathBuf, Error)>,
    source: ModuleSource,
    settings: DriverSettings,
    record: Option<Arc<CallRecord>>,
    /// The certificate objects last read from each token present (see [`Read`]): finding the
    /// certificate of a signing request then costs no session on the token.
    seen: Mutex<HashMap<TokenKey, CertificateObjects>>,
}

impl Modules {
    /// Loads and initialises each module with the default time limits and no crash record.
    pub fn load(source: ModuleSource, paths: &[PathBuf]) -> Modules {
        Modules::load_with(source, paths, DriverSettings::default())
    }

    /// Loads and initialises each module, each call within its time limit. A module that fails
    /// or hangs is recorded with its path and reason and does not stop the others.
    pub fn load_with(source: ModuleSource, paths: &[PathBuf], settings: DriverSettings) -> Modules {
        let record = settings
            .record_dir
            .as_deref()
            .and_then(CallRecord::for_process);
        let mut modules = Modules {
            loaded: Vec::new(),
            failed: Vec::new(),
            source,
            settings,
            record,
            seen: Mutex::new(HashMap::new()),
        };
        for path in paths {
            match load_one(path, modules.settings.limits, modules.record.as_ref()) {
                Ok(context) => {
                    tracing::info!(module = %path.display(), "PKCS#11 module loaded");
                    modules.loaded.push(Driver {
                        path: path.clone(),
                        context,
                        limits: modules.settings.limits,
                        record: modules.record.clone(),
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

    pub(crate) fn driver(&self, module: usize) -> Result<&Driver> {
        self.loaded
            .get(module)
            .ok_or_else(|| Error::internal("no such module"))
    }

    /// Drivers that crashed a process of this user recently (see [`crate::call_record`]).
    pub fn recent_crashes(&self) -> Vec<DriverCrash> {
        self.record
            .as_ref()
            .map(|r| r.recent_crashes())
            .unwrap_or_default()
    }

    /// Each module tried, loaded or not, for `status`. A loaded module with a call stuck past
    /// its limit is reported unresponsive.
    pub fn statuses(&self) -> Vec<ModuleStatus> {
        let loaded = self.loaded.iter().map(|m| match stuck_error(&m.path) {
            None => ModuleStatus {
                path: m.path.display().to_string(),
                loaded: true,
                error: None,
                error_code: None,
                unresponsive: false,
            },
            Some(err) => ModuleStatus {
                path: m.path.display().to_string(),
                loaded: true,
                error: err.cause.clone(),
                error_code: Some(err.code.as_str().to_string()),
                unresponsive: true,
            },
        });
        let failed = self.failed.iter().map(|(path, err)| ModuleStatus {
            path: path.display().to_string(),
            loaded: false,
            error: err.cause.clone(),
            error_code: Some(err.code.as_str().to_string()),
            unresponsive: err.code == ErrorCode::DriverUnresponsive,
        });
        loaded.chain(failed).collect()
    }

    /// `driver_unresponsive` for each module that did not answer in time, while it is skipped.
    pub fn unresponsive(&self) -> Vec<Error> {
        let loaded = self.loaded.iter().filter_map(|m| stuck_error(&m.path));
        let failed = self
            .failed
            .iter()
            .filter(|(_, e)| e.code == ErrorCode::DriverUnresponsive)
            .map(|(_, e)| e.clone());
        loaded.chain(failed).collect()
    }

    /// `no_module` / `module_load_failed` / `driver_unresponsive` when nothing is loaded.
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

    /// Tokens present in every responsive module, and the errors of modules that did not
    /// answer in time. A token seen through two modules (say, the vendor driver and
    /// p11-kit-proxy) is listed once.
    fn scan(&self) -> Result<(Vec<Token>, Vec<Error>)> {
        self.require_any()?;
        let mut tokens: Vec<Token> = Vec::new();
        let mut unresponsive: Vec<Error> = self
            .failed
            .iter()
            .filter(|(_, e)| e.code == ErrorCode::DriverUnresponsive)
            .map(|(_, e)| e.clone())
            .collect();
        // (Loaded modules that are stuck are refused by their first call below.)
        for (index, driver) in self.loaded.iter().enumerate() {
            let limit = driver.limits.call;
            let slots = match driver
                .call("C_GetSlotList", limit, |ctx, _| ctx.get_slots_with_token())
            {
                Ok(slots) => slots,
                Err(err) => {
                    tracing::warn!(module = %driver.path.display(), error = %err, "cannot list slots");
                    if err.code == ErrorCode::DriverUnresponsive {
                        unresponsive.push(err);
                    }
                    continue;
                }
            };
            for slot in slots {
                let info = match driver.call("C_GetTokenInfo", limit, move |ctx, _| {
                    ctx.get_token_info(slot)
                }) {
                    Ok(info) => info,
                    Err(err) => {
                        tracing::warn!(module = %driver.path.display(), error = %err, "cannot read token info");
                        if err.code == ErrorCode::DriverUnresponsive {
                            unresponsive.push(err);
                            break;
                        }
                        continue;
                    }
                };
                if !info.token_initialized() {
                    continue; // an empty slot (SoftHSM2 always offers one), not a token
                }
                let token = Token {
                    module: index,
                    slot_handle: slot,
                    slot: slot.id(),
                    label: info.label().trim().to_string(),
                    manufacturer: info.manufacturer_id().trim().to_string(),
                    model: info.model().trim().to_string(),
                    serial: info.serial_number().trim().to_string(),
                    pin: pin_flags_of(&info),
                    protected_auth_path: info.protected_authentication_path(),
                    module_path: driver.path.display().to_string(),
                };
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
        Ok((tokens, unresponsive))
    }

    /// Tokens present in every responsive module. `driver_unresponsive` when there are none
    /// and a module did not answer in time (its token may well be plugged in).
    pub fn tokens(&self) -> Result<Vec<Token>> {
        let (tokens, mut unresponsive) = self.scan()?;
        if tokens.is_empty() && !unresponsive.is_empty() {
            return Err(unresponsive.swap_remove(0));
        }
        Ok(tokens)
    }

    /// Fresh PIN flags of a token (after a failed login, say).
    pub fn pin_flags(&self, token: &Token) -> Result<PinFlags> {
        let driver = self.driver(token.module)?;
        let slot = token.slot_handle;
        let info = driver.call("C_GetTokenInfo", driver.limits.call, move |ctx, _| {
            ctx.get_token_info(slot)
        })?;
        Ok(pin_flags_of(&info))
    }

    /// Every certificate on every token, signing certificates first. `no_token` when no token
    /// is present; `driver_unresponsive` when none is found and a module did not answer.
    pub fn certificates(&self, now: OffsetDateTime) -> Result<Vec<(Token, CertificateRecord)>> {
        Ok(self.certificates_and_unresponsive(now, Read::Fresh)?.0)
    }

    fn certificates_and_unresponsive(
        &self,
        now: OffsetDateTime,
        read: Read,
    ) -> Result<(Vec<TokenCertificate>, Vec<Error>)> {
        let (tokens, mut unresponsive) = self.scan()?;
        if tokens.is_empty() {
            return Err(match unresponsive.is_empty() {
                true => Error::new(ErrorCode::NoToken),
                false => unresponsive.swap_remove(0),
            });
        }
        if read == Read::Fresh {
            // Tokens no longer present are forgotten.
            let present: Vec<TokenKey> = tokens.iter().map(token_key).collect();
            self.seen_lock().retain(|key, _| present.contains(key));
        }
        let mut found = Vec::new();
        for token in tokens {
            match self.token_certificates(&token, now, read) {
                Ok(records) => found.extend(records.into_iter().map(|r| (token.clone(), r))),
                Err(err) => {
                    tracing::warn!(token = %token.label, error = %err, "cannot read certificates");
                    if err.code == ErrorCode::DriverUnresponsive {
                        unresponsive.push(err);
                    }
                }
            }
        }
        found.sort_by_key(|(_, r)| !r.is_signing);
        Ok((found, unresponsive))
    }

    fn seen_lock(&self) -> std::sync::MutexGuard<'_, HashMap<TokenKey, CertificateObjects>> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn token_certificates(
        &self,
        token: &Token,
        now: OffsetDateTime,
        read: Read,
    ) -> Result<Vec<CertificateRecord>> {
        let key = token_key(token);
        let cached = match read {
            Read::Cached => self.seen_lock().get(&key).cloned(),
            Read::Fresh => None,
        };
        let objects = match cached {
            Some(objects) => objects,
            None => {
                let objects = Arc::new(self.read_certificate_objects(token)?);
                self.seen_lock().insert(key, objects.clone());
                objects
            }
        };
        let mut records = Vec::new();
        for (der, cka_id) in objects.iter() {
            match parse_certificate(der, token.token_ref(), now) {
                Ok((certificate, is_signing)) => records.push(CertificateRecord {
                    certificate,
                    der: der.clone(),
                    cka_id: cka_id.clone(),
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

    /// The certificate objects on a token, read in one session.
    fn read_certificate_objects(&self, token: &Token) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let driver = self.driver(token.module)?;
        let slot = token.slot_handle;
        // One guarded call for the session, the search and the values: the session never
        // leaves the thread that made it.
        let objects = driver.call("C_OpenSession", driver.limits.call, move |ctx, step| {
            let session = ctx.open_ro_session(slot)?;
            step.at("C_FindObjects");
            let template = [
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::CertificateType(CertificateType::X_509),
            ];
            let handles = session.find_objects(&template)?;
            step.at("C_GetAttributeValue");
            let mut objects = Vec::new();
            for handle in handles {
                let attrs =
                    session.get_attributes(handle, &[AttributeType::Value, AttributeType::Id])?;
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
            step.at("C_CloseSession");
            Ok(objects)
        })?;
        Ok(objects)
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

    /// Finds the certificate a request names (id or base64 DER). `certificate_not_found` when
    /// tokens are present but none holds it: most often another token is plugged in — unless
    /// a module did not answer in time, whose token may hold it: then `driver_unresponsive`.
    pub fn find_certificate(
        &self,
        reference: &str,
        now: OffsetDateTime,
    ) -> Result<(Token, CertificateRecord)> {
        let id = reference_to_id(reference)?;
        // What the tokens held when last read (a page lists, then signs), else read afresh:
        // a certificate written onto a token since is found all the same.
        let (all, _) = self.certificates_and_unresponsive(now, Read::Cached)?;
        if let Some(found) = all.into_iter().find(|(_, r)| r.certificate.id == id) {
            return Ok(found);
        }
        let (all, mut unresponsive) = self.certificates_and_unresponsive(now, Read::Fresh)?;
        match all.into_iter().find(|(_, r)| r.certificate.id == id) {
            Some(found) => Ok(found),
            None if !unresponsive.is_empty() => Err(unresponsive.swap_remove(0)),
            None => Err(Error::new(ErrorCode::CertificateNotFound).detail("certificate", id)),
        }
    }
}

impl Drop for Modules {
    /// C_Finalize on each module, each within its limit: a driver that hangs there does not
    /// keep the process from ending.
    fn drop(&mut self) {
        for driver in &self.loaded {
            let finalized = driver.call("C_Finalize", driver.limits.finalize, |ctx, _| {
                ctx.clone().finalize()
            });
            if let Err(err) = finalized {
                tracing::debug!(module = %driver.path.display(), error = %err, "finalize");
            }
        }
    }
}

fn load_one(path: &Path, limits: DriverLimits, record: Option<&Arc<CallRecord>>) -> Result<Pkcs11> {
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
    // Loading runs the library's constructors (DllMain on Windows): guarded like any call.
    let owned = path.to_path_buf();
    let loaded = guarded(
        path,
        "C_GetFunctionList",
        limits.call,
        record,
        move |step| {
            let context = Pkcs11::new(&owned)?;
            step.at("C_Initialize");
            match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
                Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {
                    Ok(context)
                }
                Err(e) => Err(e),
            }
        },
    )?;
    loaded.map_err(|e| failed(e.to_string()))
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
            | RvError::TokenNotRecognized
            | RvError::DeviceError,
            _,
        ) => Error::new(ErrorCode::TokenRemoved).cause(err),
        // A PIN pad's Cancel key.
        CkError::Pkcs11(RvError::FunctionCanceled, _) => {
            Error::new(ErrorCode::UserCancelled).cause(err)
        }
        CkError::Pkcs11(RvError::PinLocked, _) => Error::new(ErrorCode::PinLocked).cause(err),
        CkError::Pkcs11(RvError::PinIncorrect | RvError::PinLenRange | RvError::PinInvalid, _) => {
            Error::new(ErrorCode::PinIncorrect)
                .arg("state", "none")
                .cause(err)
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
