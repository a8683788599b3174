//! Start at logon. The installers add an entry that starts `vss-tray --autostart` for every
//! user (the MSI: `HKLM\…\Run` unless `AUTOSTART_TRAY=0`; the .deb: `/etc/xdg/autostart`). The
//! user's own choice — the menu's toggle — is kept where the desktop keeps it (Linux: the
//! user's XDG autostart entry of the same name, which hides the system one; Windows: HKCU) and
//! wins over the machine's default (`[tray] autostart`), unless the admin set that default in a
//! locked machine file; then the toggle is disabled. A start with `--autostart` that the
//! choice says no to ends at once.

use vss_config::TrayConfig;

/// What the toggle shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Autostart {
    pub enabled: bool,
    /// The admin decided; the user cannot change it.
    pub locked: bool,
}

/// The decision: the admin's lock, else the user's choice, else the machine's default where an
/// installer put an entry in place.
pub fn decide(config: &TrayConfig, user_choice: Option<bool>, installed_entry: bool) -> Autostart {
    if config.autostart_locked {
        return Autostart {
            enabled: config.autostart.unwrap_or(true),
            locked: true,
        };
    }
    Autostart {
        enabled: user_choice.unwrap_or(installed_entry && config.autostart.unwrap_or(true)),
        locked: false,
    }
}

/// The file name of the XDG autostart entry (system and user).
pub const DESKTOP_FILE: &str = "vss-tray.desktop";

/// An XDG autostart entry that starts the tray, or (hidden) one that hides the system's.
pub fn desktop_entry(exec: &str, enabled: bool) -> String {
    format!(
        "[Desktop Entry]\nType=Application\nName=VSS Token Signing\nName[vi]=VSS Token Signing — ký số BHXH\nComment=Token status, certificate expiry notices, signing dossier files\nExec={exec} --autostart\nIcon=security-high\nTerminal=false\nX-GNOME-Autostart-enabled={enabled}\nHidden={}\n",
        !enabled
    )
}

/// Whether an entry's text starts the program (`Hidden=true` or
/// `X-GNOME-Autostart-enabled=false` turn it off).
pub fn entry_enabled(text: &str) -> bool {
    !text.lines().map(str::trim).any(|line| {
        line.eq_ignore_ascii_case("Hidden=true")
            || line.eq_ignore_ascii_case("X-GNOME-Autostart-enabled=false")
    })
}

/// Linux: the user's entry (`$XDG_CONFIG_HOME/autostart`) and the system's
/// (`$XDG_CONFIG_DIRS/autostart`, `/etc/xdg/autostart` by default).
#[cfg(unix)]
pub mod xdg {
    use std::path::PathBuf;

    use super::*;

    fn user_entry() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("autostart").join(DESKTOP_FILE))
    }

    fn system_entry_exists() -> bool {
        let dirs = std::env::var("XDG_CONFIG_DIRS")
            .ok()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "/etc/xdg".into());
        dirs.split(':').any(|d| {
            PathBuf::from(d)
                .join("autostart")
                .join(DESKTOP_FILE)
                .is_file()
        })
    }

    /// The toggle's state now.
    pub fn state(config: &TrayConfig) -> Autostart {
        let choice = user_entry()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .map(|text| entry_enabled(&text));
        decide(config, choice, system_entry_exists())
    }

    /// Writes the user's choice.
    pub fn set(enabled: bool) -> std::io::Result<()> {
        let path = user_entry().ok_or_else(|| std::io::Error::other("no home folder"))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let exe = std::env::current_exe()?;
        std::fs::write(&path, desktop_entry(&exe.display().to_string(), enabled))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_users_choice_wins_unless_the_admin_locked_the_default() {
        let open = TrayConfig {
            autostart: Some(false),
            ..Default::default()
        };
        assert!(!decide(&open, None, true).enabled);
        assert!(decide(&open, Some(true), true).enabled);
        assert!(decide(&TrayConfig::default(), None, true).enabled);
        assert!(
            !decide(&TrayConfig::default(), None, false).enabled,
            "without an installed entry nothing starts the tray"
        );
        let locked = TrayConfig {
            autostart: Some(false),
            autostart_locked: true,
            ..Default::default()
        };
        assert_eq!(
            decide(&locked, Some(true), true),
            Autostart {
                enabled: false,
                locked: true
            }
        );
    }

    #[test]
    fn the_debian_package_installs_the_entry_the_toggle_writes() {
        assert_eq!(
            include_str!("../../../installer/debian/vss-tray.desktop"),
            desktop_entry("/usr/bin/vss-tray", true)
        );
    }

    #[test]
    fn a_hidden_entry_is_off() {
        assert!(entry_enabled(&desktop_entry("/usr/bin/vss-tray", true)));
        assert!(!entry_enabled(&desktop_entry("/usr/bin/vss-tray", false)));
    }
}
