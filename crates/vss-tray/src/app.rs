//! The tray's jobs, over the signing service: keep the readiness (and the notices its changes
//! deserve), sign dossier files ("Ký hồ sơ…"), check signed ones ("Kiểm tra chữ ký…"), show
//! the diagnostics and copy the support report ("Chẩn đoán"), open the log folder. Every
//! decision about documents, certificates, PINs and files is the core's: the batch's prechecks
//! (another unit's or a malformed file, reported before any PIN), one consent and one PIN,
//! atomic outputs that never replace the originals, verification, the redacted report.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use time::OffsetDateTime;
use vss_core::batch::precheck;
use vss_core::commands::sign_xml::{sign_options, XmlOptions};
use vss_core::commands::verify_xml::{
    configured_verify_options, file_error, report_lines, verify_document,
};
use vss_core::files::{read_input, sign_files, Destination, FileBatch, FileOutcome};
use vss_core::readiness::assess;
use vss_core::report::SupportReport;
use vss_core::{Caller, Service};
use vss_protocol::display::clean;
use vss_protocol::limits::{self, TRAY_NOTICE_MAX_FILES, TRAY_TEXT_MAX_CHARS};
use vss_protocol::messages::text;
use vss_protocol::readiness::{Level, Readiness};
use vss_protocol::{Error, ErrorCode, Lang, Result};

use crate::autostart::Autostart;
use crate::desktop::Desktop;
use crate::menu::{self, Entry, View};
use crate::notices::{expiry_notices, Notice, TokenWatch};
use crate::state::TrayState;

/// The folder beside the first dossier that signed copies go to unless the user chooses another.
pub const SIGNED_FOLDER: &str = "da-ky";

pub struct App {
    pub service: Service,
    desktop: Arc<dyn Desktop>,
    state_path: Option<PathBuf>,
    state: Mutex<TrayState>,
    readiness: Mutex<Readiness>,
    watch: Mutex<TokenWatch>,
    busy: AtomicBool,
}

/// Resets the busy flag however a job ends.
struct BusyGuard<'a>(&'a AtomicBool);

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl App {
    pub fn new(service: Service, desktop: Arc<dyn Desktop>, state_path: Option<PathBuf>) -> App {
        let state = state_path
            .as_deref()
            .map(TrayState::load)
            .unwrap_or_default();
        App {
            service,
            desktop,
            state_path,
            state: Mutex::new(state),
            readiness: Mutex::new(Readiness {
                state: Level::Problem,
                headline: String::new(),
                hint: None,
                code: None,
                findings: Vec::new(),
                tokens: Vec::new(),
            }),
            watch: Mutex::new(TokenWatch::default()),
            busy: AtomicBool::new(false),
        }
    }

    /// The menu's language choice, else the configured one.
    pub fn lang(&self) -> Lang {
        self.state.lock().lang.unwrap_or(self.service.config.lang)
    }

    pub fn set_lang(&self, lang: Lang) {
        self.state.lock().lang = Some(lang);
        self.save_state();
    }

    fn save_state(&self) {
        if let Some(path) = &self.state_path {
            if let Err(err) = self.state.lock().save(path) {
                tracing::warn!(error = %err, "tray state not saved");
            }
        }
    }

    pub fn busy(&self) -> bool {
        self.busy.load(Ordering::SeqCst)
    }

    /// The readiness last computed.
    pub fn readiness(&self) -> Readiness {
        self.readiness.lock().clone()
    }

    /// The menu as it stands.
    pub fn menu(&self, autostart: Autostart) -> Vec<Entry> {
        let readiness = self.readiness.lock();
        menu::entries(&View {
            readiness: &readiness,
            lang: self.lang(),
            autostart,
            busy: self.busy(),
        })
    }

    /// Looks at the tokens again (the modules re-initialised, unless a job is using them) and
    /// shows the notices the change deserves. Returns whether anything the menu shows changed.
    pub fn refresh(&self) -> bool {
        if !self.busy() {
            self.service.reload_modules();
        }
        let lang = self.lang();
        let now = OffsetDateTime::now_utc();
        let readiness = assess(&self.service, lang, now);
        let mut notices = self.watch.lock().changes(&readiness, lang);
        {
            let mut state = self.state.lock();
            let before = state.expiry.clone();
            notices.extend(expiry_notices(
                &readiness.tokens,
                &mut state.expiry,
                now.date(),
                lang,
            ));
            if state.expiry != before {
                drop(state);
                self.save_state();
            }
        }
        let open = text(lang, "tray-action-open-folder", &[]);
        for notice in notices {
            tracing::info!(title = %notice.title, "notice");
            self.desktop.notify(notice, &open);
        }
        let mut last = self.readiness.lock();
        let changed = *last != readiness;
        *last = readiness;
        changed
    }

    /// A second start: say where the running tray is.
    pub fn say_running(&self) {
        let lang = self.lang();
        self.notify(Notice::new(
            text(lang, "tray-title", &[]),
            text(lang, "tray-notice-running", &[]),
        ));
    }

    fn notify(&self, notice: Notice) {
        let open = text(self.lang(), "tray-action-open-folder", &[]);
        self.desktop.notify(notice, &open);
    }

    /// A job's failure as a notice (what happened and what to do).
    fn notify_error(&self, title_id: &str, err: &Error) {
        let lang = self.lang();
        let body = err.localize(lang);
        tracing::info!(code = %err.code, cause = ?err.cause, "tray job failed");
        self.notify(Notice {
            title: text(lang, title_id, &[]),
            body: format!("{}\n{}", body.message, body.hint),
            folder: None,
            persistent: true,
        });
    }

    /// "Ký hồ sơ…": choose files → what is refused, reported before any PIN → the folder →
    /// one consent and one PIN → signed copies → a notice with each file's outcome.
    pub fn sign_dossiers(&self) {
        if self.busy.swap(true, Ordering::SeqCst) {
            let lang = self.lang();
            self.notify(Notice::new(
                text(lang, "tray-title", &[]),
                text(lang, "tray-notice-busy", &[]),
            ));
            return;
        }
        let _busy = BusyGuard(&self.busy);
        if let Err(err) = self.sign_flow() {
            self.notify_error("tray-notice-failed-title", &err);
        }
    }

    fn sign_flow(&self) -> Result<()> {
        let lang = self.lang();
        let t = |id: &str| text(lang, id, &[]);
        let Some(files) =
            self.desktop
                .choose_files(&t("tray-choose-files"), &t("tray-xml-filter"), &home())?
        else {
            return Ok(());
        };
        let caller = Caller::local(crate::PROGRAM);
        let opts = sign_options(&no_options(), &caller, self.service.config.allow_sha1)?;
        let certificate = self.choose_certificate(&files)?;

        // What will not be signed, before the folder and the PIN (the batch checks again).
        let refused: Vec<(PathBuf, Error)> = files
            .iter()
            .filter_map(|file| {
                let checked = read_input(file, limits::XML_MAX_BYTES)
                    .and_then(|xml| precheck(&xml, &opts, certificate.mst.as_deref()));
                checked.err().map(|err| (file.clone(), err))
            })
            .collect();
        if !refused.is_empty() && refused.len() < files.len() {
            let lines: Vec<String> = refused
                .iter()
                .map(|(file, err)| refused_line(file, err, lang))
                .collect();
            self.notify(Notice {
                title: text(
                    lang,
                    "tray-notice-refused-title",
                    &[("count", refused.len().to_string())],
                ),
                body: capped(lines, lang),
                folder: None,
                persistent: false,
            });
        }

        let Some(folder) = self.choose_destination(&files)? else {
            return Ok(());
        };
        let existing = files
            .iter()
            .filter(|f| f.file_name().is_some_and(|n| folder.join(n).exists()))
            .count();
        let overwrite = existing > 0
            && self.desktop.confirm(
                &t("tray-title"),
                &text(
                    lang,
                    "tray-overwrite",
                    &[
                        ("count", existing.to_string()),
                        ("folder", folder.display().to_string()),
                    ],
                ),
                &t("tray-overwrite-yes"),
                &t("tray-overwrite-no"),
            )?;
        let destination = Destination::Folder(folder.clone());
        let batch = FileBatch {
            certificate: &certificate.id,
            options: &opts,
            inputs: &files,
            destination: &destination,
            overwrite,
        };
        let outcomes = sign_files(&self.service, &caller, lang, &batch, &mut |_| {})?;
        self.notify(outcome_notice(&outcomes, &folder, lang));
        Ok(())
    }

    /// The unit's certificate for these dossiers: a valid one whose MST the most files carry
    /// (so another unit's file is the one refused), else the only valid one with an MST.
    fn choose_certificate(&self, files: &[PathBuf]) -> Result<Chosen> {
        let now = OffsetDateTime::now_utc();
        let modules = self.service.modules();
        let certificates = modules.signing_certificates(now, false)?;
        let tax_codes: Vec<String> = files
            .iter()
            .filter_map(|f| read_input(f, limits::XML_MAX_BYTES).ok())
            .filter_map(|xml| vss_xml::summarize(&xml).ok())
            .filter_map(|s| s.tax_code)
            .collect();
        let best = certificates
            .iter()
            .map(|(_, record)| &record.certificate)
            .filter(|c| c.identity.mst.is_some())
            .max_by_key(|c| {
                let mst = c.identity.mst.as_deref().unwrap_or_default();
                (
                    tax_codes
                        .iter()
                        .filter(|code| vss_cert::mst_matches(mst, code))
                        .count(),
                    c.expires_in_days,
                )
            });
        match best {
            Some(c) => Ok(Chosen {
                id: c.id.clone(),
                mst: c.identity.mst.clone(),
            }),
            None => Err(match modules.tokens() {
                Ok(tokens) if tokens.is_empty() => Error::new(ErrorCode::NoToken),
                Err(err) => err,
                Ok(_) => Error::new(ErrorCode::NoCertificates),
            }),
        }
    }

    /// The folder for the signed copies: the user's choice, starting in `da-ky` beside the
    /// first file (made for the chooser, removed again if the user goes elsewhere or cancels).
    fn choose_destination(&self, files: &[PathBuf]) -> Result<Option<PathBuf>> {
        let lang = self.lang();
        let first_dir = files
            .first()
            .and_then(|f| f.parent())
            .filter(|d| !d.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(home);
        let suggested = first_dir.join(SIGNED_FOLDER);
        let made = !suggested.exists();
        std::fs::create_dir_all(&suggested).map_err(|e| file_error(&suggested, e))?;
        let chosen = self
            .desktop
            .choose_folder(&text(lang, "tray-choose-folder", &[]), &suggested);
        let keep = matches!(&chosen, Ok(Some(folder)) if same_folder(folder, &suggested));
        if made && !keep {
            let _ = std::fs::remove_dir(&suggested);
        }
        chosen
    }

    /// "Kiểm tra chữ ký…": choose signed files → one window with each file's verdict.
    pub fn verify_files(&self) {
        if let Err(err) = self.verify_flow() {
            self.notify_error("tray-verify-title", &err);
        }
    }

    fn verify_flow(&self) -> Result<()> {
        let lang = self.lang();
        let t = |id: &str| text(lang, id, &[]);
        let Some(files) =
            self.desktop
                .choose_files(&t("tray-choose-verify"), &t("tray-xml-filter"), &home())?
        else {
            return Ok(());
        };
        let report = self.verification_text(&files, lang)?;
        self.desktop
            .show_text(&t("tray-verify-title"), &report, None, &t("tray-close"))?;
        Ok(())
    }

    /// The verification window's text for `files`.
    pub fn verification_text(&self, files: &[PathBuf], lang: Lang) -> Result<String> {
        let opts = configured_verify_options(
            &self.service.config,
            &[],
            &Caller::local(crate::PROGRAM),
            lang,
        )?;
        let mut out = String::new();
        for file in files {
            let name = display_name(file);
            match read_input(file, limits::XML_MAX_BYTES)
                .and_then(|xml| verify_document(&xml, &opts))
            {
                Ok(report) => {
                    let id = if report.valid {
                        "cli-verify-ok"
                    } else {
                        "cli-verify-bad"
                    };
                    out.push_str(&text(lang, id, &[("file", name)]));
                    out.push('\n');
                    for line in report_lines(&report, lang) {
                        out.push_str("    ");
                        out.push_str(&clean(&line, TRAY_TEXT_MAX_CHARS * 2));
                        out.push('\n');
                    }
                }
                Err(err) => {
                    let body = err.localize(lang);
                    out.push_str(&text(lang, "cli-verify-bad", &[("file", name)]));
                    out.push_str(&format!("\n    {}\n    → {}\n", body.message, body.hint));
                }
            }
            out.push('\n');
        }
        Ok(out)
    }

    /// "Chẩn đoán": the checks with what to do for each; its button copies the support report.
    pub fn diagnose(&self) {
        let lang = self.lang();
        let t = |id: &str| text(lang, id, &[]);
        let body = self.diagnostics_text(lang);
        match self.desktop.show_text(
            &t("tray-diagnose-title"),
            &body,
            Some(&t("tray-diagnose-copy")),
            &t("tray-close"),
        ) {
            Ok(true) => {
                let report = SupportReport::for_this_computer(&self.service).text();
                match self.desktop.copy_text(&report) {
                    Ok(()) => self.notify(Notice::new(
                        t("tray-diagnose-title"),
                        t("tray-notice-copied"),
                    )),
                    Err(err) => self.notify_error("tray-diagnose-title", &err),
                }
            }
            Ok(false) => {}
            Err(err) => self.notify_error("tray-diagnose-title", &err),
        }
    }

    /// The diagnostics window's text: the same readiness checks as `vss doctor`.
    pub fn diagnostics_text(&self, lang: Lang) -> String {
        let readiness = assess(&self.service, lang, OffsetDateTime::now_utc());
        let mut out = format!(
            "{} — {}\n\n",
            menu::state_word(readiness.state, lang),
            clean(&readiness.headline, TRAY_TEXT_MAX_CHARS * 2)
        );
        for finding in &readiness.findings {
            out.push_str(&format!(
                "{} {}\n",
                menu::state_mark(finding.level),
                clean(&finding.message, TRAY_TEXT_MAX_CHARS * 2)
            ));
            if let Some(hint) = &finding.hint {
                let hint = clean(hint, TRAY_TEXT_MAX_CHARS * 3);
                out.push_str(&format!(
                    "    → {}\n",
                    text(lang, "tray-what-to-do", &[("hint", hint)])
                ));
            }
        }
        out
    }

    /// "Mở thư mục nhật ký".
    pub fn open_logs(&self) {
        let Some(dir) = vss_core::logging::log_dir(&self.service.config) else {
            return;
        };
        let _ = std::fs::create_dir_all(&dir);
        if let Err(err) = self.desktop.open_folder(&dir) {
            self.notify_error("tray-menu-logs", &err);
        }
    }

    /// Opens a folder a notice offered.
    pub fn open_folder(&self, folder: &Path) {
        if let Err(err) = self.desktop.open_folder(folder) {
            self.notify_error("tray-action-open-folder", &err);
        }
    }
}

/// The certificate chosen for a batch.
struct Chosen {
    id: String,
    mst: Option<String>,
}

fn no_options() -> XmlOptions<'static> {
    XmlOptions {
        parent: None,
        digest: None,
        c14n: None,
        signature_id: None,
        signing_time: None,
    }
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn same_folder(a: &Path, b: &Path) -> bool {
    a == b
        || matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
}

/// A file as a notice names it: its name, cleaned (file names are outside text).
fn display_name(file: &Path) -> String {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    clean(&name, TRAY_TEXT_MAX_CHARS)
}

fn refused_line(file: &Path, err: &Error, lang: Lang) -> String {
    text(
        lang,
        "tray-notice-file-refused",
        &[
            ("file", display_name(file)),
            (
                "reason",
                clean(&err.localize(lang).message, TRAY_TEXT_MAX_CHARS * 2),
            ),
        ],
    )
}

/// At most [`TRAY_NOTICE_MAX_FILES`] lines, then how many more.
fn capped(mut lines: Vec<String>, lang: Lang) -> String {
    if lines.len() > TRAY_NOTICE_MAX_FILES {
        let more = lines.len() - TRAY_NOTICE_MAX_FILES;
        lines.truncate(TRAY_NOTICE_MAX_FILES);
        lines.push(text(
            lang,
            "tray-notice-more",
            &[("count", more.to_string())],
        ));
    }
    lines.join("\n")
}

/// The batch's outcome: each file signed or why not, where the copies are, "Mở thư mục".
pub fn outcome_notice(outcomes: &[FileOutcome], folder: &Path, lang: Lang) -> Notice {
    let signed = outcomes.iter().filter(|o| o.result.is_ok()).count();
    let mut lines: Vec<String> = outcomes
        .iter()
        .map(|o| match &o.result {
            Ok(()) => text(
                lang,
                "tray-notice-file-signed",
                &[
                    ("file", display_name(&o.input)),
                    (
                        "form",
                        clean(o.form.as_deref().unwrap_or("XML"), TRAY_TEXT_MAX_CHARS),
                    ),
                ],
            ),
            Err(err) => refused_line(&o.input, err, lang),
        })
        .collect();
    lines = vec![capped(lines, lang)];
    if signed > 0 {
        lines.push(text(
            lang,
            "tray-notice-saved-in",
            &[(
                "folder",
                clean(&folder.display().to_string(), TRAY_TEXT_MAX_CHARS * 2),
            )],
        ));
    }
    Notice {
        title: text(
            lang,
            "tray-notice-done-title",
            &[
                ("signed", signed.to_string()),
                ("total", outcomes.len().to_string()),
            ],
        ),
        body: lines.join("\n"),
        folder: (signed > 0).then(|| folder.to_path_buf()),
        persistent: true,
    }
}
