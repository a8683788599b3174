//! Windows: the consent + PIN dialog as a native window, for machines without a pinentry
//! program (every Windows machine an MSI installs to). It shows the same [`PromptRequest`] the
//! pinentry client sends: title, the consent text, a PIN box (`ES_PASSWORD`) or only a
//! confirmation for PIN-pad tokens, OK/Cancel, and closes itself at the timeout. It is owned by
//! the browser window Chrome names in `--parent-window=<hwnd>`, so it opens in front of Chrome
//! rather than behind it. The PIN is read into zeroized buffers and wiped from the edit box
//! before the window is destroyed.
//!
//! The window is built at run time (no resource script) and runs a modal message loop on the
//! calling thread: `ask` returns only when the user answered, cancelled or the timeout fired.

use std::ptr;
use std::sync::Once;

use vss_protocol::{limits, Error, ErrorCode, Result};
use windows_sys::Win32::Foundation::{HWND, LPARAM, LRESULT, RECT, WPARAM};
use windows_sys::Win32::Graphics::Gdi::{
    CreateFontIndirectW, DeleteObject, DrawTextW, GetDC, ReleaseDC, SelectObject, COLOR_BTNFACE,
    DT_CALCRECT, DT_NOPREFIX, DT_WORDBREAK, HFONT,
};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::UI::Input::KeyboardAndMouse::SetFocus;
use windows_sys::Win32::UI::WindowsAndMessaging::{
    BringWindowToTop, CreateWindowExW, DefWindowProcW, DestroyWindow, DispatchMessageW,
    GetMessageW, GetSystemMetrics, GetWindowLongPtrW, GetWindowRect, GetWindowTextLengthW,
    GetWindowTextW, IsDialogMessageW, IsWindow, KillTimer, LoadCursorW, RegisterClassExW,
    SendMessageW, SetForegroundWindow, SetTimer, SetWindowLongPtrW, SetWindowTextW, ShowWindow,
    SystemParametersInfoW, TranslateMessage, BS_DEFPUSHBUTTON, BS_PUSHBUTTON, ES_AUTOHSCROLL,
    ES_PASSWORD, GWLP_USERDATA, IDCANCEL, IDC_ARROW, IDOK, MSG, NONCLIENTMETRICSW, SM_CXSCREEN,
    SM_CYSCREEN, SPI_GETNONCLIENTMETRICS, SW_SHOW, WM_CLOSE, WM_COMMAND, WM_SETFONT, WM_TIMER,
    WNDCLASSEXW, WS_BORDER, WS_CAPTION, WS_CHILD, WS_EX_CONTROLPARENT, WS_EX_DLGMODALFRAME,
    WS_EX_TOPMOST, WS_POPUP, WS_SYSMENU, WS_TABSTOP, WS_VISIBLE,
};
use zeroize::{Zeroize, Zeroizing};

use crate::{Prompt, PromptAnswer, PromptRequest};

/// The built-in Windows dialog.
#[derive(Debug, Clone, Default)]
pub struct Win32Dialog;

impl Win32Dialog {
    pub fn new() -> Self {
        Win32Dialog
    }
}

/// Longest PIN the box accepts (PKCS#11 tokens use 4–16 characters; room to spare).
use vss_protocol::limits::MAX_PIN_CHARS;
const TIMER_ID: usize = 1;
/// From the Controls and SystemServices headers, whose windows-sys features this file does not
/// otherwise need.
const EM_LIMITTEXT: u32 = 0x00C5;
const SS_NOPREFIX: u32 = 0x0080;
const CLASS_NAME: &str = "VssTokenSigningConsent";
/// Layout in pixels (the system scales it on high-DPI screens).
const WIDTH: i32 = 480;
const MARGIN: i32 = 16;
const ROW: i32 = 26;
const BUTTON_WIDTH: i32 = 110;

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(Some(0)).collect()
}

/// How the dialog ended.
enum Outcome {
    Pin(Zeroizing<String>),
    Confirmed,
    Cancelled,
    TimedOut,
}

/// Lives on `ask`'s stack for the whole modal loop; the window finds it through GWLP_USERDATA.
struct State {
    pin_box: HWND,
    want_pin: bool,
    outcome: Option<Outcome>,
}

fn unavailable(reason: &str) -> Error {
    Error::new(ErrorCode::DialogUnavailable)
        .arg("reason", format!("Windows dialog: {reason}"))
        .cause(format!(
            "Windows dialog: {reason} ({})",
            std::io::Error::last_os_error()
        ))
}

/// `--parent-window` as Chrome passes it (decimal; `0x…` also accepted), if it is a window.
fn owner_window(parent: Option<&str>) -> HWND {
    let Some(text) = parent.map(str::trim) else {
        return ptr::null_mut();
    };
    let value = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => usize::from_str_radix(hex, 16).ok(),
        None => text.parse::<usize>().ok(),
    };
    let hwnd = value.unwrap_or(0) as HWND;
    // SAFETY: IsWindow accepts any value and only says whether it names a window.
    if !hwnd.is_null() && unsafe { IsWindow(hwnd) } != 0 {
        hwnd
    } else {
        ptr::null_mut()
    }
}

/// Reads the PIN box into zeroized memory, then overwrites and empties the box.
fn take_pin(pin_box: HWND) -> Zeroizing<String> {
    // SAFETY: `pin_box` is our edit control; the buffer is sized to the length it reports.
    unsafe {
        let len = usize::try_from(GetWindowTextLengthW(pin_box)).unwrap_or(0);
        let mut buffer = Zeroizing::new(vec![0u16; len + 1]);
        let copied = usize::try_from(GetWindowTextW(
            pin_box,
            buffer.as_mut_ptr(),
            i32::try_from(buffer.len()).unwrap_or(0),
        ))
        .unwrap_or(0);
        let pin = Zeroizing::new(String::from_utf16_lossy(&buffer[..copied.min(len)]));
        // The edit control keeps its own copy: overwrite it before emptying it.
        let mut filler = vec![u16::from(b'*'); len];
        filler.push(0);
        SetWindowTextW(pin_box, filler.as_ptr());
        filler.zeroize();
        SetWindowTextW(pin_box, [0u16].as_ptr());
        pin
    }
}

unsafe extern "system" fn window_proc(
    hwnd: HWND,
    message: u32,
    wparam: WPARAM,
    lparam: LPARAM,
) -> LRESULT {
    let state = GetWindowLongPtrW(hwnd, GWLP_USERDATA) as *mut State;
    // SAFETY: set right after creation to a `State` that outlives the window; null before.
    let Some(state) = state.as_mut() else {
        return DefWindowProcW(hwnd, message, wparam, lparam);
    };
    let finish = |state: &mut State, outcome: Outcome| {
        state.outcome = Some(outcome);
        KillTimer(hwnd, TIMER_ID);
    };
    match message {
        WM_COMMAND => {
            let id = (wparam & 0xFFFF) as i32;
            if id == IDOK {
                if state.want_pin {
                    if GetWindowTextLengthW(state.pin_box) == 0 {
                        // An empty PIN would only cost a try on the token: keep asking.
                        SetFocus(state.pin_box);
                        return 0;
                    }
                    let pin = take_pin(state.pin_box);
                    finish(state, Outcome::Pin(pin));
                } else {
                    finish(state, Outcome::Confirmed);
                }
                return 0;
            }
            if id == IDCANCEL {
                finish(state, Outcome::Cancelled);
                return 0;
            }
            DefWindowProcW(hwnd, message, wparam, lparam)
        }
        WM_TIMER if wparam == TIMER_ID => {
            finish(state, Outcome::TimedOut);
            0
        }
        WM_CLOSE => {
            finish(state, Outcome::Cancelled);
            0
        }
        _ => DefWindowProcW(hwnd, message, wparam, lparam),
    }
}

fn register_class() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        let class = wide(CLASS_NAME);
        // SAFETY: a static window procedure and a class name that lives through the call
        // (the system copies it).
        unsafe {
            let wc = WNDCLASSEXW {
                cbSize: std::mem::size_of::<WNDCLASSEXW>() as u32,
                style: 0,
                lpfnWndProc: Some(window_proc),
                cbClsExtra: 0,
                cbWndExtra: 0,
                hInstance: GetModuleHandleW(ptr::null()),
                hIcon: ptr::null_mut(),
                hCursor: LoadCursorW(ptr::null_mut(), IDC_ARROW),
                hbrBackground: (COLOR_BTNFACE + 1) as usize as _,
                lpszMenuName: ptr::null(),
                lpszClassName: class.as_ptr(),
                hIconSm: ptr::null_mut(),
            };
            // A failure shows up as CreateWindowExW failing, reported there.
            RegisterClassExW(&wc);
        }
    });
}

/// The message font of the desktop (Segoe UI on current Windows: Vietnamese diacritics render).
fn message_font() -> HFONT {
    // SAFETY: the struct is sized as the call requires.
    unsafe {
        let mut metrics: NONCLIENTMETRICSW = std::mem::zeroed();
        metrics.cbSize = std::mem::size_of::<NONCLIENTMETRICSW>() as u32;
        if SystemParametersInfoW(
            SPI_GETNONCLIENTMETRICS,
            metrics.cbSize,
            (&mut metrics as *mut NONCLIENTMETRICSW).cast(),
            0,
        ) == 0
        {
            return ptr::null_mut();
        }
        CreateFontIndirectW(&metrics.lfMessageFont)
    }
}

/// Height the description needs at the dialog's width.
fn text_height(text: &[u16], font: HFONT, width: i32) -> i32 {
    // SAFETY: a screen DC, released below; `text` is NUL-terminated.
    unsafe {
        let dc = GetDC(ptr::null_mut());
        let old = SelectObject(dc, font as _);
        let mut rect = RECT {
            left: 0,
            top: 0,
            right: width,
            bottom: 0,
        };
        DrawTextW(
            dc,
            text.as_ptr(),
            -1,
            &mut rect,
            DT_CALCRECT | DT_WORDBREAK | DT_NOPREFIX,
        );
        SelectObject(dc, old);
        ReleaseDC(ptr::null_mut(), dc);
        (rect.bottom - rect.top).clamp(ROW, 600)
    }
}

struct Control<'a> {
    class: &'a str,
    text: &'a str,
    style: u32,
    id: i32,
    rect: (i32, i32, i32, i32),
}

/// Creates a child control and gives it the dialog's font.
unsafe fn child(parent: HWND, font: HFONT, c: Control<'_>) -> HWND {
    let class = wide(c.class);
    let text = wide(c.text);
    let (x, y, w, h) = c.rect;
    let hwnd = CreateWindowExW(
        0,
        class.as_ptr(),
        text.as_ptr(),
        WS_CHILD | WS_VISIBLE | c.style,
        x,
        y,
        w,
        h,
        parent,
        c.id as isize as _,
        GetModuleHandleW(ptr::null()),
        ptr::null(),
    );
    if !hwnd.is_null() && !font.is_null() {
        SendMessageW(hwnd, WM_SETFONT, font as usize, 1);
    }
    hwnd
}

impl Prompt for Win32Dialog {
    fn ask(&self, request: &PromptRequest) -> Result<PromptAnswer> {
        register_class();
        let owner = owner_window(request.parent_window.as_deref());
        let font = message_font();
        let inner = WIDTH - 2 * MARGIN;
        // STATIC controls break lines at CR LF.
        let description = wide(
            &request
                .consent
                .render(request.lang, limits::MAX_CONSENT_BYTES)
                .replace('\n', "\r\n"),
        );
        let desc_height = text_height(&description, font, inner);
        let pin_top = MARGIN + desc_height + MARGIN;
        let buttons_top = pin_top + if request.want_pin { ROW + MARGIN } else { 0 };
        let client_height = buttons_top + ROW + MARGIN;
        // Caption and frame on top of the client area.
        let height = client_height + 40;
        let title = wide(&request.title);
        let class = wide(CLASS_NAME);
        // SAFETY: every handle below is created here and destroyed before returning; `state`
        // outlives the window that points at it.
        unsafe {
            // Centre on the browser window when there is one, else on the screen.
            let mut area = RECT {
                left: 0,
                top: 0,
                right: GetSystemMetrics(SM_CXSCREEN),
                bottom: GetSystemMetrics(SM_CYSCREEN),
            };
            if !owner.is_null() {
                GetWindowRect(owner, &mut area);
            }
            let x = area.left + ((area.right - area.left) - WIDTH).max(0) / 2;
            let y = area.top + ((area.bottom - area.top) - height).max(0) / 2;
            let hwnd = CreateWindowExW(
                WS_EX_DLGMODALFRAME | WS_EX_TOPMOST | WS_EX_CONTROLPARENT,
                class.as_ptr(),
                title.as_ptr(),
                WS_POPUP | WS_CAPTION | WS_SYSMENU,
                x,
                y,
                WIDTH,
                height,
                owner,
                ptr::null_mut(),
                GetModuleHandleW(ptr::null()),
                ptr::null(),
            );
            if hwnd.is_null() {
                if !font.is_null() {
                    DeleteObject(font as _);
                }
                return Err(unavailable("cannot create the window"));
            }
            let desc_text = String::from_utf16_lossy(&description[..description.len() - 1]);
            child(
                hwnd,
                font,
                Control {
                    class: "STATIC",
                    text: &desc_text,
                    style: SS_NOPREFIX,
                    id: 0,
                    rect: (MARGIN, MARGIN, inner, desc_height),
                },
            );
            let mut state = State {
                pin_box: ptr::null_mut(),
                want_pin: request.want_pin,
                outcome: None,
            };
            if request.want_pin {
                let label_width = 150;
                child(
                    hwnd,
                    font,
                    Control {
                        class: "STATIC",
                        text: &request.prompt,
                        style: SS_NOPREFIX,
                        id: 0,
                        rect: (MARGIN, pin_top + 4, label_width, ROW),
                    },
                );
                state.pin_box = child(
                    hwnd,
                    font,
                    Control {
                        class: "EDIT",
                        text: "",
                        style: WS_BORDER | WS_TABSTOP | (ES_PASSWORD | ES_AUTOHSCROLL) as u32,
                        id: 100,
                        rect: (MARGIN + label_width, pin_top, inner - label_width, ROW),
                    },
                );
                SendMessageW(state.pin_box, EM_LIMITTEXT, MAX_PIN_CHARS, 0);
            }
            child(
                hwnd,
                font,
                Control {
                    class: "BUTTON",
                    text: &request.ok,
                    style: WS_TABSTOP | BS_DEFPUSHBUTTON as u32,
                    id: IDOK,
                    rect: (
                        WIDTH - MARGIN - 2 * BUTTON_WIDTH - 8 - 16,
                        buttons_top,
                        BUTTON_WIDTH,
                        ROW,
                    ),
                },
            );
            child(
                hwnd,
                font,
                Control {
                    class: "BUTTON",
                    text: &request.cancel,
                    style: WS_TABSTOP | BS_PUSHBUTTON as u32,
                    id: IDCANCEL,
                    rect: (
                        WIDTH - MARGIN - BUTTON_WIDTH - 16,
                        buttons_top,
                        BUTTON_WIDTH,
                        ROW,
                    ),
                },
            );
            SetWindowLongPtrW(hwnd, GWLP_USERDATA, &mut state as *mut State as isize);
            let timeout_ms = u32::try_from(request.timeout.as_millis()).unwrap_or(u32::MAX);
            SetTimer(hwnd, TIMER_ID, timeout_ms.max(1), None);
            ShowWindow(hwnd, SW_SHOW);
            // A background process may not take the foreground; owned by Chrome's window and
            // topmost, the dialog is still in front of the browser that asked.
            SetForegroundWindow(hwnd);
            BringWindowToTop(hwnd);
            if !state.pin_box.is_null() {
                SetFocus(state.pin_box);
            }
            let mut msg: MSG = std::mem::zeroed();
            let mut broken = false;
            while state.outcome.is_none() {
                let got = GetMessageW(&mut msg, ptr::null_mut(), 0, 0);
                if got == 0 || got == -1 {
                    // WM_QUIT or a broken queue: nobody can answer this dialog.
                    broken = true;
                    break;
                }
                // Gives Tab, Enter (OK) and Esc (Cancel) their dialog meaning.
                if IsDialogMessageW(hwnd, &msg) == 0 {
                    TranslateMessage(&msg);
                    DispatchMessageW(&msg);
                }
            }
            if !state.pin_box.is_null() && state.outcome.is_none() {
                drop(take_pin(state.pin_box));
            }
            SetWindowLongPtrW(hwnd, GWLP_USERDATA, 0);
            DestroyWindow(hwnd);
            if !font.is_null() {
                DeleteObject(font as _);
            }
            match state.outcome.take() {
                Some(Outcome::Pin(pin)) => Ok(PromptAnswer::Pin(pin)),
                Some(Outcome::Confirmed) => Ok(PromptAnswer::Confirmed),
                Some(Outcome::Cancelled) => Err(Error::new(ErrorCode::UserCancelled)),
                Some(Outcome::TimedOut) => Err(crate::timed_out(request.timeout)),
                None if broken => Err(unavailable("the message loop ended")),
                None => Err(unavailable("no answer")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Run under Wine (headless) or Windows: a helper thread plays the user on the real window.

    use std::time::Duration;

    use windows_sys::Win32::UI::WindowsAndMessaging::{
        FindWindowExW, FindWindowW, PostMessageW, WM_SETTEXT,
    };

    use super::*;
    use crate::{Consent, Content, Requester, Signer};

    #[test]
    fn a_parent_window_that_is_not_a_window_is_ignored() {
        assert!(owner_window(None).is_null());
        assert!(owner_window(Some("not-a-number")).is_null());
        assert!(owner_window(Some("0")).is_null());
        assert!(owner_window(Some("0x7fff0001")).is_null());
    }

    fn request(want_pin: bool, timeout: Duration) -> PromptRequest {
        PromptRequest {
            title: "VSS Token Signing".into(),
            consent: Consent {
                requester: Requester::Web("https://gddt.baohiemxahoi.gov.vn".into()),
                signer: Signer {
                    holder: "CÔNG TY TNHH AN SINH".into(),
                    mst: Some("0312345678".into()),
                    expiry: "31/12/2027".into(),
                },
                content: Content::Hash {
                    algorithm: "SHA-256".into(),
                    fingerprint: "AB12CD34…EF567890".into(),
                },
                pin: Default::default(),
                pinpad: !want_pin,
                notices: Vec::new(),
                claim: None,
            },
            lang: vss_protocol::Lang::Vi,
            prompt: "PIN:".into(),
            ok: "Ký".into(),
            cancel: "Hủy".into(),
            timeout,
            want_pin,
            parent_window: None,
        }
    }

    /// Waits for the dialog, optionally types into its PIN box, then sends `command`.
    fn play_user(pin: Option<&'static str>, command: i32) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            let class = wide(CLASS_NAME);
            for _ in 0..500 {
                // SAFETY: plain window lookups and messages to the test's own dialog.
                unsafe {
                    let dialog = FindWindowW(class.as_ptr(), ptr::null());
                    if !dialog.is_null() {
                        if let Some(pin) = pin {
                            let edit = FindWindowExW(
                                dialog,
                                ptr::null_mut(),
                                wide("EDIT").as_ptr(),
                                ptr::null(),
                            );
                            let text = wide(pin);
                            SendMessageW(edit, WM_SETTEXT, 0, text.as_ptr() as isize);
                        }
                        PostMessageW(dialog, WM_COMMAND, command as usize, 0);
                        return;
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    }

    // One test drives the window end to end so that only one dialog exists at a time.
    #[test]
    fn the_user_types_a_pin_cancels_confirms_or_lets_it_time_out() {
        let dialog = Win32Dialog::new();
        let user = play_user(Some("123456"), IDOK);
        match dialog.ask(&request(true, Duration::from_secs(30))) {
            Ok(PromptAnswer::Pin(pin)) => assert_eq!(pin.as_str(), "123456"),
            Ok(PromptAnswer::Confirmed) => panic!("a PIN was asked for"),
            Err(e) => panic!("{:?}", e.code),
        }
        user.join().unwrap();

        let user = play_user(None, IDCANCEL);
        let err = dialog
            .ask(&request(true, Duration::from_secs(30)))
            .err()
            .expect("cancelled");
        assert_eq!(err.code, ErrorCode::UserCancelled);
        user.join().unwrap();

        let user = play_user(None, IDOK);
        assert!(matches!(
            dialog.ask(&request(false, Duration::from_secs(30))),
            Ok(PromptAnswer::Confirmed)
        ));
        user.join().unwrap();

        let err = dialog
            .ask(&request(true, Duration::from_millis(300)))
            .err()
            .expect("timed out");
        assert_eq!(err.code, ErrorCode::UserTimeout);
    }
}
