//! The configuration file (machine and user TOML, vss-config) with any content, and the origin
//! policy built from it checked against origins taken from the same input.
#![no_main]

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vss_config::config::Env;
use vss_config::{Config, Origin, Policy};

struct NoEnv;

impl Env for NoEnv {
    fn var(&self, _: &str) -> Option<String> {
        None
    }
}

/// One file per fuzzing process, rewritten for each input (in memory on Linux).
fn path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        dir.join(format!("vss-fuzz-config-{}.toml", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let mut file = std::fs::File::create(path()).expect("temp file");
    file.write_all(data).expect("write temp file");
    drop(file);
    let missing = PathBuf::from("/nonexistent/vss-machine.toml");
    for (machine, user) in [
        (path().as_path(), None),
        (missing.as_path(), Some(path().as_path())),
    ] {
        if let Ok(config) = Config::load_from(machine, user, &NoEnv) {
            let policy = Policy::from_config(&config);
            if let Ok(text) = std::str::from_utf8(data) {
                for line in text.lines().take(8) {
                    let _ = Origin::parse(line);
                    let _ = policy.check(line);
                }
            }
        }
    }
});
