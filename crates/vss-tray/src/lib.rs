//! `vss-tray`, the background app (DESIGN §7): one per user session, a status icon whose state
//! is the one readiness of `vss doctor` and the popup, a menu (Vietnamese by default, English
//! on request), notices for certificates nearing expiry, tokens plugged in or removed and PINs
//! locked, and the accountant's two desktop jobs — sign dossier files, check signed ones — as a
//! thin door onto `vss-core` (the batch, the atomic file writes, verification, the support
//! report all live there).
//!
//! - [`menu`]: what the menu shows, as data (the platforms only draw it),
//! - [`notices`]: which notices a change of readiness deserves (expiry stages once a day),
//! - [`state`]: what the tray remembers between runs (language, notices given),
//! - [`autostart`]: start at logon — the installer's default, the user's toggle, the admin's lock,
//! - [`desktop`]: the desktop's parts the tray uses (choosers, windows, notifications, opener),
//! - [`app`]: the tray's jobs over the signing service,
//! - `linux` / `windows`: the StatusNotifierItem and its D-Bus services / the Shell_NotifyIcon.

pub mod app;
pub mod autostart;
pub mod desktop;
pub mod menu;
pub mod notices;
pub mod state;

#[cfg(all(unix, not(target_os = "macos")))]
pub mod linux;
#[cfg(windows)]
pub mod windows;

/// What the tray is called in logs and in the consent dialog (the caller).
pub const PROGRAM: &str = "vss-tray";

/// The tray's D-Bus name and Windows window class: one instance per user session holds it.
pub const INSTANCE_NAME: &str = "vn.vss.TokenSigning.Tray";
