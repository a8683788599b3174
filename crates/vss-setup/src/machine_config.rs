//! The machine config file as installers edit it: only the keys a deployment property names are
//! set, everything else in the file (keys and comments an admin added by hand) is kept, and the
//! result is checked with the agent's own loader before it replaces the old file, so an install
//! never leaves a config the agent would refuse.

use std::path::{Path, PathBuf};

use toml_edit::{value, Array, DocumentMut};
use vss_config::config::Env;
use vss_config::{Config, Origin};

/// Written at the top of a new file so an admin who opens it knows where it came from.
const HEADER: &str = "\
# VSS Token Signing: machine configuration (see docs/admin.md).
# Written by the installer (vss-setup). It sets only the keys named by deployment properties
# (allowed_origins, hash_signing_origins, modules, lock); keys added by hand are kept on upgrade.
";

/// What a deployment asks for. `None` means \"leave the file as it is\" (an upgrade or repair run
/// without the property); `Some(empty)` removes the key.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ConfigChanges {
    pub allowed_origins: Option<Vec<String>>,
    pub hash_signing_origins: Option<Vec<String>>,
    pub modules: Option<Vec<PathBuf>>,
    pub lock: Option<bool>,
}

/// A deployment property that cannot be used, with the reason an admin can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupError(pub String);

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

/// The word that clears a list property (an empty property means "keep").
pub const CLEAR: &str = "none";

/// Parses a list of origins (`,`, `;` or spaces between them). Each must be an exact `https://`
/// origin, as the agent's policy requires; anything else is refused here, at install time.
pub fn parse_origins(property: &str, text: &str) -> Result<Option<Vec<String>>, SetupError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.eq_ignore_ascii_case(CLEAR) {
        return Ok(Some(Vec::new()));
    }
    let mut origins = Vec::new();
    for item in text
        .split([',', ';', ' ', '\t'])
        .filter(|item| !item.is_empty())
    {
        let origin = Origin::parse(item).map_err(|_| {
            SetupError(format!(
                "{property}: '{item}' is not an exact origin like https://portal.example.vn (no path, no trailing slash)"
            ))
        })?;
        if !origin.as_str().starts_with("https://") {
            return Err(SetupError(format!(
                "{property}: '{item}' is not HTTPS; only https:// origins can be allowed"
            )));
        }
        if !origins.iter().any(|o| o == origin.as_str()) {
            origins.push(origin.as_str().to_string());
        }
    }
    Ok(Some(origins))
}

/// Parses a `;`-separated list of PKCS#11 module paths (`;` as in PATH: module paths may hold
/// spaces and commas). Paths must be absolute: the agent never searches for a module by name.
/// A module that is not there yet is allowed (the CA's driver may be installed later).
pub fn parse_modules(text: &str) -> Result<Option<Vec<PathBuf>>, SetupError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.eq_ignore_ascii_case(CLEAR) {
        return Ok(Some(Vec::new()));
    }
    let mut modules = Vec::new();
    for item in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let path = PathBuf::from(item);
        if !path.is_absolute() {
            return Err(SetupError(format!(
                "PKCS11_MODULES: '{item}' is not an absolute path (e.g. C:\\Windows\\System32\\vnpt-ca_csp11.dll)"
            )));
        }
        modules.push(path);
    }
    Ok(Some(modules))
}

/// Parses a yes/no property: `1`/`0` (also `true`/`false`, `yes`/`no`); empty keeps.
pub fn parse_switch(property: &str, text: &str) -> Result<Option<bool>, SetupError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "1" | "true" | "yes" => Ok(Some(true)),
        "0" | "false" | "no" => Ok(Some(false)),
        other => Err(SetupError(format!(
            "{property}: '{other}' is neither 1 nor 0"
        ))),
    }
}

/// Applies `changes` to the text of a config file (empty for a new one) and returns the new text.
pub fn edit(existing: &str, changes: &ConfigChanges) -> Result<String, SetupError> {
    let is_new = existing.trim().is_empty();
    let mut doc: DocumentMut = existing.parse().map_err(|e| {
        SetupError(format!(
            "the existing machine config is not valid TOML, fix or remove it first: {e}"
        ))
    })?;
    let set_list = |doc: &mut DocumentMut, key: &str, items: &Option<Vec<String>>| match items {
        None => {}
        Some(items) if items.is_empty() => {
            doc.remove(key);
        }
        Some(items) => {
            doc[key] = value(items.iter().collect::<Array>());
        }
    };
    set_list(&mut doc, "allowed_origins", &changes.allowed_origins);
    set_list(
        &mut doc,
        "hash_signing_origins",
        &changes.hash_signing_origins,
    );
    let modules = changes.modules.as_ref().map(|paths| {
        paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    });
    set_list(&mut doc, "modules", &modules);
    if let Some(lock) = changes.lock {
        doc["lock"] = value(lock);
    }
    let text = doc.to_string();
    Ok(if is_new {
        format!("{HEADER}{text}")
    } else {
        text
    })
}

/// The agent's loader sees no environment here: the file alone must be valid.
struct NoEnv;

impl Env for NoEnv {
    fn var(&self, _name: &str) -> Option<String> {
        None
    }
}

/// Edits the machine config at `path` in place: reads it (a missing file is a new one), applies
/// `changes`, checks the result with the agent's loader, then replaces the file atomically.
/// Returns the config as the agent will see it.
pub fn apply(path: &Path, changes: &ConfigChanges) -> Result<Config, SetupError> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(SetupError(format!("cannot read {}: {e}", path.display()))),
    };
    let text = edit(&existing, changes)?;
    let dir = path
        .parent()
        .ok_or_else(|| SetupError(format!("{} has no folder", path.display())))?;
    std::fs::create_dir_all(dir)
        .map_err(|e| SetupError(format!("cannot create {}: {e}", dir.display())))?;
    let staged = dir.join("config.toml.new");
    std::fs::write(&staged, text.as_bytes())
        .map_err(|e| SetupError(format!("cannot write {}: {e}", staged.display())))?;
    let config = match Config::load_from(&staged, None, &NoEnv) {
        Ok(config) => config,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(SetupError(format!(
                "the resulting machine config would be refused by the agent: {}",
                e.localize(vss_protocol::Lang::En).message
            )));
        }
    };
    std::fs::rename(&staged, path)
        .map_err(|e| SetupError(format!("cannot replace {}: {e}", path.display())))?;
    Ok(config)
}

/// Removes the machine config and its folder if nothing else is in it (a real uninstall).
pub fn remove(path: &Path) -> Result<(), SetupError> {
    for file in [path.to_path_buf(), path.with_extension("toml.new")] {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(SetupError(format!("cannot remove {}: {e}", file.display()))),
        }
    }
    if let Some(dir) = path.parent() {
        // Only an empty folder goes: anything else in it was put there by someone else.
        let _ = std::fs::remove_dir(dir);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_exact_https_and_deduplicated() {
        assert_eq!(
            parse_origins(
                "ALLOWED_ORIGINS",
                " https://a.gov.vn;https://b.vn:8443 , https://a.gov.vn"
            ),
            Ok(Some(vec![
                "https://a.gov.vn".to_string(),
                "https://b.vn:8443".to_string()
            ]))
        );
        assert_eq!(parse_origins("ALLOWED_ORIGINS", "  "), Ok(None));
        assert_eq!(parse_origins("ALLOWED_ORIGINS", "NONE"), Ok(Some(vec![])));
        for bad in [
            "http://a.gov.vn",
            "https://a.gov.vn/",
            "https://a.gov.vn/path",
            "a.gov.vn",
        ] {
            let err = parse_origins("ALLOWED_ORIGINS", bad).unwrap_err();
            assert!(err.0.starts_with("ALLOWED_ORIGINS:"), "{bad}: {err}");
        }
    }

    #[test]
    fn modules_must_be_absolute() {
        let abs = if cfg!(windows) {
            "C:\\Windows\\System32\\a b.dll"
        } else {
            "/usr/lib/a b.so"
        };
        assert_eq!(
            parse_modules(&format!("{abs};;")),
            Ok(Some(vec![PathBuf::from(abs)]))
        );
        assert!(parse_modules("vnpt.dll").is_err());
        assert_eq!(parse_modules(""), Ok(None));
    }

    #[test]
    fn switches_accept_one_and_zero_only() {
        assert_eq!(parse_switch("LOCK_POLICY", "1"), Ok(Some(true)));
        assert_eq!(parse_switch("LOCK_POLICY", "0"), Ok(Some(false)));
        assert_eq!(parse_switch("LOCK_POLICY", ""), Ok(None));
        assert!(parse_switch("LOCK_POLICY", "2").is_err());
    }

    #[test]
    fn a_new_file_gets_the_header_and_the_given_keys() {
        let text = edit(
            "",
            &ConfigChanges {
                allowed_origins: Some(vec!["https://a.gov.vn".into()]),
                lock: Some(true),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(text.starts_with("# VSS Token Signing"));
        let file: vss_config::config::ConfigFile = toml::from_str(&text).unwrap();
        assert_eq!(file.allowed_origins, Some(vec!["https://a.gov.vn".into()]));
        assert_eq!(file.lock, Some(true));
        assert_eq!(file.modules, None);
    }

    #[test]
    fn an_upgrade_without_properties_keeps_the_admins_file_byte_for_byte() {
        let admin = "# ours\nlock = true\ndialog_timeout_seconds = 90 # slow users\n\n[log]\nlevel = \"debug\"\n";
        assert_eq!(edit(admin, &ConfigChanges::default()).unwrap(), admin);
    }

    #[test]
    fn given_keys_replace_and_hand_written_keys_stay() {
        let admin = "dialog_timeout_seconds = 90\nallowed_origins = [\"https://old.vn\"]\n[log]\nlevel = \"debug\"\n";
        let text = edit(
            admin,
            &ConfigChanges {
                allowed_origins: Some(vec!["https://new.vn".into()]),
                modules: Some(vec![PathBuf::from("C:\\Program Files\\CA\\p11 \"x\".dll")]),
                lock: Some(false),
                ..Default::default()
            },
        )
        .unwrap();
        let file: vss_config::config::ConfigFile = toml::from_str(&text).unwrap();
        assert_eq!(file.allowed_origins, Some(vec!["https://new.vn".into()]));
        assert_eq!(file.dialog_timeout_seconds, Some(90));
        assert_eq!(file.lock, Some(false));
        assert_eq!(
            file.modules,
            Some(vec![PathBuf::from("C:\\Program Files\\CA\\p11 \"x\".dll")])
        );
        assert_eq!(
            file.log.and_then(|l| l.level).as_deref(),
            Some("debug"),
            "a table after the edited keys stays a table"
        );
    }

    #[test]
    fn none_removes_a_list() {
        let text = edit(
            "allowed_origins = [\"https://old.vn\"]\n",
            &ConfigChanges {
                allowed_origins: Some(vec![]),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(!text.contains("allowed_origins"));
    }

    #[test]
    fn a_broken_file_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "lock = [").unwrap();
        let err = apply(
            &path,
            &ConfigChanges {
                lock: Some(true),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(err.0.contains("not valid TOML"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "lock = [");
    }

    #[test]
    fn a_key_the_agent_refuses_is_caught_before_the_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "alowed_origins = []\n").unwrap();
        let err = apply(&path, &ConfigChanges::default()).unwrap_err();
        assert!(err.0.contains("refused by the agent"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "alowed_origins = []\n"
        );
        assert!(!dir.path().join("config.toml.new").exists());
    }

    #[test]
    fn apply_then_remove_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("VSS Token Signing");
        let path = folder.join("config.toml");
        let config = apply(
            &path,
            &ConfigChanges {
                allowed_origins: Some(vec!["https://a.gov.vn".into()]),
                lock: Some(true),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(config.locked);
        assert_eq!(config.extra_origins, vec!["https://a.gov.vn".to_string()]);
        remove(&path).unwrap();
        assert!(!folder.exists());
    }
}
