//! The signing service: the state one process serves with (config, policy, PKCS#11 modules
//! loaded once, the dialog, per-token queues) and its single entry point for a request. Every
//! front end — native messaging, HTTP, `vss`, `vss-tray` — builds one with [`Service::new`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use parking_lot::Mutex;
use serde_json::Value;
use vss_config::{Config, Policy};
use vss_dialog::Prompt;
use vss_protocol::{limits, Command, Error, ErrorCode, Lang, Request, Response, Result};
use vss_token::discovery::module_candidates;
use vss_token::{DriverLimits, DriverSettings, Modules};

use crate::caller::{authorize, Caller};
use crate::commands;

/// One process's signing service.
pub struct Service {
    pub config: Config,
    pub policy: Policy,
    pub prompt: Box<dyn Prompt>,
    /// Windows: the browser window to parent dialogs to.
    pub parent_window: Option<String>,
    modules: Mutex<Option<Arc<Modules>>>,
    token_queues: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

impl Service {
    /// The service with the platform's default dialog (the configured pinentry; Win32 on
    /// Windows). The one constructor every front end uses.
    pub fn new(config: Config) -> Service {
        let prompt = vss_dialog::default_prompt(config.pinentry.clone());
        Service::with_prompt(config, prompt)
    }

    /// The service with another dialog (tests, embedding).
    pub fn with_prompt(config: Config, prompt: Box<dyn Prompt>) -> Service {
        let policy = Policy::from_config(&config);
        Service {
            config,
            policy,
            prompt,
            parent_window: None,
            modules: Mutex::new(None),
            token_queues: Mutex::new(HashMap::new()),
        }
    }

    /// The PKCS#11 modules, loaded (and initialised) once, on first use. While none could be
    /// loaded, each request tries again: a user who installs the missing driver while the
    /// browser runs does not have to restart it.
    pub fn modules(&self) -> Arc<Modules> {
        let mut cached = self.modules.lock();
        match cached.as_ref() {
            Some(modules) if modules.any_loaded() => modules.clone(),
            _ => {
                let (source, paths) = module_candidates(
                    self.config.modules_from_env.as_deref(),
                    &self.config.modules,
                );
                let modules = Arc::new(Modules::load_with(source, &paths, self.driver_settings()));
                *cached = Some(modules.clone());
                modules
            }
        }
    }

    /// Forgets the loaded modules — finalizing them — so that the next use loads and initialises
    /// them afresh: the only way a module that reports no slot events (SoftHSM2) shows a token
    /// added or removed (the tray's watch). Done only while nothing else holds them (no request
    /// in flight); `false` when they are in use and were kept.
    pub fn reload_modules(&self) -> bool {
        let mut cached = self.modules.lock();
        match cached.take().map(Arc::try_unwrap) {
            None => true,
            // Finalized here, under the lock, before anyone can initialise them again.
            Some(Ok(modules)) => {
                drop(modules);
                true
            }
            Some(Err(shared)) => {
                *cached = Some(shared);
                false
            }
        }
    }

    /// Time limits on driver calls (config), and the record of calls in flight in the user's
    /// data directory that names a driver after it crashed the process.
    fn driver_settings(&self) -> DriverSettings {
        DriverSettings {
            limits: DriverLimits {
                call: self.config.driver_timeout,
                sign: self.config.driver_sign_timeout,
                ..DriverLimits::default()
            },
            record_dir: vss_config::config::user_data_dir().map(|d| d.join("driver-calls")),
        }
    }

    /// Runs `f` while holding the token's queue: requests for one token never interleave.
    /// `busy` if the token stays taken longer than a whole dialog could last.
    pub fn with_token<T>(&self, token_key: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let queue = self
            .token_queues
            .lock()
            .entry(token_key.to_string())
            .or_default()
            .clone();
        let wait = self.config.dialog_timeout + limits::TOKEN_QUEUE_EXTRA_WAIT;
        let _guard = queue
            .try_lock_for(wait)
            .ok_or_else(|| Error::new(ErrorCode::Busy))?;
        f()
    }

    /// The language of a request: its `lang`, else the configured one.
    pub fn lang_of(&self, request_lang: Option<&str>) -> Lang {
        request_lang
            .and_then(Lang::parse)
            .unwrap_or(self.config.lang)
    }

    /// Checks a web origin against the policy.
    pub fn web_caller(&self, origin: Option<&str>) -> Result<Caller> {
        let origin =
            origin.ok_or_else(|| Error::new(ErrorCode::OriginNotAllowed).arg("origin", "—"))?;
        Ok(Caller::Web(self.policy.check(origin)?))
    }

    /// Answers one request from `caller`. Never panics on input; every failure is a
    /// response with a stable code, localised in the request's language.
    pub fn handle(&self, caller: &Caller, request: &Request) -> Response {
        let lang = self.lang_of(request.lang.as_deref());
        let id: String = request
            .id
            .chars()
            .take(limits::MAX_REQUEST_ID_CHARS)
            .collect();
        match self.execute(caller, request) {
            Ok(result) => Response::success(id, result),
            Err(err) => Response::failure(id, err.localize(lang)),
        }
    }

    /// Runs one request and logs its outcome (id, command, origin, code, time; no contents).
    pub fn execute(&self, caller: &Caller, request: &Request) -> Result<Value> {
        let started = Instant::now();
        let lang = self.lang_of(request.lang.as_deref());
        let outcome = Command::parse(&request.command, &request.arguments)
            .and_then(|command| self.run(caller, &command, lang));
        let origin = caller.label();
        let command: String = request
            .command
            .chars()
            .take(limits::MAX_LOGGED_COMMAND_CHARS)
            .collect();
        let id: String = request
            .id
            .chars()
            .take(limits::MAX_REQUEST_ID_CHARS)
            .collect();
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &outcome {
            Ok(_) => {
                tracing::info!(id = %id, command = %command, origin = %origin, outcome = "ok", elapsed_ms, "request")
            }
            Err(err) => {
                tracing::info!(id = %id, command = %command, origin = %origin, outcome = %err.code, cause = ?err.cause, elapsed_ms, "request")
            }
        }
        outcome
    }

    fn run(&self, caller: &Caller, command: &Command, lang: Lang) -> Result<Value> {
        authorize(&self.policy, caller, command)?;
        match command {
            Command::Version => json(commands::version::run()),
            Command::Status => json(commands::status::run(self, caller, lang)),
            Command::ListCertificates(args) => {
                json(commands::list_certificates::run(self, caller, args))
            }
            Command::SignHash(args) => json(commands::sign_hash::run(self, caller, lang, args)),
            Command::SignXml(args) => json(commands::sign_xml::run(self, caller, lang, args)),
            Command::SignXmlBatch(args) => {
                json(commands::sign_xml_batch::run(self, caller, lang, args))
            }
            Command::VerifyXml(args) => json(commands::verify_xml::run(self, caller, lang, args)),
            Command::SummarizeXml(args) => {
                json(commands::summarize_xml::run(self, caller, lang, args))
            }
        }
    }
}

/// A typed result as the JSON the transports send.
fn json<T: serde::Serialize>(result: Result<T>) -> Result<Value> {
    serde_json::to_value(result?).map_err(Error::internal)
}

/// Answers a failure that happened before a request could be read (bad frame, bad JSON).
pub fn early_failure(id: &str, err: &Error, lang: Lang) -> Response {
    tracing::info!(outcome = %err.code, cause = ?err.cause, "unreadable request");
    Response::failure(
        id.chars()
            .take(limits::MAX_REQUEST_ID_CHARS)
            .collect::<String>(),
        err.localize(lang),
    )
}
