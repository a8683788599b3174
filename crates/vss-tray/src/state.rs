//! What the tray remembers between runs, in `<user data dir>/tray-state.json`: the language the
//! user chose in the menu and the expiry notices already given (so a restart on the same day
//! does not repeat them). Written to a temporary file and renamed; a missing or unreadable file
//! is a fresh start, never an error the user sees.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use vss_protocol::Lang;

use crate::notices::Mark;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrayState {
    /// The menu's language choice (else the configured language).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
    /// Certificate id → the last expiry notice given.
    #[serde(default)]
    pub expiry: BTreeMap<String, Mark>,
}

/// Where the state lives.
pub fn path() -> Option<PathBuf> {
    vss_config::config::user_data_dir().map(|d| d.join("tray-state.json"))
}

impl TrayState {
    pub fn load(path: &Path) -> TrayState {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut temp = tempfile::NamedTempFile::new_in(dir)?;
        temp.write_all(&serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?)?;
        temp.persist(path).map(|_| ()).map_err(|e| e.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_survives_a_restart_and_a_damaged_file_is_a_fresh_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/tray-state.json");
        let mut state = TrayState {
            lang: Some(Lang::En),
            ..Default::default()
        };
        state.expiry.insert(
            "cert".into(),
            Mark {
                stage: "30".into(),
                date: "2026-05-01".into(),
            },
        );
        state.save(&path).unwrap();
        assert_eq!(TrayState::load(&path), state);
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(TrayState::load(&path), TrayState::default());
    }
}
