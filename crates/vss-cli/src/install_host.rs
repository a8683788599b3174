//! `vss install-host`: writes (or removes) the native-messaging host manifest where each
//! browser looks for it — per user or system-wide folders on Linux and macOS, a manifest file
//! plus a registry key (HKCU, or HKLM with `--system`) on Windows, or a given `--user-data-dir`
//! (a private Chromium-family profile, as the tests use). What the manifest says and where each
//! browser reads it are deployment facts of `vss_setup::host`.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde_json::{json, Value};
use vss_protocol::{Error, ErrorCode};
use vss_setup::host::{self, Browser, ManifestKind, Scope};

use crate::output::Output;

/// `--browser`: one browser, or all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BrowserChoice {
    Chrome,
    Chromium,
    Edge,
    Brave,
    Coccoc,
    Firefox,
    All,
}

impl BrowserChoice {
    fn each(self) -> Vec<Browser> {
        match self {
            BrowserChoice::Chrome => vec![Browser::Chrome],
            BrowserChoice::Chromium => vec![Browser::Chromium],
            BrowserChoice::Edge => vec![Browser::Edge],
            BrowserChoice::Brave => vec![Browser::Brave],
            BrowserChoice::Coccoc => vec![Browser::CocCoc],
            BrowserChoice::Firefox => vec![Browser::Firefox],
            BrowserChoice::All => Browser::ALL.to_vec(),
        }
    }
}

#[derive(Debug, Args)]
pub struct InstallHostArgs {
    /// Which browser(s).
    #[arg(long, value_enum, default_value = "all")]
    browser: BrowserChoice,
    /// A Chromium-family browser profile directory: the manifest goes to DIR/NativeMessagingHosts.
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

/// One manifest file to write, and the browser it is for.
struct Target {
    browser: &'static str,
    kind: ManifestKind,
    path: PathBuf,
    /// Windows: the registry key to point at `path`.
    registry: Option<(Scope, String)>,
}

fn targets(args: &InstallHostArgs) -> Result<Vec<Target>, Error> {
    let scope = if args.system {
        Scope::System
    } else {
        Scope::User
    };
    let browsers = args.browser.each();
    if let Some(dir) = &args.user_data_dir {
        if args.browser == BrowserChoice::Firefox {
            return Err(Error::bad_request(
                "--user-data-dir is for Chromium-family profiles",
            ));
        }
        return Ok(vec![Target {
            browser: "profile",
            kind: ManifestKind::Chromium,
            path: dir
                .join("NativeMessagingHosts")
                .join(host::manifest_file_name(ManifestKind::Chromium)),
            registry: None,
        }]);
    }
    if cfg!(windows) {
        let base = match scope {
            Scope::System => std::env::var_os("ProgramData"),
            Scope::User => std::env::var_os("LOCALAPPDATA"),
        }
        .ok_or_else(|| Error::internal("no ProgramData/LOCALAPPDATA"))?;
        let folder = PathBuf::from(base).join("VSS Token Signing");
        return Ok(browsers
            .into_iter()
            .map(|b| Target {
                browser: b.name(),
                kind: b.manifest_kind(),
                path: folder.join(host::manifest_file_name(b.manifest_kind())),
                registry: Some((scope, b.host_registry_key())),
            })
            .collect());
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    Ok(browsers
        .into_iter()
        .filter_map(|b| {
            b.unix_manifest_path(scope, home.as_deref())
                .map(|path| Target {
                    browser: b.name(),
                    kind: b.manifest_kind(),
                    path,
                    registry: None,
                })
        })
        .collect())
}

#[cfg(windows)]
fn register(scope: Scope, key: &str, manifest: &Path) -> Result<(), Error> {
    let key = vss_setup::registry::create(scope, key).map_err(|e| Error::internal(e.0))?;
    vss_setup::registry::set_string(&key, "", &manifest.display().to_string())
        .map_err(|e| Error::internal(e.0))
}

#[cfg(windows)]
fn unregister(scope: Scope, key: &str) -> Result<(), Error> {
    vss_setup::registry::delete_key(scope, key).map_err(|e| Error::internal(e.0))
}

#[cfg(not(windows))]
fn register(_scope: Scope, _key: &str, _manifest: &Path) -> Result<(), Error> {
    Ok(())
}

#[cfg(not(windows))]
fn unregister(_scope: Scope, _key: &str) -> Result<(), Error> {
    Ok(())
}

pub fn run(args: &InstallHostArgs, out: &Output) -> Result<Value, Error> {
    let agent = match &args.agent {
        Some(path) => std::path::absolute(path).map_err(Error::internal)?,
        None => default_agent_path()?,
    };
    let agent = agent.display().to_string();
    let mut done = Vec::new();
    let chosen = targets(args)?;
    // Browsers not being removed whose registration uses the same file (Windows: one file for
    // all Chromium browsers; Linux: Brave reads Chrome's system folder).
    let others = if args.uninstall && args.user_data_dir.is_none() {
        let all = InstallHostArgs {
            browser: BrowserChoice::All,
            user_data_dir: None,
            system: args.system,
            uninstall: true,
            agent: None,
        };
        let removing: Vec<&str> = chosen.iter().map(|t| t.browser).collect();
        targets(&all)?
            .into_iter()
            .filter(|t| !removing.contains(&t.browser))
            .filter(|t| match &t.registry {
                Some((scope, key)) => vss_setup::registry::read_default(*scope, key).is_some(),
                None => true,
            })
            .map(|t| t.path)
            .collect()
    } else {
        Vec::new()
    };
    for target in chosen {
        let path = &target.path;
        if args.uninstall {
            if let Some((scope, key)) = &target.registry {
                unregister(*scope, key)?;
            }
            if !others.contains(path) {
                match std::fs::remove_file(path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(file_error(path, e)),
                }
            }
        } else {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
            }
            std::fs::write(path, host::manifest_text(target.kind, &agent))
                .map_err(|e| file_error(path, e))?;
            if let Some((scope, key)) = &target.registry {
                register(*scope, key, path)?;
            }
        }
        out.line(
            if args.uninstall {
                "cli-host-removed"
            } else {
                "cli-host-installed"
            },
            &[
                ("browser", target.browser.to_string()),
                ("path", path.display().to_string()),
            ],
        );
        done.push(json!({"browser": target.browser, "path": path}));
    }
    Ok(json!({ if args.uninstall { "removed" } else { "installed" }: done }))
}
