//! The parts of the desktop the tray uses, behind one interface so the jobs in [`crate::app`]
//! are the same on every OS: file and folder choosers, a question, a text window, notifications
//! (with "Mở thư mục"), opening a folder, the clipboard.
//!
//! A chooser can be any program named in config (`[tray] file_chooser`, `VSS_FILE_CHOOSER`),
//! the way the pinentry is: it is run as `PROGRAM open-files TITLE START-FOLDER` or
//! `PROGRAM choose-folder TITLE SUGGESTED-FOLDER`, prints one chosen path a line, and exits
//! non-zero when the user cancels. Tests name a scripted one; people get the system's.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use vss_protocol::{Error, ErrorCode, Result};

use crate::notices::Notice;

pub trait Desktop: Send + Sync {
    /// Several XML files; `None` when the user cancelled.
    fn choose_files(&self, title: &str, filter: &str, start: &Path)
        -> Result<Option<Vec<PathBuf>>>;
    /// One folder, starting in `suggested`; `None` when the user cancelled.
    fn choose_folder(&self, title: &str, suggested: &Path) -> Result<Option<PathBuf>>;
    /// A yes/no question with the buttons' labels.
    fn confirm(&self, title: &str, question: &str, yes: &str, no: &str) -> Result<bool>;
    /// A window showing `text`; `true` when the user pressed the `action` button.
    fn show_text(&self, title: &str, text: &str, action: Option<&str>, close: &str)
        -> Result<bool>;
    /// Shows a notification; its "Mở thư mục" action opens `notice.folder`.
    fn notify(&self, notice: Notice, open_label: &str);
    /// Opens a folder in the file manager.
    fn open_folder(&self, folder: &Path) -> Result<()>;
    /// Puts text on the clipboard.
    fn copy_text(&self, text: &str) -> Result<()>;
}

/// `dialog_unavailable` naming the program and why.
pub fn unavailable(program: &Path, why: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::DialogUnavailable).arg("reason", format!("{}: {why}", program.display()))
}

/// Runs a chooser program; its stdout lines are the chosen paths. Exit status non-zero (or
/// nothing printed) is the user cancelling.
pub fn run_chooser(program: &Path, args: &[&std::ffi::OsStr]) -> Result<Option<Vec<PathBuf>>> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| unavailable(program, e))?;
    if !output.status.success() {
        return Ok(None);
    }
    let paths: Vec<PathBuf> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.is_empty())
        .map(PathBuf::from)
        .collect();
    Ok((!paths.is_empty()).then_some(paths))
}

/// A chooser named in config.
#[derive(Debug, Clone)]
pub struct ChooserProgram(pub PathBuf);

impl ChooserProgram {
    pub fn open_files(&self, title: &str, start: &Path) -> Result<Option<Vec<PathBuf>>> {
        run_chooser(
            &self.0,
            &["open-files".as_ref(), title.as_ref(), start.as_os_str()],
        )
    }

    pub fn choose_folder(&self, title: &str, suggested: &Path) -> Result<Option<PathBuf>> {
        Ok(run_chooser(
            &self.0,
            &[
                "choose-folder".as_ref(),
                title.as_ref(),
                suggested.as_os_str(),
            ],
        )?
        .and_then(|mut paths| paths.drain(..).next()))
    }
}

/// Opens `folder` with `program` (the configured opener, `xdg-open`, `explorer.exe`) without
/// waiting for the file manager.
pub fn open_with(program: &Path, folder: &Path) -> Result<()> {
    let mut child = Command::new(program)
        .arg(folder)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| unavailable(program, e))?;
    // Reaped in the background: openers hand over to the file manager and exit.
    std::thread::spawn(move || child.wait());
    Ok(())
}
