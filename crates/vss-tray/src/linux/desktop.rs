//! The Linux desktop: choosers and windows through zenity (GNOME, Xfce, …) or kdialog (KDE),
//! or the chooser named in config; notifications through `notify-rust`; folders opened with
//! `xdg-open` (or the configured opener); the clipboard through `arboard`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::Sender;
use std::sync::OnceLock;

use notify_rust::{Notification, Timeout, Urgency};
use parking_lot::Mutex;
use vss_config::Config;
use vss_protocol::limits::TRAY_NOTICE_TIMEOUT;
use vss_protocol::{Error, ErrorCode, Result};

use super::Event;
use crate::desktop::{open_with, run_chooser, unavailable, ChooserProgram, Desktop};
use crate::notices::Notice;

/// The desktop's dialog program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialogs {
    Zenity,
    Kdialog,
}

fn find_dialogs() -> Option<Dialogs> {
    let on_path = |name: &str| vss_core::report::program_on_path(Path::new(name));
    if on_path("zenity") {
        Some(Dialogs::Zenity)
    } else if on_path("kdialog") {
        Some(Dialogs::Kdialog)
    } else {
        None
    }
}

pub struct LinuxDesktop {
    chooser: Option<ChooserProgram>,
    opener: PathBuf,
    dialogs: Option<Dialogs>,
    events: Sender<Event>,
    /// Kept for the tray's life: on X11 the owner of the clipboard serves its contents.
    clipboard: Mutex<Option<arboard::Clipboard>>,
}

impl LinuxDesktop {
    pub fn new(config: &Config, events: Sender<Event>) -> LinuxDesktop {
        LinuxDesktop {
            chooser: config.tray.file_chooser.clone().map(ChooserProgram),
            opener: config
                .tray
                .folder_opener
                .clone()
                .unwrap_or_else(|| PathBuf::from("xdg-open")),
            dialogs: find_dialogs(),
            events,
            clipboard: Mutex::new(None),
        }
    }

    fn dialogs(&self) -> Result<Dialogs> {
        self.dialogs
            .ok_or_else(|| unavailable(Path::new("zenity"), "not installed (nor kdialog)"))
    }
}

fn program(dialogs: Dialogs) -> &'static str {
    match dialogs {
        Dialogs::Zenity => "zenity",
        Dialogs::Kdialog => "kdialog",
    }
}

/// Whether the notification server shows markup in bodies (then `<`, `&` are escaped).
fn body_markup() -> bool {
    static MARKUP: OnceLock<bool> = OnceLock::new();
    *MARKUP.get_or_init(|| {
        notify_rust::get_capabilities()
            .map(|caps| caps.iter().any(|c| c == "body-markup"))
            .unwrap_or(false)
    })
}

fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A dialog program's exit: 0 yes/OK, 1 no/cancel/close, anything else (or not started) an error.
fn answered(program: &str, status: std::io::Result<std::process::ExitStatus>) -> Result<bool> {
    match status {
        Ok(s) if s.success() => Ok(true),
        Ok(s) if s.code() == Some(1) => Ok(false),
        Ok(s) => Err(unavailable(Path::new(program), s)),
        Err(e) => Err(unavailable(Path::new(program), e)),
    }
}

impl Desktop for LinuxDesktop {
    fn choose_files(
        &self,
        title: &str,
        filter: &str,
        start: &Path,
    ) -> Result<Option<Vec<PathBuf>>> {
        if let Some(chooser) = &self.chooser {
            return chooser.open_files(title, start);
        }
        let start = format!("{}/", start.display());
        match self.dialogs()? {
            Dialogs::Zenity => run_chooser(
                Path::new("zenity"),
                &[
                    "--file-selection".as_ref(),
                    "--multiple".as_ref(),
                    "--separator=\n".as_ref(),
                    format!("--title={title}").as_ref(),
                    format!("--file-filter={filter} | *.xml *.XML").as_ref(),
                    format!("--filename={start}").as_ref(),
                ],
            ),
            Dialogs::Kdialog => run_chooser(
                Path::new("kdialog"),
                &[
                    "--title".as_ref(),
                    title.as_ref(),
                    "--getopenfilename".as_ref(),
                    start.as_ref(),
                    format!("*.xml *.XML|{filter}").as_ref(),
                    "--multiple".as_ref(),
                    "--separate-output".as_ref(),
                ],
            ),
        }
    }

    fn choose_folder(&self, title: &str, suggested: &Path) -> Result<Option<PathBuf>> {
        if let Some(chooser) = &self.chooser {
            return chooser.choose_folder(title, suggested);
        }
        let start = format!("{}/", suggested.display());
        let chosen = match self.dialogs()? {
            Dialogs::Zenity => run_chooser(
                Path::new("zenity"),
                &[
                    "--file-selection".as_ref(),
                    "--directory".as_ref(),
                    format!("--title={title}").as_ref(),
                    format!("--filename={start}").as_ref(),
                ],
            )?,
            Dialogs::Kdialog => run_chooser(
                Path::new("kdialog"),
                &[
                    "--title".as_ref(),
                    title.as_ref(),
                    "--getexistingdirectory".as_ref(),
                    start.as_ref(),
                ],
            )?,
        };
        Ok(chosen.and_then(|mut paths| paths.drain(..).next()))
    }

    fn confirm(&self, title: &str, question: &str, yes: &str, no: &str) -> Result<bool> {
        let dialogs = self.dialogs()?;
        let mut command = Command::new(program(dialogs));
        match dialogs {
            Dialogs::Zenity => command.args([
                "--question",
                "--no-markup",
                &format!("--title={title}"),
                &format!("--text={question}"),
                &format!("--ok-label={yes}"),
                &format!("--cancel-label={no}"),
            ]),
            Dialogs::Kdialog => command.args([
                "--title",
                title,
                "--yes-label",
                yes,
                "--no-label",
                no,
                "--yesno",
                question,
            ]),
        };
        answered(program(dialogs), command.stdin(Stdio::null()).status())
    }

    fn show_text(
        &self,
        title: &str,
        text: &str,
        action: Option<&str>,
        close: &str,
    ) -> Result<bool> {
        let dialogs = self.dialogs()?;
        let mut file = tempfile::Builder::new()
            .prefix("vss-tray-")
            .suffix(".txt")
            .tempfile()
            .map_err(|e| Error::internal(e.to_string()))?;
        file.write_all(text.as_bytes())
            .map_err(|e| Error::internal(e.to_string()))?;
        let path = file.path().display().to_string();
        let mut command = Command::new(program(dialogs));
        match dialogs {
            Dialogs::Zenity => {
                command.args([
                    "--text-info",
                    &format!("--title={title}"),
                    &format!("--filename={path}"),
                    "--width=760",
                    "--height=520",
                    "--font=DejaVu Sans 10",
                ]);
                match action {
                    Some(action) => command.args([
                        format!("--ok-label={action}"),
                        format!("--cancel-label={close}"),
                    ]),
                    None => command.args([
                        format!("--ok-label={close}"),
                        format!("--cancel-label={close}"),
                    ]),
                };
            }
            Dialogs::Kdialog => {
                command.args(["--title", title, "--textbox", &path, "760", "520"]);
            }
        }
        let pressed = answered(program(dialogs), command.stdin(Stdio::null()).status())?;
        match (dialogs, action) {
            (Dialogs::Zenity, Some(_)) => Ok(pressed),
            // kdialog's text box has one button: ask about the action after it.
            (Dialogs::Kdialog, Some(action)) => {
                let status = Command::new("kdialog")
                    .args(["--title", title, "--yesno", action])
                    .stdin(Stdio::null())
                    .status();
                answered("kdialog", status)
            }
            (_, None) => Ok(false),
        }
    }

    fn notify(&self, notice: Notice, open_label: &str) {
        let body = if body_markup() {
            escape_markup(&notice.body)
        } else {
            notice.body.clone()
        };
        let mut notification = Notification::new();
        notification
            .appname("VSS Token Signing")
            .summary(&notice.title)
            .body(&body)
            .icon("security-high")
            // What stays (a batch's outcome, an expired certificate, a locked PIN) ranks above
            // passing news, so servers that sort by urgency list it first.
            .urgency(if notice.persistent {
                Urgency::Normal
            } else {
                Urgency::Low
            })
            .timeout(if notice.persistent {
                Timeout::Never
            } else {
                Timeout::Milliseconds(TRAY_NOTICE_TIMEOUT.as_millis() as u32)
            });
        if notice.folder.is_some() {
            notification.action("open-folder", open_label);
        }
        match notification.show() {
            Ok(handle) => {
                if let Some(folder) = notice.folder {
                    let events = self.events.clone();
                    std::thread::spawn(move || {
                        handle.wait_for_action(|action| {
                            if action == "open-folder" {
                                let _ = events.send(Event::OpenFolder(folder));
                            }
                        })
                    });
                }
            }
            Err(err) => tracing::warn!(error = %err, "notification not shown"),
        }
    }

    fn open_folder(&self, folder: &Path) -> Result<()> {
        open_with(&self.opener, folder)
    }

    fn copy_text(&self, text: &str) -> Result<()> {
        let mut clipboard = self.clipboard.lock();
        if clipboard.is_none() {
            *clipboard = Some(arboard::Clipboard::new().map_err(|e| {
                Error::new(ErrorCode::DialogUnavailable).arg("reason", e.to_string())
            })?);
        }
        clipboard
            .as_mut()
            .map(|c| c.set_text(text.to_string()))
            .transpose()
            .map_err(|e| Error::new(ErrorCode::DialogUnavailable).arg("reason", e.to_string()))?;
        Ok(())
    }
}
