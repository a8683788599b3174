//! Windows: a Shell_NotifyIcon tray icon on a hidden window of class `vn.vss.TokenSigning.Tray`
//! (which is also the one-instance check and how `vss-tray.exe --quit` reaches it), its menu
//! drawn from [`crate::menu`] with TrackPopupMenu, notices as the icon's balloon notifications
//! (Windows 10/11 show them as toasts; clicking the outcome's opens its folder), the system's
//! file chooser, message boxes for results. Written on `windows-sys` directly (the workspace's
//! one binding, as the Win32 consent dialog): the icon and menu are a few calls.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use vss_config::Config;
use vss_core::Service;
use vss_protocol::limits::{TRAY_INSTANCE_TIMEOUT, TRAY_POLL_INTERVAL};
use vss_protocol::readiness::Level;
use vss_protocol::{Error, ErrorCode, Result};
use windows_sys::Win32::Foundation::{HWND, LPARAM, LRESULT, POINT, WPARAM};
use windows_sys::Win32::UI::Controls::Dialogs::{
    GetOpenFileNameW, OFN_ALLOWMULTISELECT, OFN_EXPLORER, OFN_FILEMUSTEXIST, OPENFILENAMEW,
};
use windows_sys::Win32::UI::Shell::{
    Shell_NotifyIconW, NIF_ICON, NIF_INFO, NIF_MESSAGE, NIF_TIP, NIIF_INFO, NIM_ADD, NIM_DELETE,
    NIM_MODIFY, NIN_BALLOONUSERCLICK, NOTIFYICONDATAW,
};
use windows_sys::Win32::UI::WindowsAndMessaging::*;

use crate::app::App;
use crate::autostart::Autostart;
use crate::desktop::{open_with, ChooserProgram, Desktop};
use crate::menu::{Action, Entry};
use crate::notices::Notice;

const WM_TRAY: u32 = WM_APP + 1;
const WM_ACTIVATE_TRAY: u32 = WM_APP + 2;
const WM_JOB_DONE: u32 = WM_APP + 3;
const TIMER_POLL: usize = 1;

static APP: OnceLock<Arc<App>> = OnceLock::new();
static WINDOW: Mutex<isize> = Mutex::new(0);
/// The folder the last balloon offered to open.
static BALLOON_FOLDER: Mutex<Option<PathBuf>> = Mutex::new(None);
/// The menu's actions by command id (index + 1), as last shown.
static MENU_ACTIONS: Mutex<Vec<Action>> = Mutex::new(Vec::new());

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(Some(0)).collect()
}

fn copy_into(target: &mut [u16], text: &str) {
    let units: Vec<u16> = text.encode_utf16().take(target.len() - 1).collect();
    target[..units.len()].copy_from_slice(&units);
    target[units.len()] = 0;
}

fn class_name() -> Vec<u16> {
    wide(crate::INSTANCE_NAME)
}

fn running_window() -> HWND {
    let class = class_name();
    // SAFETY: a NUL-terminated class name, no window name.
    unsafe { FindWindowW(class.as_ptr(), std::ptr::null()) }
}

/// `vss-tray.exe --quit`: asks the running tray to close and waits until it has.
pub fn request_quit() -> ExitCode {
    let window = running_window();
    if window.is_null() {
        return ExitCode::SUCCESS;
    }
    // SAFETY: posting to a window handle that FindWindowW returned.
    unsafe { PostMessageW(window, WM_CLOSE, 0, 0) };
    let started = std::time::Instant::now();
    while !running_window().is_null() {
        if started.elapsed() > TRAY_INSTANCE_TIMEOUT {
            eprintln!("vss-tray: the running tray did not quit");
            return ExitCode::FAILURE;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    ExitCode::SUCCESS
}

/// The user's autostart choice (HKCU) over the machine's default.
fn autostart_state(app: &App) -> Autostart {
    let choice = vss_setup_choice();
    let installed = machine_run_entry();
    crate::autostart::decide(&app.service.config.tray, choice, installed)
}

const USER_KEY: &str = "Software\\VSS Token Signing\\Tray";
const RUN_KEY: &str = "Software\\Microsoft\\Windows\\CurrentVersion\\Run";
/// The Run value the MSI writes (HKLM) and the toggle writes for the user when none is there.
pub const RUN_VALUE: &str = "VSS Token Signing Tray";

fn read_dword(
    root: windows_sys::Win32::System::Registry::HKEY,
    key: &str,
    name: &str,
) -> Option<u32> {
    use windows_sys::Win32::System::Registry::{RegGetValueW, RRF_RT_REG_DWORD};
    let (key, name) = (wide(key), wide(name));
    let mut value: u32 = 0;
    let mut size = std::mem::size_of::<u32>() as u32;
    // SAFETY: valid strings and an out buffer of `size` bytes.
    let status = unsafe {
        RegGetValueW(
            root,
            key.as_ptr(),
            name.as_ptr(),
            RRF_RT_REG_DWORD,
            std::ptr::null_mut(),
            (&mut value as *mut u32).cast(),
            &mut size,
        )
    };
    (status == 0).then_some(value)
}

fn value_exists(root: windows_sys::Win32::System::Registry::HKEY, key: &str, name: &str) -> bool {
    use windows_sys::Win32::System::Registry::{RegGetValueW, RRF_RT_ANY};
    let (key, name) = (wide(key), wide(name));
    // SAFETY: valid strings; only the existence is asked.
    unsafe {
        RegGetValueW(
            root,
            key.as_ptr(),
            name.as_ptr(),
            RRF_RT_ANY,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        ) == 0
    }
}

fn vss_setup_choice() -> Option<bool> {
    use windows_sys::Win32::System::Registry::HKEY_CURRENT_USER;
    read_dword(HKEY_CURRENT_USER, USER_KEY, "Autostart").map(|v| v != 0)
}

fn machine_run_entry() -> bool {
    use windows_sys::Win32::System::Registry::HKEY_LOCAL_MACHINE;
    value_exists(HKEY_LOCAL_MACHINE, RUN_KEY, RUN_VALUE)
}

/// Writes the user's choice; with no machine entry, the user's own Run value starts the tray.
fn set_autostart(enabled: bool) -> std::result::Result<(), String> {
    use windows_sys::Win32::System::Registry::{
        RegCreateKeyExW, RegDeleteKeyValueW, RegSetKeyValueW, HKEY, HKEY_CURRENT_USER, KEY_WRITE,
        REG_DWORD, REG_OPTION_NON_VOLATILE, REG_SZ,
    };
    let key = wide(USER_KEY);
    let mut handle: HKEY = std::ptr::null_mut();
    // SAFETY: valid strings and out pointer; the key is closed by process exit only here
    // (a handful of bytes, once per toggle).
    let status = unsafe {
        RegCreateKeyExW(
            HKEY_CURRENT_USER,
            key.as_ptr(),
            0,
            std::ptr::null(),
            REG_OPTION_NON_VOLATILE,
            KEY_WRITE,
            std::ptr::null(),
            &mut handle,
            std::ptr::null_mut(),
        )
    };
    if status != 0 {
        return Err(format!("HKCU\\{USER_KEY}: error {status}"));
    }
    let value = u32::from(enabled);
    let name = wide("Autostart");
    // SAFETY: a DWORD of 4 bytes.
    unsafe {
        RegSetKeyValueW(
            handle,
            std::ptr::null(),
            name.as_ptr(),
            REG_DWORD,
            (&value as *const u32).cast(),
            4,
        );
        windows_sys::Win32::System::Registry::RegCloseKey(handle);
    }
    let run = wide(RUN_KEY);
    let run_value = wide(RUN_VALUE);
    if enabled && !machine_run_entry() {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let command = wide(&format!("\"{}\" --autostart", exe.display()));
        // SAFETY: a NUL-terminated string of the given size in bytes.
        unsafe {
            RegSetKeyValueW(
                HKEY_CURRENT_USER,
                run.as_ptr(),
                run_value.as_ptr(),
                REG_SZ,
                command.as_ptr().cast(),
                (command.len() * 2) as u32,
            )
        };
    } else if !enabled {
        // SAFETY: valid strings.
        unsafe { RegDeleteKeyValueW(HKEY_CURRENT_USER, run.as_ptr(), run_value.as_ptr()) };
    }
    Ok(())
}

/// Runs the tray until it is asked to quit.
pub fn run(config: Config, autostarted: bool) -> ExitCode {
    let existing = running_window();
    if !existing.is_null() {
        // SAFETY: posting to a window handle that FindWindowW returned.
        unsafe { PostMessageW(existing, WM_ACTIVATE_TRAY, 0, 0) };
        return ExitCode::SUCCESS;
    }
    let desktop = Arc::new(WindowsDesktop::new(&config));
    let app = Arc::new(App::new(
        Service::new(config),
        desktop,
        crate::state::path(),
    ));
    if autostarted && !autostart_state(&app).enabled {
        tracing::info!("autostart is off: not starting");
        return ExitCode::SUCCESS;
    }
    let _ = APP.set(app.clone());
    let class = class_name();
    // SAFETY: standard window class registration and creation of a message-only style hidden
    // window; every pointer is valid for the call.
    let window = unsafe {
        let instance =
            windows_sys::Win32::System::LibraryLoader::GetModuleHandleW(std::ptr::null());
        let wc = WNDCLASSW {
            lpfnWndProc: Some(window_proc),
            hInstance: instance,
            lpszClassName: class.as_ptr(),
            ..std::mem::zeroed()
        };
        RegisterClassW(&wc);
        CreateWindowExW(
            0,
            class.as_ptr(),
            class.as_ptr(),
            0,
            0,
            0,
            0,
            0,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            instance,
            std::ptr::null(),
        )
    };
    if window.is_null() {
        eprintln!("vss-tray: no window");
        return ExitCode::FAILURE;
    }
    *WINDOW.lock() = window as isize;
    app.refresh();
    icon(window, NIM_ADD, &app);
    // Logged once the window is there: from now on `--quit` reaches it.
    let config = &app.service.config;
    tracing::info!(
        machine_config = ?config.sources.machine,
        user_config = ?config.sources.user,
        lang = config.lang.code(),
        "vss-tray started"
    );
    // SAFETY: a timer on our own window; the message loop below runs until WM_QUIT.
    unsafe {
        SetTimer(
            window,
            TIMER_POLL,
            TRAY_POLL_INTERVAL.as_millis() as u32,
            None,
        );
        let mut message: MSG = std::mem::zeroed();
        while GetMessageW(&mut message, std::ptr::null_mut(), 0, 0) > 0 {
            TranslateMessage(&message);
            DispatchMessageW(&message);
        }
    }
    tracing::info!("vss-tray quits");
    ExitCode::SUCCESS
}

fn level_icon(level: Level) -> windows_sys::Win32::UI::WindowsAndMessaging::HICON {
    let id = match level {
        Level::Ready => IDI_INFORMATION,
        Level::Attention => IDI_WARNING,
        Level::Problem => IDI_ERROR,
    };
    // SAFETY: a system icon.
    unsafe { LoadIconW(std::ptr::null_mut(), id) }
}

fn notify_data(window: HWND) -> NOTIFYICONDATAW {
    // SAFETY: a plain C struct, zero is its empty value.
    let mut data: NOTIFYICONDATAW = unsafe { std::mem::zeroed() };
    data.cbSize = std::mem::size_of::<NOTIFYICONDATAW>() as u32;
    data.hWnd = window;
    data.uID = 1;
    data
}

/// Adds or updates the icon: the state's icon and the status line as its tip.
fn icon(window: HWND, how: u32, app: &App) {
    let readiness = app.readiness();
    let mut data = notify_data(window);
    data.uFlags = NIF_ICON | NIF_MESSAGE | NIF_TIP;
    data.uCallbackMessage = WM_TRAY;
    data.hIcon = level_icon(readiness.state);
    copy_into(&mut data.szTip, &crate::menu::status_line(&readiness));
    // SAFETY: a filled NOTIFYICONDATAW for our window.
    unsafe { Shell_NotifyIconW(how, &data) };
}

fn append(menu: HMENU, entries: &[Entry], actions: &mut Vec<Action>) {
    for entry in entries {
        // SAFETY: menu handles from CreatePopupMenu; labels NUL-terminated.
        unsafe {
            match entry {
                Entry::Separator => {
                    AppendMenuW(menu, MF_SEPARATOR, 0, std::ptr::null());
                }
                Entry::Info(label) => {
                    AppendMenuW(menu, MF_STRING | MF_GRAYED, 0, wide(label).as_ptr());
                }
                Entry::Item {
                    label,
                    action,
                    enabled,
                }
                | Entry::Check {
                    label,
                    action,
                    enabled,
                    ..
                } => {
                    actions.push(*action);
                    let mut flags = MF_STRING;
                    if !enabled {
                        flags |= MF_GRAYED;
                    }
                    if matches!(entry, Entry::Check { checked: true, .. }) {
                        flags |= MF_CHECKED;
                    }
                    AppendMenuW(menu, flags, actions.len(), wide(label).as_ptr());
                }
                Entry::Submenu { label, children } => {
                    let sub = CreatePopupMenu();
                    append(sub, children, actions);
                    AppendMenuW(menu, MF_POPUP, sub as usize, wide(label).as_ptr());
                }
            }
        }
    }
}

fn show_menu(window: HWND, app: &App) {
    let mut actions = Vec::new();
    // SAFETY: a popup menu shown at the cursor on our window, destroyed after.
    let chosen = unsafe {
        let menu = CreatePopupMenu();
        append(menu, &app.menu(autostart_state(app)), &mut actions);
        let mut point = POINT { x: 0, y: 0 };
        GetCursorPos(&mut point);
        SetForegroundWindow(window);
        let chosen = TrackPopupMenu(
            menu,
            TPM_RETURNCMD | TPM_RIGHTBUTTON,
            point.x,
            point.y,
            0,
            window,
            std::ptr::null(),
        );
        DestroyMenu(menu);
        chosen
    };
    *MENU_ACTIONS.lock() = actions.clone();
    if chosen > 0 {
        if let Some(action) = actions.get(chosen as usize - 1) {
            dispatch(window, app, *action);
        }
    }
}

fn dispatch(window: HWND, app: &App, action: Action) {
    let job = |f: fn(&App)| {
        let app = APP.get().cloned();
        let window = window as isize;
        std::thread::spawn(move || {
            if let Some(app) = app {
                f(&app);
            }
            // SAFETY: posting to our own window.
            unsafe { PostMessageW(window as HWND, WM_JOB_DONE, 0, 0) };
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
            let now = autostart_state(app);
            if !now.locked {
                if let Err(err) = set_autostart(!now.enabled) {
                    tracing::warn!(error = %err, "autostart not written");
                }
            }
        }
        // SAFETY: closing our own window ends the loop.
        Action::Quit => unsafe {
            DestroyWindow(window);
        },
    }
}

unsafe extern "system" fn window_proc(
    window: HWND,
    message: u32,
    wparam: WPARAM,
    lparam: LPARAM,
) -> LRESULT {
    let Some(app) = APP.get() else {
        return DefWindowProcW(window, message, wparam, lparam);
    };
    match message {
        WM_TRAY => {
            let event = (lparam & 0xffff) as u32;
            if event == WM_RBUTTONUP || event == WM_LBUTTONUP {
                show_menu(window, app);
            } else if event == NIN_BALLOONUSERCLICK {
                if let Some(folder) = BALLOON_FOLDER.lock().take() {
                    app.open_folder(&folder);
                }
            }
            0
        }
        WM_TIMER => {
            if app.refresh() {
                icon(window, NIM_MODIFY, app);
            }
            0
        }
        WM_JOB_DONE => {
            app.refresh();
            icon(window, NIM_MODIFY, app);
            0
        }
        WM_ACTIVATE_TRAY => {
            app.say_running();
            0
        }
        WM_CLOSE => {
            DestroyWindow(window);
            0
        }
        WM_DESTROY => {
            let data = notify_data(window);
            Shell_NotifyIconW(NIM_DELETE, &data);
            PostQuitMessage(0);
            0
        }
        _ => DefWindowProcW(window, message, wparam, lparam),
    }
}

/// The Windows desktop: the configured chooser or the system's, message boxes, balloons.
pub struct WindowsDesktop {
    chooser: Option<ChooserProgram>,
    opener: PathBuf,
}

impl WindowsDesktop {
    pub fn new(config: &Config) -> WindowsDesktop {
        WindowsDesktop {
            chooser: config.tray.file_chooser.clone().map(ChooserProgram),
            opener: config
                .tray
                .folder_opener
                .clone()
                .unwrap_or_else(|| PathBuf::from("explorer.exe")),
        }
    }
}

fn message_box(title: &str, text: &str, style: MESSAGEBOX_STYLE) -> MESSAGEBOX_RESULT {
    let (title, text) = (wide(title), wide(text));
    // SAFETY: NUL-terminated strings; no owner window.
    unsafe {
        MessageBoxW(
            std::ptr::null_mut(),
            text.as_ptr(),
            title.as_ptr(),
            style | MB_SETFOREGROUND,
        )
    }
}

impl Desktop for WindowsDesktop {
    fn choose_files(
        &self,
        title: &str,
        filter: &str,
        start: &Path,
    ) -> Result<Option<Vec<PathBuf>>> {
        if let Some(chooser) = &self.chooser {
            return chooser.open_files(title, start);
        }
        let mut buffer = vec![0u16; 32 * 1024];
        let filter: Vec<u16> = format!("{filter} (*.xml)\0*.xml\0\0")
            .encode_utf16()
            .collect();
        let (title, start) = (wide(title), wide(&start.display().to_string()));
        // SAFETY: a zeroed OPENFILENAMEW filled with valid buffers for the call's duration.
        let ok = unsafe {
            let mut ofn: OPENFILENAMEW = std::mem::zeroed();
            ofn.lStructSize = std::mem::size_of::<OPENFILENAMEW>() as u32;
            ofn.lpstrFilter = filter.as_ptr();
            ofn.lpstrFile = buffer.as_mut_ptr();
            ofn.nMaxFile = buffer.len() as u32;
            ofn.lpstrTitle = title.as_ptr();
            ofn.lpstrInitialDir = start.as_ptr();
            ofn.Flags = OFN_ALLOWMULTISELECT | OFN_EXPLORER | OFN_FILEMUSTEXIST;
            GetOpenFileNameW(&mut ofn)
        };
        if ok == 0 {
            return Ok(None);
        }
        // One file: its path. Several: the folder, then each name, NUL-separated.
        let parts: Vec<String> = buffer
            .split(|c| *c == 0)
            .take_while(|p| !p.is_empty())
            .map(String::from_utf16_lossy)
            .collect();
        Ok(match parts.as_slice() {
            [] => None,
            [one] => Some(vec![PathBuf::from(one)]),
            [dir, names @ ..] => Some(names.iter().map(|n| Path::new(dir).join(n)).collect()),
        })
    }

    fn choose_folder(&self, title: &str, suggested: &Path) -> Result<Option<PathBuf>> {
        match &self.chooser {
            Some(chooser) => chooser.choose_folder(title, suggested),
            // The suggested folder (`da-ky` beside the files); the outcome names it.
            None => Ok(Some(suggested.to_path_buf())),
        }
    }

    fn confirm(&self, title: &str, question: &str, _yes: &str, _no: &str) -> Result<bool> {
        Ok(message_box(title, question, MB_YESNO | MB_ICONQUESTION) == IDYES)
    }

    fn show_text(
        &self,
        title: &str,
        text: &str,
        action: Option<&str>,
        _close: &str,
    ) -> Result<bool> {
        match action {
            Some(action) => {
                let text = format!("{text}\n\n{action}?");
                Ok(message_box(title, &text, MB_YESNO | MB_ICONINFORMATION) == IDYES)
            }
            None => {
                message_box(title, text, MB_OK | MB_ICONINFORMATION);
                Ok(false)
            }
        }
    }

    fn notify(&self, notice: Notice, _open_label: &str) {
        let window = *WINDOW.lock() as HWND;
        if window.is_null() {
            return;
        }
        *BALLOON_FOLDER.lock() = notice.folder.clone();
        let mut data = notify_data(window);
        data.uFlags = NIF_INFO;
        data.dwInfoFlags = NIIF_INFO;
        copy_into(&mut data.szInfoTitle, &notice.title);
        copy_into(&mut data.szInfo, &notice.body);
        // SAFETY: a filled NOTIFYICONDATAW for our window's icon.
        unsafe { Shell_NotifyIconW(NIM_MODIFY, &data) };
    }

    fn open_folder(&self, folder: &Path) -> Result<()> {
        open_with(&self.opener, folder)
    }

    fn copy_text(&self, text: &str) -> Result<()> {
        arboard::Clipboard::new()
            .and_then(|mut c| c.set_text(text.to_string()))
            .map_err(|e| Error::new(ErrorCode::DialogUnavailable).arg("reason", e.to_string()))
    }
}
