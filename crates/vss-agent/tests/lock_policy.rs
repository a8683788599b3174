//! An admin's locked machine config (MSI `LOCK_POLICY=1`, `lock = true`) wins over what a user
//! can change: the real `vss-agent` binary, started as Chrome starts it, ignores the user's
//! config file and the `VSS_*` variables that try to widen the origin allowlist (DESIGN §5).
//! Debug builds read the machine file from `VSS_MACHINE_CONFIG` (release builds never do).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

const CALLER: &str = "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp/";
const POPUP: &str = "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp";
const ADMIN_ORIGIN: &str = "https://bhxh-noibo.example.vn";
const USER_FILE_ORIGIN: &str = "https://user-file.example.vn";
const VSS_CONFIG_ORIGIN: &str = "https://vss-config.example.vn";
const ENV_ORIGIN: &str = "https://env.example.vn";

/// A machine where an admin wrote `machine` and the user wrote their own config and variables.
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn new(machine: &str) -> Machine {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("machine.toml"), machine).unwrap();
        // The user's own file, where `directories` looks for it under this HOME.
        let leaf = vss_config::config::user_config_path()
            .and_then(|p| p.parent().and_then(Path::file_name).map(PathBuf::from))
            .expect("a user config path on this OS");
        let user_dir = dir.path().join(".config").join(leaf);
        std::fs::create_dir_all(&user_dir).unwrap();
        std::fs::write(
            user_dir.join("config.toml"),
            format!("allowed_origins = [\"{USER_FILE_ORIGIN}\"]\nhash_signing_origins = [\"{USER_FILE_ORIGIN}\"]\n"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("other.toml"),
            format!("allowed_origins = [\"{VSS_CONFIG_ORIGIN}\"]\n"),
        )
        .unwrap();
        Machine { dir }
    }

    /// Sends each request as one frame on one port and returns the replies sorted by id.
    /// `VSS_CONFIG` (naming another user file) replaces the default user file, so the two are
    /// tried in separate runs.
    fn ask(&self, requests: &[Value], vss_config: bool) -> Vec<Value> {
        let home = self.dir.path();
        let mut command = Command::new(env!("CARGO_BIN_EXE_vss-agent"));
        if vss_config {
            command.env("VSS_CONFIG", home.join("other.toml"));
        } else {
            command.env_remove("VSS_CONFIG");
        }
        let mut child = command
            .arg(CALLER)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("VSS_MACHINE_CONFIG", home.join("machine.toml"))
            .env("VSS_ALLOWED_ORIGINS", ENV_ORIGIN)
            .env("VSS_PKCS11_MODULE", home.join("not-a-module.so"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("vss-agent starts");
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        for request in requests {
            let body = serde_json::to_vec(request).unwrap();
            stdin.write_all(&(body.len() as u32).to_ne_bytes()).unwrap();
            stdin.write_all(&body).unwrap();
        }
        stdin.flush().unwrap();
        let mut replies = Vec::new();
        for _ in requests {
            let mut len = [0u8; 4];
            stdout.read_exact(&mut len).expect("a reply frame");
            let mut body = vec![0u8; u32::from_ne_bytes(len) as usize];
            stdout.read_exact(&mut body).unwrap();
            replies.push(serde_json::from_slice::<Value>(&body).unwrap());
        }
        drop(stdin);
        let _ = child.wait();
        replies.sort_by_key(|r| r["id"].as_str().unwrap_or_default().to_string());
        replies
    }
}

fn version_from(id: &str, origin: &str) -> Value {
    json!({"id": id, "command": "version", "origin": origin})
}

fn requests() -> Vec<Value> {
    vec![
        json!({"id": "0-status", "command": "status", "origin": POPUP}),
        version_from("1-admin", ADMIN_ORIGIN),
        version_from("2-user-file", USER_FILE_ORIGIN),
        version_from("3-vss-config", VSS_CONFIG_ORIGIN),
        version_from("4-env", ENV_ORIGIN),
    ]
}

fn machine_file(lock: bool) -> String {
    format!("lock = {lock}\nallowed_origins = [\"{ADMIN_ORIGIN}\"]\n")
}

#[test]
fn a_locked_machine_config_ignores_the_users_file_and_vss_variables() {
    let machine = Machine::new(&machine_file(true));
    for vss_config in [false, true] {
        let replies = machine.ask(&requests(), vss_config);
        let config = &replies[0]["result"]["config"];
        assert_eq!(config["locked"], true, "{config}");
        let allowed = config["allowed_origins"].to_string();
        assert!(allowed.contains(ADMIN_ORIGIN), "{allowed}");
        for widened in [USER_FILE_ORIGIN, VSS_CONFIG_ORIGIN, ENV_ORIGIN] {
            assert!(!allowed.contains(widened), "{widened} in {allowed}");
        }
        assert_eq!(config["user_config"], Value::Null, "no user file read");
        assert_ne!(
            config["module_source"], "environment",
            "VSS_PKCS11_MODULE ignored: {config}"
        );
        assert_eq!(replies[1]["ok"], true, "the admin's origin is served");
        for refused in &replies[2..] {
            assert_eq!(refused["ok"], false, "{refused}");
            assert_eq!(refused["error"]["code"], "origin_not_allowed", "{refused}");
        }
    }
}

#[test]
fn without_the_lock_the_same_user_settings_do_widen_the_allowlist() {
    // The control: proves the locked test above exercises real user-config and variable paths.
    let machine = Machine::new(&machine_file(false));
    let replies = machine.ask(&requests(), false);
    assert_eq!(replies[0]["result"]["config"]["locked"], false);
    for reply in [&replies[1], &replies[2], &replies[4]] {
        assert_eq!(
            reply["ok"], true,
            "admin, user file and VSS_ALLOWED_ORIGINS: {reply}"
        );
    }
    let replies = machine.ask(&requests(), true);
    assert_eq!(
        replies[3]["ok"], true,
        "VSS_CONFIG's origin: {}",
        replies[3]
    );
}
