//! Where each browser looks for the native host `vn.vss.token_signing`, and what the host
//! manifest says. One table, read by `vss install-host`, `vss doctor`, `vss-setup
//! print-manifest` (which the MSI and .deb builds call) and the support report.
//!
//! Sources of the less documented rows are cited in docs/admin.md ("Browsers").

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use vss_protocol::{EXTENSION_ID, FIREFOX_EXTENSION_ID, NATIVE_HOST_NAME};

/// What the host manifest describes the agent as (shown in browser diagnostics).
pub const MANIFEST_DESCRIPTION: &str = "VSS Token Signing — ký số BHXH bằng USB token";

/// The browsers this product registers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Browser {
    Chrome,
    Chromium,
    Edge,
    Brave,
    CocCoc,
    Firefox,
}

/// The two kinds of host manifest: Chromium's (`allowed_origins`) and Firefox's
/// (`allowed_extensions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestKind {
    Chromium,
    Firefox,
}

/// Per user (HKCU, the home folder) or for the whole machine (HKLM, /etc, /usr/lib).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    User,
    System,
}

impl Browser {
    /// Every browser, in the order `--browser all` registers them.
    pub const ALL: [Browser; 6] = [
        Browser::Chrome,
        Browser::Chromium,
        Browser::Edge,
        Browser::Brave,
        Browser::CocCoc,
        Browser::Firefox,
    ];

    /// The name used on command lines (`--browser coccoc`) and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Browser::Chrome => "chrome",
            Browser::Chromium => "chromium",
            Browser::Edge => "edge",
            Browser::Brave => "brave",
            Browser::CocCoc => "coccoc",
            Browser::Firefox => "firefox",
        }
    }

    pub fn from_name(name: &str) -> Option<Browser> {
        Browser::ALL.into_iter().find(|b| b.name() == name)
    }

    /// The browser's own name, for people.
    pub fn display_name(self) -> &'static str {
        match self {
            Browser::Chrome => "Google Chrome",
            Browser::Chromium => "Chromium",
            Browser::Edge => "Microsoft Edge",
            Browser::Brave => "Brave",
            Browser::CocCoc => "Cốc Cốc",
            Browser::Firefox => "Firefox",
        }
    }

    pub fn manifest_kind(self) -> ManifestKind {
        match self {
            Browser::Firefox => ManifestKind::Firefox,
            _ => ManifestKind::Chromium,
        }
    }

    /// Windows: the key (under HKCU or HKLM) whose subkey `vn.vss.token_signing` has the
    /// manifest's path as its default value.
    pub fn registry_key(self) -> &'static str {
        match self {
            Browser::Chrome => "SOFTWARE\\Google\\Chrome\\NativeMessagingHosts",
            Browser::Chromium => "SOFTWARE\\Chromium\\NativeMessagingHosts",
            Browser::Edge => "SOFTWARE\\Microsoft\\Edge\\NativeMessagingHosts",
            Browser::Brave => "SOFTWARE\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts",
            Browser::CocCoc => "SOFTWARE\\CocCoc\\Browser\\NativeMessagingHosts",
            Browser::Firefox => "SOFTWARE\\Mozilla\\NativeMessagingHosts",
        }
    }

    /// Windows: the registry key of our host for this browser (under HKCU or HKLM).
    pub fn host_registry_key(self) -> String {
        format!("{}\\{NATIVE_HOST_NAME}", self.registry_key())
    }

    /// Windows: the browser's machine policy root under HKLM, for the browsers whose policies
    /// the MSI writes (Chromium-based ones with the Chrome policy set).
    pub fn policy_key(self) -> Option<&'static str> {
        match self {
            Browser::Chrome => Some("SOFTWARE\\Policies\\Google\\Chrome"),
            Browser::Edge => Some("SOFTWARE\\Policies\\Microsoft\\Edge"),
            Browser::CocCoc => Some("SOFTWARE\\Policies\\CocCoc\\CocCoc"),
            _ => None,
        }
    }

    /// Linux: the folder of host manifests, per user (relative to the home folder) or system-wide.
    /// `None`: the browser has no such folder (no system-wide one is known for Cốc Cốc).
    pub fn linux_dir(self, scope: Scope) -> Option<&'static str> {
        Some(match (self, scope) {
            (Browser::Chrome, Scope::User) => ".config/google-chrome/NativeMessagingHosts",
            (Browser::Chrome, Scope::System) => "/etc/opt/chrome/native-messaging-hosts",
            (Browser::Chromium, Scope::User) => ".config/chromium/NativeMessagingHosts",
            (Browser::Chromium, Scope::System) => "/etc/chromium/native-messaging-hosts",
            (Browser::Edge, Scope::User) => ".config/microsoft-edge/NativeMessagingHosts",
            (Browser::Edge, Scope::System) => "/etc/opt/edge/native-messaging-hosts",
            (Browser::Brave, Scope::User) => {
                ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts"
            }
            // Brave reads Chrome's system-wide folder.
            (Browser::Brave, Scope::System) => "/etc/opt/chrome/native-messaging-hosts",
            (Browser::CocCoc, Scope::User) => ".config/coccoc-browser/NativeMessagingHosts",
            (Browser::CocCoc, Scope::System) => return None,
            (Browser::Firefox, Scope::User) => ".mozilla/native-messaging-hosts",
            (Browser::Firefox, Scope::System) => "/usr/lib/mozilla/native-messaging-hosts",
        })
    }

    /// macOS: the same folders.
    pub fn macos_dir(self, scope: Scope) -> Option<&'static str> {
        Some(match (self, scope) {
            (Browser::Chrome, Scope::User) => {
                "Library/Application Support/Google/Chrome/NativeMessagingHosts"
            }
            (Browser::Chrome, Scope::System) => "/Library/Google/Chrome/NativeMessagingHosts",
            (Browser::Chromium, Scope::User) => {
                "Library/Application Support/Chromium/NativeMessagingHosts"
            }
            (Browser::Chromium, Scope::System) => {
                "/Library/Application Support/Chromium/NativeMessagingHosts"
            }
            (Browser::Edge, Scope::User) => {
                "Library/Application Support/Microsoft Edge/NativeMessagingHosts"
            }
            (Browser::Edge, Scope::System) => "/Library/Microsoft/Edge/NativeMessagingHosts",
            (Browser::Brave, Scope::User) => {
                "Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts"
            }
            (Browser::Brave, Scope::System) => "/Library/Google/Chrome/NativeMessagingHosts",
            (Browser::CocCoc, Scope::User) => {
                "Library/Application Support/Coc Coc/Browser/NativeMessagingHosts"
            }
            (Browser::CocCoc, Scope::System) => return None,
            (Browser::Firefox, Scope::User) => {
                "Library/Application Support/Mozilla/NativeMessagingHosts"
            }
            (Browser::Firefox, Scope::System) => {
                "/Library/Application Support/Mozilla/NativeMessagingHosts"
            }
        })
    }

    /// Linux and macOS: where this browser reads our manifest (`home` for the user scope).
    pub fn unix_manifest_path(self, scope: Scope, home: Option<&Path>) -> Option<PathBuf> {
        let dir = if cfg!(target_os = "macos") {
            self.macos_dir(scope)?
        } else {
            self.linux_dir(scope)?
        };
        let dir = match scope {
            Scope::User => home?.join(dir),
            Scope::System => PathBuf::from(dir),
        };
        Some(dir.join(manifest_file_name(ManifestKind::Chromium)))
    }
}

/// File name of the manifest. On Linux and macOS both kinds are named after the host (the
/// browser looks the file up by name, each in its own folder); on Windows, where the registry
/// points at the file and both lie in one folder, Firefox's has its own name.
pub fn manifest_file_name(kind: ManifestKind) -> String {
    match kind {
        ManifestKind::Chromium => format!("{NATIVE_HOST_NAME}.json"),
        ManifestKind::Firefox if cfg!(windows) => format!("{NATIVE_HOST_NAME}.firefox.json"),
        ManifestKind::Firefox => format!("{NATIVE_HOST_NAME}.json"),
    }
}

/// The Windows file name of a manifest of `kind` (what the MSI installs), whatever the build OS.
pub fn windows_manifest_file_name(kind: ManifestKind) -> String {
    match kind {
        ManifestKind::Chromium => format!("{NATIVE_HOST_NAME}.json"),
        ManifestKind::Firefox => format!("{NATIVE_HOST_NAME}.firefox.json"),
    }
}

/// The host manifest of `kind` for an agent at `agent` (absolute, or on Windows relative to
/// the manifest's folder as the MSI installs it).
pub fn manifest(kind: ManifestKind, agent: &str) -> Value {
    let mut manifest = json!({
        "name": NATIVE_HOST_NAME,
        "description": MANIFEST_DESCRIPTION,
        "path": agent,
        "type": "stdio",
    });
    match kind {
        ManifestKind::Chromium => {
            manifest["allowed_origins"] = json!([format!("chrome-extension://{EXTENSION_ID}/")])
        }
        ManifestKind::Firefox => manifest["allowed_extensions"] = json!([FIREFOX_EXTENSION_ID]),
    }
    manifest
}

/// The manifest as written to disk (pretty JSON, trailing newline).
pub fn manifest_text(kind: ManifestKind, agent: &str) -> String {
    let mut text = serde_json::to_string_pretty(&manifest(kind, agent)).unwrap_or_default();
    text.push('\n');
    text
}

/// What is wrong with a registration a browser would find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationProblem {
    /// The registry points at a manifest file that cannot be read or is not JSON.
    ManifestUnreadable,
    /// The manifest is not ours, or does not allow our extension.
    NotOurExtension,
    /// The manifest names an agent that is not there.
    AgentMissing(PathBuf),
}

/// One registration of the host with a browser, as found on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub browser: Browser,
    pub scope: Scope,
    pub manifest: PathBuf,
    /// `None`: the browser can start the agent from it.
    pub problem: Option<RegistrationProblem>,
}

/// Checks a manifest a browser would read: ours, allowing our extension, naming an agent that
/// exists (a relative path counts from the manifest's folder, as Chrome and Firefox read it on
/// Windows).
pub fn check_manifest(kind: ManifestKind, path: &Path) -> Option<RegistrationProblem> {
    let Some(manifest) = std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
    else {
        return Some(RegistrationProblem::ManifestUnreadable);
    };
    let (list, ours) = match kind {
        ManifestKind::Chromium => (
            "allowed_origins",
            format!("chrome-extension://{EXTENSION_ID}/"),
        ),
        ManifestKind::Firefox => ("allowed_extensions", FIREFOX_EXTENSION_ID.to_string()),
    };
    let allowed = manifest[list]
        .as_array()
        .is_some_and(|l| l.iter().any(|o| o.as_str() == Some(ours.as_str())));
    if manifest["name"].as_str() != Some(NATIVE_HOST_NAME) || !allowed {
        return Some(RegistrationProblem::NotOurExtension);
    }
    let agent = PathBuf::from(manifest["path"].as_str().unwrap_or_default());
    let agent = if agent.is_absolute() {
        agent
    } else {
        path.parent().unwrap_or(Path::new("")).join(agent)
    };
    (!agent.is_file()).then_some(RegistrationProblem::AgentMissing(agent))
}

/// Every registration of our host on this machine, user ones first (browsers prefer them).
/// Windows: the registry keys (HKCU, then HKLM's 64-bit view, where the MSI writes); elsewhere
/// the manifest folders under `home` and the system folders.
pub fn registrations(home: Option<&Path>) -> Vec<Registration> {
    let mut found = Vec::new();
    for scope in [Scope::User, Scope::System] {
        for browser in Browser::ALL {
            let manifest = if cfg!(windows) {
                crate::registry::read_default(scope, &browser.host_registry_key())
                    .map(PathBuf::from)
            } else {
                browser
                    .unix_manifest_path(scope, home)
                    .filter(|path| path.exists())
            };
            if let Some(manifest) = manifest {
                let problem = check_manifest(browser.manifest_kind(), &manifest);
                found.push(Registration {
                    browser,
                    scope,
                    manifest,
                    problem,
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chromium_manifest_allows_only_our_extension_id() {
        let m = manifest(ManifestKind::Chromium, "/usr/bin/vss-agent");
        assert_eq!(m["name"], "vn.vss.token_signing");
        assert_eq!(m["path"], "/usr/bin/vss-agent");
        assert_eq!(
            m["allowed_origins"],
            json!(["chrome-extension://aljobffeainbeaoomgcjaebgogaandcp/"])
        );
        assert!(m.get("allowed_extensions").is_none());
    }

    #[test]
    fn a_firefox_manifest_names_the_gecko_id_in_allowed_extensions() {
        let m = manifest(ManifestKind::Firefox, "vss-agent.exe");
        assert_eq!(m["allowed_extensions"], json!(["token-signing@vss.vn"]));
        assert!(m.get("allowed_origins").is_none());
        assert_eq!(m["type"], "stdio");
    }

    #[test]
    fn coccoc_and_firefox_have_their_own_registry_keys() {
        assert_eq!(
            Browser::CocCoc.host_registry_key(),
            "SOFTWARE\\CocCoc\\Browser\\NativeMessagingHosts\\vn.vss.token_signing"
        );
        assert_eq!(
            Browser::Firefox.host_registry_key(),
            "SOFTWARE\\Mozilla\\NativeMessagingHosts\\vn.vss.token_signing"
        );
        assert_eq!(
            Browser::CocCoc.policy_key(),
            Some("SOFTWARE\\Policies\\CocCoc\\CocCoc")
        );
        assert_eq!(Browser::Firefox.policy_key(), None);
    }

    #[test]
    fn names_round_trip() {
        for b in Browser::ALL {
            assert_eq!(Browser::from_name(b.name()), Some(b));
        }
        assert_eq!(Browser::from_name("safari"), None);
    }

    #[cfg(not(windows))]
    #[test]
    fn registrations_find_a_user_manifest_and_tell_what_is_wrong() {
        let home = tempfile::tempdir().unwrap();
        let agent = home.path().join("vss-agent");
        std::fs::write(&agent, b"").unwrap();
        let write = |browser: Browser, text: String| {
            let path = browser
                .unix_manifest_path(Scope::User, Some(home.path()))
                .unwrap();
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        };
        let agent_str = agent.to_str().unwrap();
        write(
            Browser::Chromium,
            manifest_text(ManifestKind::Chromium, agent_str),
        );
        write(
            Browser::Firefox,
            manifest_text(ManifestKind::Firefox, agent_str),
        );
        // A Chromium manifest where Firefox looks: the wrong allow-list.
        write(
            Browser::CocCoc,
            manifest_text(ManifestKind::Chromium, "/nowhere/vss-agent"),
        );
        write(Browser::Edge, "{not json".into());
        let found: Vec<_> = registrations(Some(home.path()))
            .into_iter()
            .filter(|r| r.scope == Scope::User)
            .map(|r| (r.browser, r.problem))
            .collect();
        assert_eq!(
            found,
            vec![
                (Browser::Chromium, None),
                (Browser::Edge, Some(RegistrationProblem::ManifestUnreadable)),
                (
                    Browser::CocCoc,
                    Some(RegistrationProblem::AgentMissing(PathBuf::from(
                        "/nowhere/vss-agent"
                    )))
                ),
                (Browser::Firefox, None),
            ]
        );
        let firefox_in_chrome = home.path().join("x.json");
        std::fs::write(
            &firefox_in_chrome,
            manifest_text(ManifestKind::Firefox, agent_str),
        )
        .unwrap();
        assert_eq!(
            check_manifest(ManifestKind::Chromium, &firefox_in_chrome),
            Some(RegistrationProblem::NotOurExtension)
        );
    }

    #[test]
    fn a_relative_agent_path_counts_from_the_manifest_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("vss-agent.exe"), b"").unwrap();
        let path = dir.path().join("vn.vss.token_signing.json");
        std::fs::write(
            &path,
            manifest_text(ManifestKind::Chromium, "vss-agent.exe"),
        )
        .unwrap();
        assert_eq!(check_manifest(ManifestKind::Chromium, &path), None);
    }
}
