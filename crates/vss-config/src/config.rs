//! Where configuration comes from and how it is merged. Order: machine file
//! (`/etc/vss-token-signing/config.toml`, `%ProgramData%\VSS Token Signing\config.toml`), the
//! user's file (`directories`' config dir, or `VSS_CONFIG`), then the environment
//! (`VSS_PKCS11_MODULE`, `VSS_PINENTRY`, `VSS_ALLOWED_ORIGINS`, `VSS_LANG`). A machine file with
//! `lock = true` makes the agent ignore the user file and the `VSS_*` additions (DESIGN §5).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use vss_protocol::{limits, Error, ErrorCode, Lang, Result};

/// Default port of `vss-agent serve`.
pub const DEFAULT_SERVE_PORT: u16 = 15987;

/// One configuration file as written by an admin or user. Every field is optional so that files
/// merge; unknown keys are errors (a typo must not silently weaken policy).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Machine file only: ignore user config and `VSS_*` additions.
    pub lock: Option<bool>,
    pub lang: Option<String>,
    /// PKCS#11 module paths (absolute).
    pub modules: Option<Vec<PathBuf>>,
    /// The pinentry program for the consent/PIN dialog.
    pub pinentry: Option<PathBuf>,
    /// Origins added to the built-in allowlist.
    pub allowed_origins: Option<Vec<String>>,
    /// Admin-added origins that may ask for blind hash signing (`sign-hash`).
    pub hash_signing_origins: Option<Vec<String>>,
    /// Extension ids allowed to start the native host, besides the built-in one.
    pub extension_ids: Option<Vec<String>>,
    pub allow_sha1: Option<bool>,
    /// Refuse to sign (`revocation_unknown`) when the certificate's revocation status cannot be
    /// learned (offline, responder down); the default is to sign and say so in the dialog.
    pub refuse_unknown_revocation: Option<bool>,
    pub dialog_timeout_seconds: Option<u64>,
    /// Time limit on a call into a token driver while finding tokens and certificates.
    pub driver_timeout_seconds: Option<u64>,
    /// Time limit on a driver's PIN login and signature.
    pub driver_sign_timeout_seconds: Option<u64>,
    /// PEM files of the roots `vss verify-xml` trusts (the Vietnam National Root CA for real use).
    pub trust_anchors: Option<Vec<PathBuf>>,
    pub serve: Option<ServeFile>,
    pub log: Option<LogFile>,
    pub tray: Option<TrayFile>,
    pub verify: Option<VerifyFile>,
}

/// `[verify]`: how `verify-xml` (the CLI, the tray, the dossier page) judges signatures.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyFile {
    /// SHA-1 signatures and digests (rsa-sha1, xmldsig#sha1) are invalid instead of valid with
    /// a weak-algorithm warning. Stricter wins: a user file can turn it on, never off once the
    /// machine file has.
    pub reject_sha1: Option<bool>,
}

/// `[tray]`: the background app `vss-tray`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrayFile {
    /// Start the tray at logon (the machine file sets the default; with `lock = true` the
    /// user's menu toggle cannot change it).
    pub autostart: Option<bool>,
    /// The program that asks the user for files and folders (default: zenity, else kdialog on
    /// Linux; the system dialog on Windows). Called as `PROGRAM open-files|choose-folder TITLE
    /// START`; prints one chosen path a line; exits non-zero when the user cancels.
    pub file_chooser: Option<PathBuf>,
    /// The program that opens a folder in the file manager (default: xdg-open; Explorer).
    pub folder_opener: Option<PathBuf>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeFile {
    pub port: Option<u16>,
    /// Tests only: accept `http://127.0.0.1:*` / `http://localhost:*` origins.
    pub allow_loopback_http: Option<bool>,
    /// Accept requests without Origin from local programs presenting the bearer token.
    pub allow_local_apps: Option<bool>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogFile {
    pub dir: Option<PathBuf>,
    pub level: Option<String>,
}

/// The merged configuration the agent and the CLI run with.
#[derive(Debug, Clone)]
pub struct Config {
    pub locked: bool,
    pub lang: Lang,
    pub modules_from_env: Option<String>,
    pub modules: Vec<PathBuf>,
    pub pinentry: Option<PathBuf>,
    pub extra_origins: Vec<String>,
    pub hash_signing_origins: Vec<String>,
    pub extension_ids: Vec<String>,
    pub allow_sha1: bool,
    /// See [`ConfigFile::refuse_unknown_revocation`].
    pub refuse_unknown_revocation: bool,
    pub dialog_timeout: Duration,
    /// Time limits on calls into PKCS#11 modules (see `vss_protocol::limits::DRIVER_*`).
    pub driver_timeout: Duration,
    pub driver_sign_timeout: Duration,
    pub trust_anchors: Vec<PathBuf>,
    pub serve: ServeConfig,
    pub log_dir: Option<PathBuf>,
    pub log_level: String,
    pub tray: TrayConfig,
    /// `[verify] reject_sha1`: SHA-1 in a signature makes it invalid.
    pub reject_sha1: bool,
    /// Files actually read, for `status` and `vss doctor`.
    pub sources: ConfigSources,
}

#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub port: u16,
    pub allow_loopback_http: bool,
    pub allow_local_apps: bool,
}

/// The tray's settings, merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrayConfig {
    /// The machine's default for autostart (`None`: the product's default, on).
    pub autostart: Option<bool>,
    /// The admin set autostart in a locked machine file: the user's toggle is disabled.
    pub autostart_locked: bool,
    pub file_chooser: Option<PathBuf>,
    pub folder_opener: Option<PathBuf>,
}

#[derive(Debug, Clone, Default)]
pub struct ConfigSources {
    pub machine: Option<PathBuf>,
    pub user: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            locked: false,
            lang: Lang::Vi,
            modules_from_env: None,
            modules: Vec::new(),
            pinentry: None,
            extra_origins: Vec::new(),
            hash_signing_origins: Vec::new(),
            extension_ids: Vec::new(),
            allow_sha1: false,
            refuse_unknown_revocation: false,
            dialog_timeout: limits::DIALOG_TIMEOUT,
            driver_timeout: limits::DRIVER_CALL_TIMEOUT,
            driver_sign_timeout: limits::DRIVER_SIGN_TIMEOUT,
            trust_anchors: Vec::new(),
            serve: ServeConfig {
                port: DEFAULT_SERVE_PORT,
                allow_loopback_http: false,
                allow_local_apps: false,
            },
            log_dir: None,
            log_level: "info".into(),
            tray: TrayConfig::default(),
            reject_sha1: false,
            sources: ConfigSources::default(),
        }
    }
}

/// The machine-wide config file of this OS.
///
/// Debug builds (tests only; packages ship release builds) honour `VSS_MACHINE_CONFIG`, so
/// tests can exercise a locked machine config without touching /etc.
pub fn machine_config_path() -> PathBuf {
    if cfg!(debug_assertions) {
        if let Some(path) = std::env::var_os("VSS_MACHINE_CONFIG") {
            return PathBuf::from(path);
        }
    }
    system_machine_config_path()
}

fn system_machine_config_path() -> PathBuf {
    if cfg!(windows) {
        let base = std::env::var_os("ProgramData").unwrap_or_else(|| "C:\\ProgramData".into());
        PathBuf::from(base)
            .join("VSS Token Signing")
            .join("config.toml")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/VSS Token Signing/config.toml")
    } else {
        PathBuf::from("/etc/vss-token-signing/config.toml")
    }
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("vn", "VSS", "VSS Token Signing")
}

/// The user's config file (`VSS_CONFIG` names another).
pub fn user_config_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

/// The per-user directory for logs and the serve-mode bearer token.
pub fn user_data_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.data_local_dir().to_path_buf())
}

/// Environment as the loader sees it (injectable for tests).
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

impl Config {
    /// Loads machine file, user file and environment.
    pub fn load() -> Result<Config> {
        Config::load_from(
            &machine_config_path(),
            user_config_path().as_deref(),
            &ProcessEnv,
        )
    }

    /// Loads from explicit places (tests use this with temporary files).
    pub fn load_from(
        machine_path: &Path,
        user_path: Option<&Path>,
        env: &dyn Env,
    ) -> Result<Config> {
        let mut config = Config::default();
        let machine = read_file(machine_path)?;
        if let Some(file) = &machine {
            config.sources.machine = Some(machine_path.to_path_buf());
            config.locked = file.lock.unwrap_or(false);
            config.apply(file.clone());
        }
        if config.locked {
            config.tray.autostart_locked = config.tray.autostart.is_some();
            // Only the language may still follow the user: it cannot widen anything.
            if let Some(lang) = env.var("VSS_LANG").as_deref().and_then(Lang::parse) {
                config.lang = lang;
            }
            return Ok(config);
        }
        let user_path = env
            .var("VSS_CONFIG")
            .map(PathBuf::from)
            .or_else(|| user_path.map(Path::to_path_buf));
        if let Some(path) = user_path {
            if let Some(file) = read_file(&path)? {
                config.sources.user = Some(path);
                if file.lock.is_some() {
                    return Err(config_error(
                        &config.sources.user.clone().unwrap_or_default(),
                        "`lock` belongs in the machine configuration only",
                    ));
                }
                config.apply(file);
            }
        }
        if let Some(modules) = env.var("VSS_PKCS11_MODULE") {
            config.modules_from_env = Some(modules);
        }
        if let Some(pinentry) = env.var("VSS_PINENTRY") {
            config.pinentry = Some(PathBuf::from(pinentry));
        }
        if let Some(origins) = env.var("VSS_ALLOWED_ORIGINS") {
            config.extra_origins.extend(
                origins
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            );
        }
        if let Some(lang) = env.var("VSS_LANG").as_deref().and_then(Lang::parse) {
            config.lang = lang;
        }
        if let Some(chooser) = env.var("VSS_FILE_CHOOSER") {
            config.tray.file_chooser = Some(PathBuf::from(chooser));
        }
        if let Some(opener) = env.var("VSS_FOLDER_OPENER") {
            config.tray.folder_opener = Some(PathBuf::from(opener));
        }
        Ok(config)
    }

    fn apply(&mut self, file: ConfigFile) {
        if let Some(lang) = file.lang.as_deref().and_then(Lang::parse) {
            self.lang = lang;
        }
        if let Some(modules) = file.modules {
            self.modules = modules;
        }
        if let Some(pinentry) = file.pinentry {
            self.pinentry = Some(pinentry);
        }
        self.extra_origins
            .extend(file.allowed_origins.unwrap_or_default());
        self.hash_signing_origins
            .extend(file.hash_signing_origins.unwrap_or_default());
        self.extension_ids
            .extend(file.extension_ids.unwrap_or_default());
        if let Some(allow) = file.allow_sha1 {
            self.allow_sha1 = allow;
        }
        if let Some(refuse) = file.refuse_unknown_revocation {
            self.refuse_unknown_revocation = refuse;
        }
        if let Some(secs) = file.dialog_timeout_seconds {
            let (least, most) = limits::DIALOG_TIMEOUT_RANGE_SECONDS;
            self.dialog_timeout = Duration::from_secs(secs.clamp(least, most));
        }
        if let Some(secs) = file.driver_timeout_seconds {
            self.driver_timeout = Duration::from_secs(secs.clamp(1, 600));
        }
        if let Some(secs) = file.driver_sign_timeout_seconds {
            self.driver_sign_timeout = Duration::from_secs(secs.clamp(1, 600));
        }
        self.trust_anchors
            .extend(file.trust_anchors.unwrap_or_default());
        if let Some(serve) = file.serve {
            if let Some(port) = serve.port {
                self.serve.port = port;
            }
            if let Some(v) = serve.allow_loopback_http {
                self.serve.allow_loopback_http = v;
            }
            if let Some(v) = serve.allow_local_apps {
                self.serve.allow_local_apps = v;
            }
        }
        if let Some(tray) = file.tray {
            if tray.autostart.is_some() {
                self.tray.autostart = tray.autostart;
            }
            if tray.file_chooser.is_some() {
                self.tray.file_chooser = tray.file_chooser;
            }
            if tray.folder_opener.is_some() {
                self.tray.folder_opener = tray.folder_opener;
            }
        }
        if let Some(reject) = file.verify.and_then(|v| v.reject_sha1) {
            self.reject_sha1 |= reject;
        }
        if let Some(log) = file.log {
            if let Some(dir) = log.dir {
                self.log_dir = Some(dir);
            }
            if let Some(level) = log.level {
                self.log_level = level;
            }
        }
    }
}

fn config_error(path: &Path, reason: impl Into<String>) -> Error {
    let reason = reason.into();
    Error::new(ErrorCode::ConfigInvalid)
        .arg("path", path.display().to_string())
        .arg("reason", reason.clone())
        .cause(reason)
}

/// Reads one file; a missing file is `None`, a bad one is `config_invalid` naming file and line.
fn read_file(path: &Path) -> Result<Option<ConfigFile>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(config_error(path, e.to_string())),
    };
    toml::from_str::<ConfigFile>(&text).map(Some).map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let message = e.message().to_string();
        match line {
            Some(line) => config_error(path, format!("line {line}: {message}")),
            None => config_error(path, message),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct FakeEnv(HashMap<&'static str, &'static str>);
    impl Env for FakeEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|s| s.to_string())
        }
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_tray_autostart_is_locked_only_by_a_locked_machine_file_that_sets_it() {
        let dir = tempfile::tempdir().unwrap();
        let machine = write(
            dir.path(),
            "m.toml",
            "lock = true\n[tray]\nautostart = false\n",
        );
        let user = write(dir.path(), "u.toml", "[tray]\nautostart = true\n");
        let env = FakeEnv(HashMap::from([("VSS_FILE_CHOOSER", "/tmp/chooser")]));
        let config = Config::load_from(&machine, Some(&user), &env).unwrap();
        assert_eq!(config.tray.autostart, Some(false));
        assert!(config.tray.autostart_locked);
        assert_eq!(
            config.tray.file_chooser, None,
            "a locked machine ignores VSS_FILE_CHOOSER"
        );

        let open = write(dir.path(), "open.toml", "[tray]\nautostart = false\n");
        let config = Config::load_from(&open, Some(&user), &env).unwrap();
        assert_eq!(
            config.tray.autostart,
            Some(true),
            "the user's file wins when not locked"
        );
        assert!(!config.tray.autostart_locked);
        assert_eq!(
            config.tray.file_chooser,
            Some(PathBuf::from("/tmp/chooser"))
        );
    }

    #[test]
    fn reject_sha1_is_set_by_the_admin_and_a_user_cannot_undo_it() {
        let dir = tempfile::tempdir().unwrap();
        let env = FakeEnv(HashMap::new());
        let none = Config::load_from(&dir.path().join("missing.toml"), None, &env).unwrap();
        assert!(!none.reject_sha1, "SHA-1 is a warning by default");
        let machine = write(dir.path(), "m.toml", "[verify]\nreject_sha1 = true\n");
        let user = write(dir.path(), "u.toml", "[verify]\nreject_sha1 = false\n");
        let config = Config::load_from(&machine, Some(&user), &env).unwrap();
        assert!(
            config.reject_sha1,
            "the user's false does not weaken the machine's true"
        );
        let open = write(dir.path(), "open.toml", "lang = \"vi\"\n");
        let strict_user = write(dir.path(), "s.toml", "[verify]\nreject_sha1 = true\n");
        let config = Config::load_from(&open, Some(&strict_user), &env).unwrap();
        assert!(config.reject_sha1, "a user may be stricter");
        let typo = write(dir.path(), "t.toml", "[verify]\nreject_sha = true\n");
        let err = Config::load_from(&typo, None, &env).unwrap_err();
        assert_eq!(
            err.code,
            ErrorCode::ConfigInvalid,
            "a typo is not silently ignored"
        );
    }

    #[test]
    fn machine_then_user_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let machine = write(
            dir.path(),
            "m.toml",
            "allowed_origins = [\"https://a.gov.vn\"]\nlang = \"en\"\n",
        );
        let user = write(
            dir.path(),
            "u.toml",
            "allowed_origins = [\"https://b.gov.vn\"]\n[serve]\nport = 20000\n",
        );
        let env = FakeEnv(HashMap::from([
            ("VSS_ALLOWED_ORIGINS", "https://c.gov.vn, https://d.gov.vn"),
            ("VSS_LANG", "vi"),
        ]));
        let config = Config::load_from(&machine, Some(&user), &env).unwrap();
        assert_eq!(
            config.extra_origins,
            [
                "https://a.gov.vn",
                "https://b.gov.vn",
                "https://c.gov.vn",
                "https://d.gov.vn"
            ]
        );
        assert_eq!(config.serve.port, 20000);
        assert_eq!(config.lang, Lang::Vi);
    }

    #[test]
    fn locked_machine_config_ignores_user_file_and_environment() {
        let dir = tempfile::tempdir().unwrap();
        let machine = write(
            dir.path(),
            "m.toml",
            "lock = true\nallowed_origins = [\"https://a.gov.vn\"]\n",
        );
        let user = write(
            dir.path(),
            "u.toml",
            "allowed_origins = [\"https://evil.example\"]\n",
        );
        let env = FakeEnv(HashMap::from([
            ("VSS_ALLOWED_ORIGINS", "https://evil2.example"),
            ("VSS_PKCS11_MODULE", "/tmp/evil.so"),
            ("VSS_PINENTRY", "/tmp/evil-pinentry"),
        ]));
        let config = Config::load_from(&machine, Some(&user), &env).unwrap();
        assert!(config.locked);
        assert_eq!(config.extra_origins, ["https://a.gov.vn"]);
        assert_eq!(config.modules_from_env, None);
        assert_eq!(config.pinentry, None);
    }

    #[test]
    fn a_bad_file_names_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let user = write(
            dir.path(),
            "u.toml",
            "lang = \"vi\"\n\nallow_sha1 = \"yes\"\n",
        );
        let err = Config::load_from(
            &dir.path().join("none.toml"),
            Some(&user),
            &FakeEnv(HashMap::new()),
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::ConfigInvalid);
        let body = err.localize(Lang::En);
        assert!(body.message.contains("u.toml"), "{}", body.message);
        assert!(body.message.contains("line 3"), "{}", body.message);
    }

    #[test]
    fn unknown_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let user = write(dir.path(), "u.toml", "alowed_origins = []\n");
        let err = Config::load_from(
            &dir.path().join("none.toml"),
            Some(&user),
            &FakeEnv(HashMap::new()),
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::ConfigInvalid);
    }
}
