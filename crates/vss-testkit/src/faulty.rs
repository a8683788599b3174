//! The fault-injecting PKCS#11 module of `tests/faulty-pkcs11` (a wrapper over SoftHSM2 that
//! hangs, crashes, fails, prints, is slow, plays a PIN pad or locks the PIN on command), built
//! from its C source with the system compiler on first use, and its control file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::fixture::{repo_root, target_dir};

/// Builds the module (once per test process; again only when the source changed) and returns
/// the path of the shared library.
pub fn module() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(build).clone()
}

fn build() -> PathBuf {
    let source = repo_root().join("tests/faulty-pkcs11/faulty-pkcs11.c");
    let dir = target_dir().join("faulty-pkcs11");
    std::fs::create_dir_all(&dir).expect("target/…/faulty-pkcs11");
    let output = dir.join("libfaulty-pkcs11.so");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&output).is_some() && modified(&output) >= modified(&source) {
        return output;
    }
    // Built under a name of its own and renamed: test binaries running at once never load a
    // half-written library.
    let partial = dir.join(format!(
        "libfaulty-pkcs11.{}.so.partial",
        std::process::id()
    ));
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&compiler)
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-O1",
            "-shared",
            "-fPIC",
            "-I/usr/include/p11-kit-1",
            "-o",
        ])
        .arg(&partial)
        .arg(&source)
        .args(["-ldl", "-lpthread"])
        .status()
        .unwrap_or_else(|e| panic!("{compiler} runs (install gcc): {e}"));
    assert!(
        status.success(),
        "building {} failed (libp11-kit-dev installed?)",
        source.display()
    );
    std::fs::rename(&partial, &output).expect("install the built module");
    output
}

/// A copy of SoftHSM2 under another file name: loaded beside the original in one process it is
/// a second, independent library (its own state and, through `softhsm_conf`, its own tokens),
/// as two vendors' drivers are.
pub fn softhsm_copy() -> PathBuf {
    static COPIED: OnceLock<PathBuf> = OnceLock::new();
    COPIED
        .get_or_init(|| {
            let dir = target_dir().join("faulty-pkcs11");
            std::fs::create_dir_all(&dir).expect("target/…/faulty-pkcs11");
            let copy = dir.join("libsofthsm2-second-vendor.so");
            if !copy.exists() {
                let partial = dir.join(format!("softhsm2.{}.partial", std::process::id()));
                std::fs::copy(crate::SOFTHSM_MODULE, &partial).expect("copy SoftHSM2");
                std::fs::rename(&partial, &copy).expect("install the copy");
            }
            copy
        })
        .clone()
}

/// The control file of one faulty module: what it should do next.
pub struct Control {
    pub path: PathBuf,
}

impl Control {
    /// A control file in `dir`, initially with `settings`.
    pub fn new(dir: &Path, settings: &str) -> Control {
        let control = Control {
            path: dir.join("faulty-pkcs11.control"),
        };
        control.set(settings);
        control
    }

    /// Replaces the settings ("key=value" lines). Written whole and renamed, so the module
    /// never reads half a file.
    pub fn set(&self, settings: &str) {
        let partial = self.path.with_extension("partial");
        std::fs::write(&partial, settings).expect("control file");
        std::fs::rename(&partial, &self.path).expect("control file");
    }

    /// The environment variable that points the module at this file.
    pub fn env(&self) -> (String, String) {
        (
            "FAULTY_PKCS11_CONTROL".into(),
            self.path.display().to_string(),
        )
    }
}
