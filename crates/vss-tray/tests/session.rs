//! The tray in a real desktop session, driven over D-Bus as a panel and a person would: this
//! test is the StatusNotifierWatcher and host (it reads the item's properties and its menu
//! over `com.canonical.dbusmenu` and clicks items with `Event`), the notification server is
//! Debian's dunst (read back with `dunstctl`), tokens are SoftHSM2, the dialog is the scripted
//! pinentry, the file chooser is a scripted program named in `VSS_FILE_CHOOSER` (only the
//! person is scripted), windows are real zenity windows under Xvfb, screenshotted.
//!
//! The session (Xvfb, a private `dbus-daemon`, dunst on that display and bus) is made by
//! `tests/tray/run.sh`, which runs these tests one at a time; without it they are ignored.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use vss_testkit::fixture::{bin, repo_root, scripted_pinentry, Fixture};
use zbus::blocking::{connection, Connection, Proxy};
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value as ZValue};

const WATCHER: &str = "org.kde.StatusNotifierWatcher";
const SESSION: &str = "needs the desktop session of tests/tray/run.sh";
/// Longer than the tray's polling interval with room for a loaded machine.
const WAIT: Duration = Duration::from_secs(30);

// ---- The panel: a StatusNotifierWatcher that is also the host ----------------------------

#[derive(Default)]
struct Registered(Mutex<Vec<String>>);

struct Watcher {
    items: Arc<Registered>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(
        &self,
        service: &str,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        // An item registers by bus name (ksni) or by object path (then its sender is the name).
        let name = if service.starts_with('/') {
            header.sender().map(|s| s.to_string()).unwrap_or_default()
        } else {
            service.to_string()
        };
        self.items.0.lock().unwrap().push(name);
    }

    fn register_status_notifier_host(&self, _service: &str) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.0.lock().unwrap().clone()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

struct Panel {
    connection: Connection,
    items: Arc<Registered>,
}

impl Panel {
    fn start() -> Panel {
        let items = Arc::new(Registered::default());
        let connection = connection::Builder::session()
            .expect("session bus (run tests/tray/run.sh)")
            .name(WATCHER)
            .unwrap()
            .serve_at(
                "/StatusNotifierWatcher",
                Watcher {
                    items: items.clone(),
                },
            )
            .unwrap()
            .build()
            .expect("the watcher takes its name");
        Panel { connection, items }
    }

    /// The bus name of the item that registered, waiting for it.
    fn wait_item(&self) -> String {
        wait_for("the tray registers with the watcher", || {
            self.items.0.lock().unwrap().last().cloned()
        })
    }

    fn item(&self, name: &str) -> Proxy<'_> {
        Proxy::new(
            &self.connection,
            name.to_string(),
            "/StatusNotifierItem",
            "org.kde.StatusNotifierItem",
        )
        .unwrap()
    }

    fn property<T>(&self, name: &str, property: &str) -> T
    where
        T: TryFrom<OwnedValue>,
        T::Error: Into<zbus::Error>,
    {
        self.item(name).get_property::<T>(property).unwrap()
    }

    fn menu(&self, name: &str) -> Proxy<'_> {
        let path: OwnedObjectPath = self.property(name, "Menu");
        Proxy::new(
            &self.connection,
            name.to_string(),
            path,
            "com.canonical.dbusmenu",
        )
        .unwrap()
    }

    /// The menu as a panel reads it: every item (depth first) with its id, label, enabled
    /// and toggle state.
    fn layout(&self, name: &str) -> Vec<MenuLine> {
        let menu = self.menu(name);
        let (_revision, root): (u32, MenuNode) = menu
            .call("GetLayout", &(0i32, -1i32, Vec::<String>::new()))
            .expect("GetLayout");
        let mut out = Vec::new();
        flatten(&root.2, &mut out);
        out
    }

    /// Clicks the item labelled `label` (an `Event` "clicked", as a panel sends).
    fn click(&self, name: &str, label: &str) {
        let line = self
            .layout(name)
            .into_iter()
            .find(|l| l.label == label)
            .unwrap_or_else(|| panic!("no menu item {label}"));
        assert!(line.enabled, "{label} is disabled");
        let menu = self.menu(name);
        let _: () = menu
            .call("Event", &(line.id, "clicked", ZValue::from(0i32), 0u32))
            .expect("Event");
    }

    fn labels(&self, name: &str) -> Vec<String> {
        self.layout(name).into_iter().map(|l| l.label).collect()
    }
}

/// A dbusmenu layout node: id, properties, children.
type MenuNode = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

#[derive(Debug, Clone)]
struct MenuLine {
    id: i32,
    label: String,
    enabled: bool,
    toggled: Option<bool>,
}

fn flatten(children: &[OwnedValue], out: &mut Vec<MenuLine>) {
    for child in children {
        let value: ZValue<'_> = child.try_clone().unwrap().into();
        let value = match value {
            ZValue::Value(inner) => *inner,
            other => other,
        };
        let (id, props, grandchildren): MenuNode = value.try_into().expect("a dbusmenu item");
        let label = props
            .get("label")
            .and_then(|v| String::try_from(v.try_clone().unwrap()).ok())
            .unwrap_or_default();
        let enabled = props
            .get("enabled")
            .and_then(|v| bool::try_from(v.try_clone().unwrap()).ok())
            .unwrap_or(true);
        let toggled = props
            .get("toggle-state")
            .and_then(|v| i32::try_from(v.try_clone().unwrap()).ok())
            .map(|s| s == 1);
        out.push(MenuLine {
            id,
            label,
            enabled,
            toggled,
        });
        flatten(&grandchildren, out);
    }
}

// ---- The desktop: the person's scripted parts, dunst, screenshots --------------------------

fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(value) = f() {
            return value;
        }
        assert!(started.elapsed() < WAIT, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A notification as dunst keeps it.
#[derive(Debug, Clone)]
struct Shown {
    summary: String,
    body: String,
}

/// Ids of the notifications dunst holds that came before the last [`clear_notifications`]
/// (dunst 1.9 has no way to clear its history).
static OLD: Mutex<Vec<i64>> = Mutex::new(Vec::new());

/// Everything in dunst's history (closing the ones on screen moves them there).
fn history() -> Vec<(i64, Shown)> {
    run("dunstctl", &["close-all"]);
    std::thread::sleep(Duration::from_millis(200));
    let history: Value = serde_json::from_str(&run("dunstctl", &["history"])).expect("history");
    let field = |n: &Value, k: &str| n[k]["data"].as_str().unwrap_or_default().to_string();
    history["data"][0]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|n| field(n, "appname") == "VSS Token Signing")
        .map(|n| {
            (
                n["id"]["data"].as_i64().unwrap_or_default(),
                Shown {
                    summary: field(n, "summary"),
                    body: field(n, "body"),
                },
            )
        })
        .collect()
}

/// Every notification of the tray dunst got since the last [`clear_notifications`].
fn notifications() -> Vec<Shown> {
    let old = OLD.lock().unwrap().clone();
    history()
        .into_iter()
        .filter(|(id, _)| !old.contains(id))
        .map(|(_, shown)| shown)
        .collect()
}

fn clear_notifications() {
    let ids: Vec<i64> = history().into_iter().map(|(id, _)| id).collect();
    *OLD.lock().unwrap() = ids;
}

fn wait_notification(what: &str, f: impl Fn(&Shown) -> bool) -> Shown {
    wait_for(what, || notifications().into_iter().find(|n| f(n)))
}

fn screenshots_dir() -> PathBuf {
    let dir = repo_root().join("target/tray-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Waits for a window titled `title`, screenshots the screen into `name`, closes the window.
fn screenshot_window(title: &str, name: &str) -> PathBuf {
    let window = wait_for(&format!("window {title}"), || {
        let found = run("xdotool", &["search", "--name", title]);
        found.lines().next().map(str::to_string)
    });
    // Let GTK draw it.
    std::thread::sleep(Duration::from_millis(1500));
    let path = screenshots_dir().join(name);
    let status = Command::new("import")
        .args(["-window", "root"])
        .arg(&path)
        .status()
        .expect("import (imagemagick)");
    assert!(status.success());
    assert!(
        std::fs::metadata(&path).unwrap().len() > 10_000,
        "a real picture"
    );
    let _ = window;
    path
}

/// Presses a key in the window titled `title`, as a person would after clicking into it (no
/// window manager runs under Xvfb: the input focus is set directly).
fn key_in_window(title: &str, key: &str) {
    let window = run("xdotool", &["search", "--onlyvisible", "--name", title]);
    let window = window.lines().last().expect("window").to_string();
    run("xdotool", &["windowfocus", "--sync", &window]);
    std::thread::sleep(Duration::from_millis(200));
    run("xdotool", &["key", key]);
}

fn window_gone(title: &str) {
    wait_for(&format!("window {title} closes"), || {
        run("xdotool", &["search", "--onlyvisible", "--name", title])
            .trim()
            .is_empty()
            .then_some(())
    });
}

// ---- The tray under test --------------------------------------------------------------------

struct Tray {
    child: Child,
    dir: PathBuf,
}

impl Tray {
    /// Starts `vss-tray` on the fixture's tokens with the scripted chooser, opener and pinentry.
    fn start(f: &Fixture) -> Tray {
        Tray::start_binary(f, &bin("vss-tray"))
    }

    /// Starts `vss-tray` with no chooser named in config: the desktop's own (zenity) opens.
    fn start_with_real_chooser(f: &Fixture) -> Tray {
        Tray::launch(f, &bin("vss-tray"), false)
    }

    /// Starts this build of `vss-tray` (the idle benchmark runs the release build).
    fn start_binary(f: &Fixture, binary: &Path) -> Tray {
        Tray::launch(f, binary, true)
    }

    fn launch(f: &Fixture, binary: &Path, scripted_chooser: bool) -> Tray {
        let dir = f.dir.join("tray");
        std::fs::create_dir_all(&dir).unwrap();
        let chooser = dir.join("chooser");
        std::fs::write(
            &chooser,
            "#!/bin/sh\n# The person at the file chooser: picks the files listed in $TRAY_FILES, and\n# takes the folder the tray suggests.\nprintf '%s\\n' \"$*\" >> \"$TRAY_DIR/chooser.log\"\ncase \"$1\" in\n  open-files) cat \"$TRAY_DIR/files\" ;;\n  choose-folder) printf '%s\\n' \"$3\" ;;\nesac\n",
        )
        .unwrap();
        let opener = dir.join("opener");
        std::fs::write(
            &opener,
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> \"$TRAY_DIR/opened.log\"\n",
        )
        .unwrap();
        // The dialog, as the scripted pinentry, noting how many notices were on screen when
        // it opened (the refusals must come before the PIN).
        let pinentry = dir.join("pinentry");
        std::fs::write(
            &pinentry,
            format!(
                "#!/bin/sh\ndunstctl count displayed >> \"$TRAY_DIR/displayed-at-pin\" 2>&1\nexec '{}'\n",
                scripted_pinentry().display()
            ),
        )
        .unwrap();
        for program in [&chooser, &opener, &pinentry] {
            make_executable(program);
        }
        let mut command = Command::new(binary);
        command.env_remove("VSS_LANG").envs(f.env());
        if scripted_chooser {
            command.env("VSS_FILE_CHOOSER", &chooser);
        } else {
            command.env_remove("VSS_FILE_CHOOSER");
        }
        let child = command
            .env("VSS_FOLDER_OPENER", &opener)
            .env("VSS_PINENTRY", &pinentry)
            .env("VSS_MACHINE_CONFIG", dir.join("no-machine-config.toml"))
            .env("XDG_CONFIG_DIRS", dir.join("xdg"))
            .env("TRAY_DIR", &dir)
            .env("LANG", "C.UTF-8")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("vss-tray starts");
        Tray { child, dir }
    }

    fn choose(&self, files: &[PathBuf]) {
        let list: String = files.iter().map(|f| format!("{}\n", f.display())).collect();
        std::fs::write(self.dir.join("files"), list).unwrap();
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }

    fn quit(mut self, f: &Fixture) {
        let status = f
            .command("vss-tray")
            .arg("--quit")
            .status()
            .expect("vss-tray --quit");
        assert!(status.success());
        let exited = wait_for("the tray quits when asked", || {
            self.child.try_wait().unwrap()
        });
        assert!(exited.success(), "the tray exits cleanly: {exited:?}");
    }
}

impl Drop for Tray {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The corpus forms as dossiers of the test unit (MST 0312345678-001).
fn dossiers(dir: &Path, names: &[&str]) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    names
        .iter()
        .map(|name| {
            let text =
                std::fs::read_to_string(repo_root().join("tests/xml-corpus").join(name)).unwrap();
            let path = dir.join(name);
            let text = text
                .replace("0101234567", "0312345678-001")
                .replace("0109876543", "0312345678-001");
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

fn xmlsec1_accepts(ca: &Path, file: &Path) -> bool {
    Command::new("xmlsec1")
        .args(["--verify", "--trusted-pem"])
        .arg(ca)
        .arg(file)
        .output()
        .expect("xmlsec1")
        .status
        .success()
}

// ---- The stories -----------------------------------------------------------------------------

#[test]
#[ignore = "needs the desktop session of tests/tray/run.sh"]
fn the_panel_sees_the_tray_with_its_state_tokens_and_menu_in_both_languages() {
    let _ = SESSION;
    clear_notifications();
    let f = Fixture::new("an-sinh");
    let panel = Panel::start();
    let tray = Tray::start(&f);
    let item = panel.wait_item();

    // Ready: one valid unit certificate (the expired one beside it is only "attention"...
    // which the readiness decides; the icon follows it).
    let status: String = panel.property(&item, "Status");
    let icon: String = panel.property(&item, "IconName");
    assert!(
        ["Active", "NeedsAttention"].contains(&status.as_str()),
        "{status}"
    );
    assert!(icon.starts_with("security-"), "{icon}");

    let labels = wait_for("the menu lists the token", || {
        let labels = panel.labels(&item);
        labels
            .iter()
            .any(|l| l.starts_with("Token VSS TEST 1 AN SINH"))
            .then_some(labels)
    });
    let joined = labels.join("\n");
    assert!(
        labels
            .iter()
            .any(|l| l.contains("CÔNG TY TNHH PHẦN MỀM AN SINH")
                && l.contains("MST 0312345678-001")
                && l.contains("còn ")),
        "holder, MST and days left:\n{joined}"
    );
    for item_label in [
        "Ký hồ sơ…",
        "Kiểm tra chữ ký…",
        "Chẩn đoán",
        "Mở thư mục nhật ký",
        "Ngôn ngữ / Language",
        "Khởi động cùng máy tính",
        "Thoát",
    ] {
        assert!(
            labels.iter().any(|l| l == item_label),
            "{item_label}:\n{joined}"
        );
    }

    // English, from the language submenu.
    panel.click(&item, "English");
    let english = wait_for("the menu turns English", || {
        let labels = panel.labels(&item);
        labels
            .iter()
            .any(|l| l == "Sign dossiers…")
            .then_some(labels)
    });
    for label in [
        "Check signatures…",
        "Diagnostics",
        "Start with the computer",
        "Quit",
    ] {
        assert!(english.iter().any(|l| l == label), "{label}");
    }
    assert!(english
        .iter()
        .any(|l| l.contains("MST 0312345678-001") && l.contains("days left")));

    // The autostart toggle writes the user's own XDG entry.
    let before = panel
        .layout(&item)
        .into_iter()
        .find(|l| l.label == "Start with the computer")
        .and_then(|l| l.toggled);
    assert_eq!(before, Some(false), "no installed entry: off");
    panel.click(&item, "Start with the computer");
    let entry = f.dir.join("home/.config/autostart/vss-tray.desktop");
    let text = wait_for("the autostart entry is written", || {
        std::fs::read_to_string(&entry).ok()
    });
    assert!(
        text.contains("Exec=") && text.contains("--autostart") && text.contains("Hidden=false")
    );
    wait_for("the toggle shows on", || {
        panel
            .layout(&item)
            .into_iter()
            .find(|l| l.label == "Start with the computer")
            .and_then(|l| l.toggled)
            .filter(|t| *t)
    });

    // One instance per session: a second start ends at once and says the tray runs.
    let second = f
        .command("vss-tray")
        .env("XDG_CONFIG_DIRS", tray.dir.join("xdg"))
        .output()
        .expect("second start");
    assert!(second.status.success());
    wait_notification("the running tray says it runs", |n| {
        n.body.contains("is running") || n.body.contains("đang chạy")
    });
    assert_eq!(panel.items.0.lock().unwrap().len(), 1, "one item only");

    tray.quit(&f);
}

#[test]
#[ignore = "needs the desktop session of tests/tray/run.sh"]
fn signing_dossiers_from_the_menu_one_pin_signed_copies_and_a_notice_per_file() {
    clear_notifications();
    let f = Fixture::new("an-sinh");
    let inputs_dir = f.dir.join("ho-so");
    let mut files = dossiers(&inputs_dir, &["tk1-ts.xml", "d02-ts.xml"]);
    let malformed = inputs_dir.join("hong.xml");
    std::fs::write(&malformed, "<TK1-TS><ThongTinChung>").unwrap();
    let other_unit = inputs_dir.join("don-vi-khac.xml");
    std::fs::write(
        &other_unit,
        std::fs::read_to_string(repo_root().join("tests/xml-corpus/tk1-ts.xml")).unwrap(),
    )
    .unwrap();
    files.push(malformed.clone());
    files.push(other_unit.clone());
    let before: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();

    let panel = Panel::start();
    let tray = Tray::start(&f);
    let item = panel.wait_item();
    tray.choose(&files);
    wait_for("the menu is ready", || {
        panel
            .labels(&item)
            .iter()
            .any(|l| l.starts_with("Token "))
            .then_some(())
    });
    clear_notifications();
    panel.click(&item, "Ký hồ sơ…");

    // Nothing touches the notices on screen until the copies are there (the PIN dialog checks
    // that the refusals were shown before it).
    let out_dir = inputs_dir.join("da-ky");
    wait_for("both copies signed", || {
        (out_dir.join("tk1-ts.xml").exists() && out_dir.join("d02-ts.xml").exists()).then_some(())
    });
    let done = wait_notification("the batch's outcome", |n| n.summary.starts_with("Đã ký "));
    assert_eq!(done.summary, "Đã ký 2/4 hồ sơ", "{done:?}");
    for name in ["tk1-ts.xml", "d02-ts.xml"] {
        assert!(done.body.contains(&format!("✓ {name}")), "{}", done.body);
        let output = out_dir.join(name);
        assert!(
            xmlsec1_accepts(&f.dir.join("ca.pem"), &output),
            "xmlsec1 accepts {}",
            output.display()
        );
    }
    assert!(done.body.contains("✗ hong.xml"), "{}", done.body);
    assert!(done.body.contains("✗ don-vi-khac.xml"), "{}", done.body);
    assert!(
        done.body.contains("0101234567"),
        "another unit's MST named: {}",
        done.body
    );
    assert!(done.body.contains(&out_dir.display().to_string()));
    assert!(!out_dir.join("hong.xml").exists() && !out_dir.join("don-vi-khac.xml").exists());
    for (file, bytes) in files.iter().zip(&before) {
        assert_eq!(
            &std::fs::read(file).unwrap(),
            bytes,
            "{} unchanged",
            file.display()
        );
    }

    // Before the PIN: the refusals were already on screen, by name.
    let shown = notifications();
    let refused = shown
        .iter()
        .find(|n| n.summary == "2 tệp sẽ không được ký")
        .unwrap_or_else(|| panic!("refusal notice: {shown:?}"));
    assert!(refused.body.contains("hong.xml") && refused.body.contains("don-vi-khac.xml"));
    let at_pin = tray.log("displayed-at-pin");
    assert!(
        at_pin
            .lines()
            .next()
            .and_then(|l| l.trim().parse::<u32>().ok())
            .is_some_and(|n| n >= 1),
        "a notice was on screen when the PIN dialog opened: {at_pin:?}"
    );

    // One dialog, one PIN, listing both files.
    let dialogs = f.dialogs();
    assert_eq!(dialogs.matches("COMMAND GETPIN").count(), 1, "{dialogs}");
    assert!(
        dialogs.contains("tk1-ts.xml") && dialogs.contains("d02-ts.xml"),
        "{dialogs}"
    );
    assert!(!dialogs.contains("hong.xml"));
    // The chooser was asked for files, then for the folder, suggesting da-ky.
    let chooser = tray.log("chooser.log");
    assert!(
        chooser.starts_with("open-files Chọn hồ sơ XML để ký"),
        "{chooser}"
    );
    assert!(chooser.contains(&format!(
        "choose-folder Chọn thư mục lưu bản đã ký {}",
        out_dir.display()
    )));

    // "Mở thư mục" on the outcome: the opener gets the folder.
    clear_notifications();
    tray.choose(&files[..1]);
    // A second batch into the same folder: the output exists, the user is asked (zenity),
    // and says no — nothing is overwritten.
    let signed_before = std::fs::read(out_dir.join("tk1-ts.xml")).unwrap();
    panel.click(&item, "Ký hồ sơ…");
    let question = "VSS Token Signing";
    wait_for("the overwrite question", || {
        (!run("xdotool", &["search", "--name", question])
            .trim()
            .is_empty())
        .then_some(())
    });
    screenshot_window(question, "overwrite-question-vi.png");
    key_in_window(question, "Escape");
    window_gone(question);
    let second = wait_notification("the second outcome", |n| n.summary.starts_with("Đã ký "));
    assert_eq!(second.summary, "Đã ký 0/1 hồ sơ", "{second:?}");
    assert!(second.body.contains("tk1-ts.xml"), "{}", second.body);
    assert_eq!(
        std::fs::read(out_dir.join("tk1-ts.xml")).unwrap(),
        signed_before
    );
    tray.quit(&f);
}

/// Presses keys in the chooser window titled `title` once GTK has drawn it, after a screenshot.
fn answer_chooser(title: &str, screenshot: &str, keys: &[&str]) {
    screenshot_window(title, screenshot);
    for key in keys {
        key_in_window(title, key);
        std::thread::sleep(Duration::from_millis(300));
    }
    window_gone(title);
}

#[test]
#[ignore = "needs the desktop session of tests/tray/run.sh"]
fn signing_through_the_real_file_chooser_driven_from_the_keyboard() {
    clear_notifications();
    let f = Fixture::new("an-sinh");
    // The person exported the dossiers into their home folder, where the chooser opens.
    let home = f.dir.join("home");
    let files = dossiers(&home, &["tk1-ts.xml", "d02-ts.xml"]);
    std::fs::write(home.join("ghi-chu.txt"), "not a dossier").unwrap();
    let before: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let panel = Panel::start();
    let tray = Tray::start_with_real_chooser(&f);
    let item = panel.wait_item();
    wait_for("the menu is ready", || {
        panel
            .labels(&item)
            .iter()
            .any(|l| l.starts_with("Token "))
            .then_some(())
    });
    run("dunstctl", &["close-all"]);
    panel.click(&item, "Ký hồ sơ…");
    // zenity's GTK file chooser: the list has the focus; Ctrl+A selects every file the .xml
    // filter shows, Enter accepts them.
    answer_chooser(
        "Chọn hồ sơ XML để ký",
        "real-chooser-files-vi.png",
        &["ctrl+a", "Return"],
    );
    // Then the folder chooser, opened inside the suggested `da-ky`: Enter takes it.
    let out_dir = home.join("da-ky");
    answer_chooser(
        "Chọn thư mục lưu bản đã ký",
        "real-chooser-folder-vi.png",
        &["Return"],
    );
    wait_for("both copies signed", || {
        (out_dir.join("tk1-ts.xml").exists() && out_dir.join("d02-ts.xml").exists()).then_some(())
    });
    let done = wait_notification("the outcome", |n| n.summary.starts_with("Đã ký "));
    assert_eq!(done.summary, "Đã ký 2/2 hồ sơ", "{done:?}");
    for name in ["tk1-ts.xml", "d02-ts.xml"] {
        let output = out_dir.join(name);
        assert!(
            xmlsec1_accepts(&f.dir.join("ca.pem"), &output),
            "xmlsec1 accepts {}",
            output.display()
        );
    }
    assert!(!out_dir.join("ghi-chu.txt").exists());
    for (file, bytes) in files.iter().zip(&before) {
        assert_eq!(
            &std::fs::read(file).unwrap(),
            bytes,
            "{} unchanged",
            file.display()
        );
    }
    let dialogs = f.dialogs();
    assert_eq!(dialogs.matches("COMMAND GETPIN").count(), 1, "{dialogs}");
    assert!(
        dialogs.contains("tk1-ts.xml") && dialogs.contains("d02-ts.xml"),
        "{dialogs}"
    );
    // No scripted chooser was involved.
    assert!(tray.log("chooser.log").is_empty());
    // What scripts/demo.sh shows.
    println!(
        "notification: {}\n{}\nscreenshot of the real file chooser: {}",
        done.summary,
        done.body,
        screenshots_dir()
            .join("real-chooser-files-vi.png")
            .display()
    );
    tray.quit(&f);
}

#[test]
#[ignore = "needs the desktop session of tests/tray/run.sh"]
fn the_outcome_notice_opens_the_folder() {
    clear_notifications();
    let f = Fixture::new("an-sinh");
    let inputs_dir = f.dir.join("ho-so");
    let files = dossiers(&inputs_dir, &["tk1-ts.xml", "d02-ts.xml"]);
    let panel = Panel::start();
    let tray = Tray::start(&f);
    let item = panel.wait_item();
    tray.choose(&files);
    wait_for("the menu is ready", || {
        panel
            .labels(&item)
            .iter()
            .any(|l| l.starts_with("Token "))
            .then_some(())
    });
    run("dunstctl", &["close-all"]);
    panel.click(&item, "Ký hồ sơ…");
    let out_dir = inputs_dir.join("da-ky");
    wait_for("both copies signed", || {
        (out_dir.join("tk1-ts.xml").exists() && out_dir.join("d02-ts.xml").exists()).then_some(())
    });
    // The outcome is on screen (it stays), as the screenshot shows: the person clicks its
    // "Mở thư mục".
    std::thread::sleep(Duration::from_secs(2));
    let shot = screenshots_dir().join("signed-notice-vi.png");
    assert!(Command::new("import")
        .args(["-window", "root"])
        .arg(&shot)
        .status()
        .unwrap()
        .success());
    let opened = wait_for("the opener is called with the folder", || {
        run("dunstctl", &["action", "0"]);
        std::thread::sleep(Duration::from_millis(300));
        let log = tray.log("opened.log");
        (!log.is_empty()).then_some(log)
    });
    assert_eq!(opened.trim(), out_dir.display().to_string());
    let outcome = notifications()
        .into_iter()
        .find(|n| n.summary.starts_with("Đã ký "))
        .expect("the outcome notice");
    assert_eq!(outcome.summary, "Đã ký 2/2 hồ sơ");
    // What scripts/demo.sh shows.
    println!(
        "notification: {}\n{}\nscreenshot: {}\n\"Mở thư mục\" opened: {}",
        outcome.summary,
        outcome.body,
        shot.display(),
        opened.trim()
    );
    tray.quit(&f);
}

#[test]
#[ignore = "needs the desktop session of tests/tray/run.sh"]
fn expiry_is_noticed_once_a_day_and_tokens_plugged_in_and_removed_are_noticed() {
    clear_notifications();
    let f = Fixture::new("expiring");
    let panel = Panel::start();
    let tray = Tray::start(&f);
    let item = panel.wait_item();
    let expiry = wait_notification("the expiry notice", |n| {
        n.summary.starts_with("Chứng thư số sắp hết hạn: còn ")
    });
    assert!(expiry.body.contains("0312345678-001"), "{}", expiry.body);
    assert!(
        expiry.body.contains("Thay đổi thông tin"),
        "{}",
        expiry.body
    );
    let status: String = panel.property(&item, "Status");
    assert_eq!(
        status, "NeedsAttention",
        "attention: expires within 30 days"
    );
    assert_eq!(
        panel.property::<String>(&item, "IconName"),
        "security-medium"
    );

    // A token plugged in while the tray runs: SoftHSM2 reports no slot event, the tray's
    // polling sees it.
    let tokens = f.dir.join("tokens");
    let existing: Vec<PathBuf> = std::fs::read_dir(&tokens)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let added = Command::new(bin("vss-testtoken"))
        .arg("--dir")
        .arg(&f.dir)
        .args(["--scenario", "bao-minh"])
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let plugged = wait_notification("the plugged-in notice", |n| {
        n.summary == "Đã cắm token VSS TEST 2 BAO MINH"
    });
    assert!(
        plugged.body.contains("0109876543"),
        "which unit: {}",
        plugged.body
    );
    wait_for("the menu lists the new token", || {
        panel
            .labels(&item)
            .iter()
            .any(|l| l.starts_with("Token VSS TEST 2 BAO MINH"))
            .then_some(())
    });
    // …and removed.
    for entry in std::fs::read_dir(&tokens).unwrap() {
        let path = entry.unwrap().path();
        if !existing.contains(&path) {
            std::fs::remove_dir_all(&path).unwrap();
        }
    }
    wait_notification("the removed notice", |n| {
        n.summary == "Đã rút token VSS TEST 2 BAO MINH"
    });
    tray.quit(&f);

    // The same day, a new start: no second expiry notice.
    clear_notifications();
    let tray = Tray::start(&f);
    let _ = panel.wait_item();
    std::thread::sleep(Duration::from_secs(4));
    let again = notifications();
    assert!(
        !again
            .iter()
            .any(|n| n.summary.starts_with("Chứng thư số sắp hết hạn")),
        "once a day: {again:?}"
    );
    tray.quit(&f);
}

#[test]
#[ignore = "needs the desktop session of tests/tray/run.sh"]
fn the_verification_and_diagnostics_windows_in_both_languages() {
    clear_notifications();
    let f = Fixture::new("an-sinh");
    let signed = repo_root().join("tests/xml-corpus/tk1-ts-signed-by-xmlsec1.xml");
    let unsigned = dossiers(&f.dir.join("ho-so"), &["tk1-ts.xml"]);
    let panel = Panel::start();
    let tray = Tray::start(&f);
    let item = panel.wait_item();
    tray.choose(&[signed.clone(), unsigned[0].clone()]);
    wait_for("the menu is ready", || {
        panel
            .labels(&item)
            .iter()
            .any(|l| l.starts_with("Token "))
            .then_some(())
    });

    for (lang, verify_item, verify_title, diag_item, diag_title) in [
        (
            "vi",
            "Kiểm tra chữ ký…",
            "Kết quả kiểm tra chữ ký",
            "Chẩn đoán",
            "Chẩn đoán VSS Token Signing",
        ),
        (
            "en",
            "Check signatures…",
            "Signature check",
            "Diagnostics",
            "VSS Token Signing diagnostics",
        ),
    ] {
        if lang == "en" {
            panel.click(&item, "English");
            wait_for("English", || {
                panel
                    .labels(&item)
                    .iter()
                    .any(|l| l == "Sign dossiers…")
                    .then_some(())
            });
        }
        panel.click(&item, verify_item);
        screenshot_window(verify_title, &format!("verify-{lang}.png"));
        key_in_window(verify_title, "Escape");
        window_gone(verify_title);

        panel.click(&item, diag_item);
        screenshot_window(diag_title, &format!("diagnostics-{lang}.png"));
        key_in_window(diag_title, "Escape");
        window_gone(diag_title);
    }

    // The copy button: the support report reaches the clipboard, with nothing personal.
    panel.click(&item, "Diagnostics");
    let title = "VSS Token Signing diagnostics";
    wait_for("diagnostics window", || {
        (!run("xdotool", &["search", "--name", title])
            .trim()
            .is_empty())
        .then_some(())
    });
    std::thread::sleep(Duration::from_millis(1000));
    key_in_window(title, "Return");
    window_gone(title);
    wait_notification("the copied notice", |n| {
        n.body.contains("support report was copied")
    });
    let report = wait_for("the clipboard holds the report", || {
        let text = run("xclip", &["-o", "-selection", "clipboard"]);
        text.contains("support report").then_some(text)
    });
    assert!(report.contains("certificates:"), "{report}");
    assert!(!report.contains("001099012345"), "no CCCD: {report}");
    assert!(
        !report.contains("123456\n") && !report.contains("PIN 123456"),
        "no PIN"
    );
    for token in f.manifest["tokens"].as_array().unwrap() {
        let serial = token["serial"].as_str().unwrap();
        assert!(!report.contains(serial), "no raw token serial: {report}");
    }
    assert!(
        !report.contains("0312345678-001"),
        "the MST only hashed: {report}"
    );
    tray.quit(&f);
}

/// CPU time (user + system, in clock ticks) and resident memory (bytes) of a process.
fn cost(pid: u32) -> (u64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    // After the command: state is field 3, utime 14, stime 15 (1-based in proc(5)).
    let ticks = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss_kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap();
    (ticks, rss_kb * 1024)
}

#[test]
#[ignore = "needs the desktop session of tests/tray/run.sh"]
fn idle_cost_cpu_near_zero_and_memory_within_budget() {
    let f = Fixture::new("an-sinh");
    let panel = Panel::start();
    // As users run it: the release build (tests/tray/run.sh builds it).
    let release = repo_root().join("target/release/vss-tray");
    let release = std::env::var_os("CARGO_TARGET_DIR")
        .map(|d| PathBuf::from(d).join("release/vss-tray"))
        .filter(|p| p.exists())
        .unwrap_or(release);
    assert!(
        release.exists(),
        "{} is built by tests/tray/run.sh",
        release.display()
    );
    let tray = Tray::start_binary(&f, &release);
    let item = panel.wait_item();
    wait_for("the menu is ready", || {
        panel
            .labels(&item)
            .iter()
            .any(|l| l.starts_with("Token "))
            .then_some(())
    });
    // Settle, then measure a minute of idling (twenty polls of the tokens).
    std::thread::sleep(Duration::from_secs(5));
    let pid = tray.child.id();
    let window = Duration::from_secs(60);
    let (start, _) = cost(pid);
    std::thread::sleep(window);
    let (end, rss) = cost(pid);
    let ticks_per_second = run("getconf", &["CLK_TCK"])
        .trim()
        .parse::<f64>()
        .unwrap_or(100.0);
    let cpu = (end - start) as f64 / ticks_per_second / window.as_secs_f64() * 100.0;
    let budget = vss_protocol::limits::TRAY_IDLE_RSS_BYTES;
    println!(
        "vss-tray idle: CPU {cpu:.2}% of one core over {} s (token poll every {} s), resident memory {:.1} MiB (budget {:.0} MiB)",
        window.as_secs(),
        vss_protocol::limits::TRAY_POLL_INTERVAL.as_secs(),
        rss as f64 / 1048576.0,
        budget as f64 / 1048576.0
    );
    assert!(rss <= budget, "resident memory {rss} > {budget}");
    assert!(cpu < 2.0, "idle CPU {cpu:.2}%");
    tray.quit(&f);
}
