//! Linux: a StatusNotifierItem on the session bus with its menu over `com.canonical.dbusmenu`
//! (`ksni`, pure Rust on zbus: no GTK or libappindicator in the process, which keeps the idle
//! tray small), notifications over `org.freedesktop.Notifications` (`notify-rust`, with the
//! "Mở thư mục" action), choosers and windows through the desktop's dialog program (zenity,
//! else kdialog — separate processes, so no toolkit stays loaded while the tray idles), and the
//! tray's own bus name `vn.vss.TokenSigning.Tray` for one instance per session and for
//! `vss-tray --quit`.

mod desktop;
pub mod instance;
mod sni;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;

use ksni::blocking::TrayMethods;
use vss_config::Config;
use vss_core::Service;
use vss_protocol::limits::TRAY_POLL_INTERVAL;

use crate::app::App;
use crate::autostart;
use crate::menu::Action;

/// What reaches the tray's main loop.
#[derive(Debug)]
pub enum Event {
    Menu(Action),
    /// A second start asked the running tray to show itself.
    Activate,
    /// `vss-tray --quit`, or the session asked.
    Quit,
    /// A notice's "Mở thư mục".
    OpenFolder(PathBuf),
    /// A job ended: the menu shows it.
    JobDone,
}

/// Runs the tray until it is asked to quit. `autostarted`: started at logon by the autostart
/// entry (ends at once if the user or the admin turned autostart off).
pub fn run(config: Config, autostarted: bool) -> ExitCode {
    if autostarted && !autostart::xdg::state(&config.tray).enabled {
        tracing::info!("autostart is off: not starting");
        return ExitCode::SUCCESS;
    }
    let (events, inbox) = mpsc::channel();
    let _instance = match instance::claim(events.clone()) {
        Ok(instance::Claim::Ours(connection)) => connection,
        Ok(instance::Claim::Running) => {
            tracing::info!("already running: asking it to show itself");
            let _ = instance::request("Activate");
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("vss-tray: no session bus: {err}");
            tracing::error!(error = %err, "no session bus");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(
        machine_config = ?config.sources.machine,
        user_config = ?config.sources.user,
        "vss-tray started"
    );
    let desktop = Arc::new(desktop::LinuxDesktop::new(&config, events.clone()));
    let app = Arc::new(App::new(
        Service::new(config),
        desktop,
        crate::state::path(),
    ));
    app.refresh();
    let item = sni::StatusItem::new(events.clone());
    let handle = match item.assume_sni_available(true).spawn() {
        Ok(handle) => handle,
        Err(err) => {
            eprintln!("vss-tray: the status icon could not be shown: {err}");
            tracing::error!(error = %err, "status icon");
            return ExitCode::FAILURE;
        }
    };
    let show = |app: &App| {
        let autostart = autostart::xdg::state(&app.service.config.tray);
        let view = sni::ItemView::of(app, autostart);
        handle.update(move |item| item.show(view));
    };
    show(&app);
    loop {
        match inbox.recv_timeout(TRAY_POLL_INTERVAL) {
            Ok(Event::Menu(action)) => {
                if !menu_action(&app, action, &events) {
                    break;
                }
                show(&app);
            }
            Ok(Event::Activate) => app.say_running(),
            Ok(Event::Quit) | Err(RecvTimeoutError::Disconnected) => break,
            Ok(Event::OpenFolder(folder)) => app.open_folder(&folder),
            Ok(Event::JobDone) => {
                app.refresh();
                show(&app);
            }
            Err(RecvTimeoutError::Timeout) => {
                if app.refresh() {
                    show(&app);
                }
            }
        }
    }
    tracing::info!("vss-tray quits");
    handle.shutdown().wait();
    ExitCode::SUCCESS
}

/// Runs a menu action; `false` for "Thoát".
fn menu_action(app: &Arc<App>, action: Action, events: &Sender<Event>) -> bool {
    let job = |f: fn(&App)| {
        let app = app.clone();
        let events = events.clone();
        std::thread::spawn(move || {
            f(&app);
            let _ = events.send(Event::JobDone);
        });
    };
    match action {
        Action::Sign => job(App::sign_dossiers),
        Action::Verify => job(App::verify_files),
        Action::Diagnose => job(App::diagnose),
        Action::OpenLogs => app.open_logs(),
        Action::Language(lang) => {
            app.set_lang(lang);
            app.refresh();
        }
        Action::ToggleAutostart => {
            let now = autostart::xdg::state(&app.service.config.tray);
            if !now.locked {
                if let Err(err) = autostart::xdg::set(!now.enabled) {
                    tracing::warn!(error = %err, "autostart entry not written");
                }
            }
        }
        Action::Quit => return false,
    }
    true
}
