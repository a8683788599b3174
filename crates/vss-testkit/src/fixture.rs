//! Test fixtures: a fresh directory with SoftHSM2 tokens of a scenario (made by running the
//! `vss-testtoken` binary, so SoftHSM2 never loads in the test process), and the environment
//! that points `vss`/`vss-agent` at them, at the scripted pinentry, and away from the real
//! user's configuration.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A directory of test tokens and what is on them.
pub struct Fixture {
    pub dir: PathBuf,
    pub manifest: Value,
}

/// The workspace's target directory for the running test binary (target/debug).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/debug/deps/<test> → target/debug
    exe.parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf()
}

/// A workspace binary, built beforehand (`cargo build --workspace --bins`, as scripts/test.sh does).
pub fn bin(name: &str) -> PathBuf {
    let path = target_dir().join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace --bins` first",
        path.display()
    );
    path
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// The scripted pinentry of tests/pinentry.
pub fn scripted_pinentry() -> PathBuf {
    repo_root().join("tests/pinentry/scripted-pinentry")
}

impl Fixture {
    /// Creates the tokens of `scenario` (see [`crate::scenario`]) in a new directory.
    pub fn new(scenario: &str) -> Fixture {
        Fixture::with_addresses(scenario, &[])
    }

    /// [`Fixture::new`] whose certificates name revocation servers: `args` are
    /// `--ocsp-url URL` / `--crl-url URL` for `vss-testtoken`.
    pub fn with_addresses(scenario: &str, args: &[&str]) -> Fixture {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("vss-test-{}-{n}-{scenario}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("fixture dir");
        let output = Command::new(bin("vss-testtoken"))
            .arg("--dir")
            .arg(&dir)
            .arg("--scenario")
            .arg(scenario)
            .args(args)
            .output()
            .expect("vss-testtoken runs");
        assert!(
            output.status.success(),
            "vss-testtoken failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let manifest = serde_json::from_slice(&output.stdout).expect("manifest JSON");
        Fixture { dir, manifest }
    }

    /// The id of the certificate named `name` in the scenario.
    pub fn cert_id(&self, name: &str) -> String {
        self.cert(name)["id"].as_str().expect("id").to_string()
    }

    pub fn cert(&self, name: &str) -> Value {
        self.manifest["tokens"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|t| t["certificates"].as_array().cloned().unwrap_or_default())
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no certificate {name}"))
    }

    /// Where the scripted pinentry records the dialogs it showed.
    pub fn dialog_log(&self) -> PathBuf {
        self.dir.join("dialogs.log")
    }

    /// The dialogs shown so far (descriptions separated by "----").
    pub fn dialogs(&self) -> String {
        std::fs::read_to_string(self.dialog_log()).unwrap_or_default()
    }

    /// Environment for `vss`/`vss-agent`: tokens, module, scripted pinentry answering `pin`,
    /// an isolated HOME/XDG so no real user config or log is touched, and `config.toml` of
    /// this fixture as user config.
    pub fn env(&self) -> Vec<(String, String)> {
        let d = |p: &str| self.dir.join(p).display().to_string();
        vec![
            ("SOFTHSM2_CONF".into(), d("softhsm2.conf")),
            ("VSS_PKCS11_MODULE".into(), crate::SOFTHSM_MODULE.into()),
            (
                "VSS_PINENTRY".into(),
                scripted_pinentry().display().to_string(),
            ),
            (
                "VSS_TEST_PINENTRY_LOG".into(),
                self.dialog_log().display().to_string(),
            ),
            ("VSS_CONFIG".into(), d("config.toml")),
            ("HOME".into(), d("home")),
            ("XDG_CONFIG_HOME".into(), d("home/.config")),
            ("XDG_DATA_HOME".into(), d("home/.local/share")),
        ]
    }

    /// Writes this fixture's user config file.
    pub fn write_config(&self, toml: &str) {
        std::fs::write(self.dir.join("config.toml"), toml).expect("config");
    }

    /// A command for a workspace binary with this fixture's environment.
    pub fn command(&self, binary: &str) -> Command {
        let mut cmd = Command::new(bin(binary));
        cmd.env_remove("VSS_ALLOWED_ORIGINS")
            .env_remove("VSS_LANG")
            .env_remove("VSS_TEST_PINENTRY_MODE")
            .env_remove("VSS_TEST_PIN");
        cmd.envs(self.env());
        cmd
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
