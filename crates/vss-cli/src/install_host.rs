//! `vss install-host`: writes (or removes) the native-messaging host manifest
//! `vn.vss.token_signing.json` — name, path to `vss-agent`, `allowed_origins` with the
//! extension id — where each browser looks for it: per user or system-wide directories on
//! Linux and macOS, a manifest file plus a registry key on Windows, or a given
//! `--user-data-dir` (a private browser profile, as the tests use).

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde_json::{json, Value};
use vss_protocol::{Error, ErrorCode, EXTENSION_ID, NATIVE_HOST_NAME};

use crate::output::Output;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Browser {
    Chrome,
    Chromium,
    Edge,
    Brave,
    All,
}

impl Browser {
    fn each(self) -> Vec<Browser> {
        match self {
            Browser::All => vec![
                Browser::Chrome,
                Browser::Chromium,
                Browser::Edge,
                Browser::Brave,
            ],
            one => vec![one],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Browser::Chrome => "chrome",
            Browser::Chromium => "chromium",
            Browser::Edge => "edge",
            Browser::Brave => "brave",
            Browser::All => "all",
        }
    }
}

#[derive(Debug, Args)]
pub struct InstallHostArgs {
    /// Which browser(s).
    #[arg(long, value_enum, default_value = "all")]
    browser: Browser,
    /// A browser profile directory: the manifest goes to DIR/NativeMessagingHosts.
    #[arg(long)]
    user_data_dir: Option<PathBuf>,
    /// System-wide (needs administrator rights) instead of for this user.
    #[arg(long)]
    system: bool,
    /// Remove the registration instead.
    #[arg(long)]
    uninstall: bool,
    /// Path of vss-agent (default: beside this vss).
    #[arg(long)]
    agent: Option<PathBuf>,
}

/// The manifest Chrome reads.
pub fn manifest(agent: &Path) -> Value {
    json!({
        "name": NATIVE_HOST_NAME,
        "description": "VSS Token Signing — ký số BHXH bằng USB token",
        "path": agent,
        "type": "stdio",
        "allowed_origins": [format!("chrome-extension://{EXTENSION_ID}/")],
    })
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::FileUnreadable)
        .arg("path", path.display().to_string())
        .arg("reason", e.to_string())
}

pub fn default_agent_path() -> Result<PathBuf, Error> {
    let exe = std::env::current_exe().map_err(Error::internal)?;
    let name = if cfg!(windows) {
        "vss-agent.exe"
    } else {
        "vss-agent"
    };
    Ok(exe.with_file_name(name))
}

/// Every place this OS's browsers look for our host manifest (user and system), for
/// `vss doctor`. On Windows the registry points at the manifest; the files are listed.
pub fn manifest_locations() -> Vec<(String, PathBuf)> {
    let file_name = format!("{NATIVE_HOST_NAME}.json");
    if cfg!(windows) {
        let mut all = windows::targets(false, &file_name).unwrap_or_default();
        all.extend(windows::targets(true, &file_name).unwrap_or_default());
        all.dedup_by(|a, b| a.1 == b.1);
        return all;
    }
    let mut all = Vec::new();
    for system in [false, true] {
        for browser in Browser::All.each() {
            if let Some(dir) = manifest_dir(browser, system) {
                all.push((browser.name().to_string(), dir.join(&file_name)));
            }
        }
    }
    all
}

/// Directories where `browser` looks for host manifests (Linux and macOS).
fn manifest_dir(browser: Browser, system: bool) -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let (user, sys): (&str, &str) = if cfg!(target_os = "macos") {
        match browser {
            Browser::Chrome => (
                "Library/Application Support/Google/Chrome",
                "/Library/Google/Chrome",
            ),
            Browser::Chromium => (
                "Library/Application Support/Chromium",
                "/Library/Application Support/Chromium",
            ),
            Browser::Edge => (
                "Library/Application Support/Microsoft Edge",
                "/Library/Microsoft/Edge",
            ),
            Browser::Brave => (
                "Library/Application Support/BraveSoftware/Brave-Browser",
                "/Library/Google/Chrome",
            ),
            Browser::All => return None,
        }
    } else {
        match browser {
            Browser::Chrome => (".config/google-chrome", "/etc/opt/chrome"),
            Browser::Chromium => (".config/chromium", "/etc/chromium"),
            Browser::Edge => (".config/microsoft-edge", "/etc/opt/edge"),
            Browser::Brave => (".config/BraveSoftware/Brave-Browser", "/etc/opt/chrome"),
            Browser::All => return None,
        }
    };
    if system {
        let leaf = if cfg!(target_os = "macos") {
            "NativeMessagingHosts"
        } else {
            "native-messaging-hosts"
        };
        Some(PathBuf::from(sys).join(leaf))
    } else {
        home.map(|h| h.join(user).join("NativeMessagingHosts"))
    }
}

pub fn run(args: &InstallHostArgs, out: &Output) -> Result<Value, Error> {
    let agent = match &args.agent {
        Some(path) => std::path::absolute(path).map_err(Error::internal)?,
        None => default_agent_path()?,
    };
    let file_name = format!("{NATIVE_HOST_NAME}.json");
    let mut done = Vec::new();
    let targets: Vec<(String, PathBuf)> = match &args.user_data_dir {
        Some(dir) => vec![(
            "profile".to_string(),
            dir.join("NativeMessagingHosts").join(&file_name),
        )],
        None if cfg!(windows) => windows::targets(args.system, &file_name)?,
        None => args
            .browser
            .each()
            .into_iter()
            .filter_map(|b| {
                manifest_dir(b, args.system).map(|d| (b.name().to_string(), d.join(&file_name)))
            })
            .collect(),
    };
    for (browser, path) in targets {
        if args.uninstall {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(file_error(&path, e)),
            }
            if cfg!(windows) && args.user_data_dir.is_none() {
                windows::unregister(&browser, args.system)?;
            }
            out.line(
                "cli-host-removed",
                &[
                    ("browser", browser.clone()),
                    ("path", path.display().to_string()),
                ],
            );
        } else {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
            }
            let text = serde_json::to_string_pretty(&manifest(&agent)).map_err(Error::internal)?;
            std::fs::write(&path, text).map_err(|e| file_error(&path, e))?;
            if cfg!(windows) && args.user_data_dir.is_none() {
                windows::register(&browser, args.system, &path)?;
            }
            out.line(
                "cli-host-installed",
                &[
                    ("browser", browser.clone()),
                    ("path", path.display().to_string()),
                ],
            );
        }
        done.push(json!({"browser": browser, "path": path}));
    }
    Ok(json!({ if args.uninstall { "removed" } else { "installed" }: done }))
}

/// Windows: one manifest file, and a registry key per browser pointing at it.
mod windows {
    use std::path::PathBuf;
    use std::process::Command;

    use vss_protocol::{Error, NATIVE_HOST_NAME};

    const BROWSER_KEYS: &[(&str, &str)] = &[
        ("chrome", "Software\\Google\\Chrome\\NativeMessagingHosts"),
        ("chromium", "Software\\Chromium\\NativeMessagingHosts"),
        ("edge", "Software\\Microsoft\\Edge\\NativeMessagingHosts"),
        (
            "brave",
            "Software\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts",
        ),
    ];

    pub fn targets(system: bool, file_name: &str) -> Result<Vec<(String, PathBuf)>, Error> {
        let base = if system {
            std::env::var_os("ProgramData")
        } else {
            std::env::var_os("LOCALAPPDATA")
        }
        .ok_or_else(|| Error::internal("no ProgramData/LOCALAPPDATA"))?;
        let path = PathBuf::from(base)
            .join("VSS Token Signing")
            .join(file_name);
        Ok(BROWSER_KEYS
            .iter()
            .map(|(b, _)| (b.to_string(), path.clone()))
            .collect())
    }

    fn key(browser: &str, system: bool) -> Option<String> {
        let hive = if system { "HKLM" } else { "HKCU" };
        BROWSER_KEYS
            .iter()
            .find(|(b, _)| *b == browser)
            .map(|(_, k)| format!("{hive}\\{k}\\{NATIVE_HOST_NAME}"))
    }

    fn reg(args: &[&str]) -> Result<(), Error> {
        let status = Command::new("reg")
            .args(args)
            .status()
            .map_err(Error::internal)?;
        if status.success() {
            Ok(())
        } else {
            Err(Error::internal(format!(
                "reg {} failed",
                args.first().copied().unwrap_or_default()
            )))
        }
    }

    pub fn register(browser: &str, system: bool, manifest: &std::path::Path) -> Result<(), Error> {
        match key(browser, system) {
            Some(key) => reg(&[
                "add",
                &key,
                "/ve",
                "/t",
                "REG_SZ",
                "/d",
                &manifest.display().to_string(),
                "/f",
            ]),
            None => Ok(()),
        }
    }

    pub fn unregister(browser: &str, system: bool) -> Result<(), Error> {
        match key(browser, system) {
            // A key that is already gone is fine.
            Some(key) => reg(&["delete", &key, "/f"]).or(Ok(())),
            None => Ok(()),
        }
    }
}
