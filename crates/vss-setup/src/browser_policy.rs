//! Chrome and Edge policies the MSI writes on request (Windows registry, HKLM). List policies are
//! registry keys whose values are named by numbers (Chrome ignores non-numeric names), so this
//! product writes its entries under names of its own, [`FIRST_VALUE`] upward, and never touches
//! an admin's entries `1`, `2`, …; removal deletes only names in its own range.

use vss_protocol::EXTENSION_ID;

/// The old "VSS Token Signing" extension: a second `window.TokenSigning` provider that races ours.
pub const LEGACY_EXTENSION_ID: &str = "iglijbhfichnfmijbmebhcgbaagbbikc";
/// Chrome Web Store's update URL, also what Edge uses to force-install a Web Store extension.
pub const CHROME_WEB_STORE_UPDATE_URL: &str = "https://clients2.google.com/service/update2/crx";
/// Our list entries are named FIRST_VALUE, FIRST_VALUE + 1, … (84 = Viet Nam's calling code).
pub const FIRST_VALUE: u32 = 84001;
/// Size of our range of value names; more origins than this is not a deployment we support.
pub const RANGE: u32 = 99;

/// Policy roots of the browsers this product serves (HKLM\…).
pub const BROWSER_POLICY_KEYS: &[&str] = &[
    "SOFTWARE\\Policies\\Google\\Chrome",
    "SOFTWARE\\Policies\\Microsoft\\Edge",
];

/// List policies this product may add entries to.
pub const LIST_POLICIES: &[&str] = &[
    "ExtensionInstallForcelist",
    "ExtensionInstallBlocklist",
    "LocalNetworkAccessAllowedForUrls",
];

/// `NativeMessagingUserLevelHosts = 0`: Chrome/Edge ignore per-user (HKCU) host registrations,
/// so a user cannot put another program in place of the installed agent.
pub const USER_LEVEL_HOSTS: &str = "NativeMessagingUserLevelHosts";

/// What a deployment asks for. `None` = leave as is (upgrade without the property).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PolicyChanges {
    /// Force-install the extension from this update URL (`Some(None)`: remove our entry).
    pub force_install: Option<Option<String>>,
    pub block_legacy_extension: Option<bool>,
    /// Pre-grant Local Network Access (serve mode) to these origins (`Some(empty)`: remove).
    pub local_network_origins: Option<Vec<String>>,
    pub forbid_user_level_hosts: Option<bool>,
}

/// One change to the registry under HKLM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryEdit {
    /// Set a REG_SZ value.
    SetString {
        key: String,
        name: String,
        data: String,
    },
    /// Set a REG_DWORD value.
    SetDword {
        key: String,
        name: String,
        data: u32,
    },
    /// Delete a value if present.
    Delete { key: String, name: String },
    /// Delete every value in our numbered range.
    DeleteOurRange { key: String },
}

/// Value name of our n-th entry of a list policy.
pub fn value_name(index: u32) -> String {
    (FIRST_VALUE + index).to_string()
}

fn list(key_root: &str, policy: &str) -> String {
    format!("{key_root}\\{policy}")
}

/// The registry edits for `changes`, for every browser.
pub fn plan(changes: &PolicyChanges) -> Vec<RegistryEdit> {
    let mut edits = Vec::new();
    for root in BROWSER_POLICY_KEYS {
        if let Some(force) = &changes.force_install {
            let key = list(root, "ExtensionInstallForcelist");
            edits.push(RegistryEdit::DeleteOurRange { key: key.clone() });
            if let Some(url) = force {
                edits.push(RegistryEdit::SetString {
                    key,
                    name: value_name(0),
                    data: format!("{EXTENSION_ID};{url}"),
                });
            }
        }
        if let Some(block) = changes.block_legacy_extension {
            let key = list(root, "ExtensionInstallBlocklist");
            edits.push(RegistryEdit::DeleteOurRange { key: key.clone() });
            if block {
                edits.push(RegistryEdit::SetString {
                    key,
                    name: value_name(0),
                    data: LEGACY_EXTENSION_ID.to_string(),
                });
            }
        }
        if let Some(origins) = &changes.local_network_origins {
            let key = list(root, "LocalNetworkAccessAllowedForUrls");
            edits.push(RegistryEdit::DeleteOurRange { key: key.clone() });
            for (i, origin) in (0..RANGE).zip(origins) {
                edits.push(RegistryEdit::SetString {
                    key: key.clone(),
                    name: value_name(i),
                    data: origin.clone(),
                });
            }
        }
        if let Some(forbid) = changes.forbid_user_level_hosts {
            let key = root.to_string();
            let name = USER_LEVEL_HOSTS.to_string();
            edits.push(if forbid {
                RegistryEdit::SetDword { key, name, data: 0 }
            } else {
                RegistryEdit::Delete { key, name }
            });
        }
    }
    edits
}

/// The edits of a real uninstall: every value this product may have written.
pub fn plan_removal() -> Vec<RegistryEdit> {
    plan(&PolicyChanges {
        force_install: Some(None),
        block_legacy_extension: Some(false),
        local_network_origins: Some(Vec::new()),
        forbid_user_level_hosts: Some(false),
    })
}

/// Keys that may be left empty after a removal, deepest first; each is deleted only if empty.
pub fn keys_to_prune() -> Vec<String> {
    let mut keys = Vec::new();
    for root in BROWSER_POLICY_KEYS {
        for policy in LIST_POLICIES {
            keys.push(list(root, policy));
        }
        keys.push(root.to_string());
        if let Some((vendor, _)) = root.rsplit_once('\\') {
            keys.push(vendor.to_string());
        }
    }
    keys
}

#[cfg(windows)]
pub use registry::{apply, prune_empty_keys};

#[cfg(windows)]
mod registry {
    //! The plan carried out on the 64-bit registry view, where Chrome and Edge read HKLM policy.

    use std::ptr;

    use windows_sys::Win32::Foundation::{ERROR_FILE_NOT_FOUND, ERROR_SUCCESS};
    use windows_sys::Win32::System::Registry::{
        RegCloseKey, RegCreateKeyExW, RegDeleteKeyExW, RegDeleteValueW, RegOpenKeyExW,
        RegQueryInfoKeyW, RegSetValueExW, HKEY, HKEY_LOCAL_MACHINE, KEY_ALL_ACCESS,
        KEY_WOW64_64KEY, REG_DWORD, REG_OPTION_NON_VOLATILE, REG_SZ,
    };

    use super::{value_name, RegistryEdit, RANGE};
    use crate::machine_config::SetupError;

    fn wide(text: &str) -> Vec<u16> {
        text.encode_utf16().chain(Some(0)).collect()
    }

    /// An open HKLM key, closed on drop.
    struct Key(HKEY);

    impl Drop for Key {
        fn drop(&mut self) {
            // SAFETY: the handle came from RegCreateKeyExW/RegOpenKeyExW and is closed once.
            unsafe { RegCloseKey(self.0) };
        }
    }

    fn create(path: &str) -> Result<Key, SetupError> {
        let mut key: HKEY = ptr::null_mut();
        let wpath = wide(path);
        // SAFETY: valid NUL-terminated path and out pointer.
        let rc = unsafe {
            RegCreateKeyExW(
                HKEY_LOCAL_MACHINE,
                wpath.as_ptr(),
                0,
                ptr::null(),
                REG_OPTION_NON_VOLATILE,
                KEY_ALL_ACCESS | KEY_WOW64_64KEY,
                ptr::null(),
                &mut key,
                ptr::null_mut(),
            )
        };
        if rc != ERROR_SUCCESS {
            return Err(SetupError(format!("cannot open HKLM\\{path} (error {rc})")));
        }
        Ok(Key(key))
    }

    fn open(path: &str) -> Option<Key> {
        let mut key: HKEY = ptr::null_mut();
        let wpath = wide(path);
        // SAFETY: valid NUL-terminated path and out pointer.
        let rc = unsafe {
            RegOpenKeyExW(
                HKEY_LOCAL_MACHINE,
                wpath.as_ptr(),
                0,
                KEY_ALL_ACCESS | KEY_WOW64_64KEY,
                &mut key,
            )
        };
        (rc == ERROR_SUCCESS).then_some(Key(key))
    }

    fn set(key: &Key, name: &str, kind: u32, data: &[u8]) -> Result<(), SetupError> {
        let wname = wide(name);
        let len = u32::try_from(data.len())
            .map_err(|_| SetupError(format!("value {name} is too long")))?;
        // SAFETY: open key, NUL-terminated name, data pointer valid for `len` bytes.
        let rc = unsafe { RegSetValueExW(key.0, wname.as_ptr(), 0, kind, data.as_ptr(), len) };
        if rc != ERROR_SUCCESS {
            return Err(SetupError(format!("cannot set value {name} (error {rc})")));
        }
        Ok(())
    }

    fn delete_value(key: &Key, name: &str) -> Result<(), SetupError> {
        let wname = wide(name);
        // SAFETY: open key and NUL-terminated name.
        let rc = unsafe { RegDeleteValueW(key.0, wname.as_ptr()) };
        if rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND {
            return Err(SetupError(format!(
                "cannot delete value {name} (error {rc})"
            )));
        }
        Ok(())
    }

    /// Carries out the edits in order.
    pub fn apply(edits: &[RegistryEdit]) -> Result<(), SetupError> {
        for edit in edits {
            match edit {
                RegistryEdit::SetString { key, name, data } => {
                    let bytes: Vec<u8> = wide(data).iter().flat_map(|u| u.to_le_bytes()).collect();
                    set(&create(key)?, name, REG_SZ, &bytes)?;
                }
                RegistryEdit::SetDword { key, name, data } => {
                    set(&create(key)?, name, REG_DWORD, &data.to_le_bytes())?;
                }
                RegistryEdit::Delete { key, name } => {
                    if let Some(open) = open(key) {
                        delete_value(&open, name)?;
                    }
                }
                RegistryEdit::DeleteOurRange { key } => {
                    if let Some(open) = open(key) {
                        for i in 0..RANGE {
                            delete_value(&open, &value_name(i))?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn is_empty(key: &Key) -> bool {
        let (mut subkeys, mut values) = (0u32, 0u32);
        // SAFETY: open key; the counts are the only outputs asked for.
        let rc = unsafe {
            RegQueryInfoKeyW(
                key.0,
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null(),
                &mut subkeys,
                ptr::null_mut(),
                ptr::null_mut(),
                &mut values,
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        rc == ERROR_SUCCESS && subkeys == 0 && values == 0
    }

    /// Deletes each key that exists and is empty (so an uninstall leaves no empty policy keys
    /// behind; a key holding anything of an admin's stays).
    pub fn prune_empty_keys(keys: &[String]) {
        for path in keys {
            let empty = open(path).is_some_and(|key| is_empty(&key));
            if empty {
                let wpath = wide(path);
                // SAFETY: NUL-terminated path under HKLM.
                unsafe { RegDeleteKeyExW(HKEY_LOCAL_MACHINE, wpath.as_ptr(), KEY_WOW64_64KEY, 0) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn force_install_writes_our_own_numbered_entry_for_chrome_and_edge() {
        let edits = plan(&PolicyChanges {
            force_install: Some(Some(CHROME_WEB_STORE_UPDATE_URL.into())),
            ..Default::default()
        });
        let sets: Vec<_> = edits
            .iter()
            .filter_map(|e| match e {
                RegistryEdit::SetString { key, name, data } => Some((key, name, data)),
                _ => None,
            })
            .collect();
        assert_eq!(sets.len(), 2);
        for (key, name, data) in sets {
            assert!(key.ends_with("\\ExtensionInstallForcelist"));
            assert_eq!(name, "84001");
            assert_eq!(
                data,
                "aljobffeainbeaoomgcjaebgogaandcp;https://clients2.google.com/service/update2/crx"
            );
        }
    }

    #[test]
    fn nothing_asked_nothing_touched() {
        assert!(plan(&PolicyChanges::default()).is_empty());
    }

    #[test]
    fn local_network_origins_are_numbered_in_our_range_after_clearing_it() {
        let edits = plan(&PolicyChanges {
            local_network_origins: Some(vec!["https://a.vn".into(), "https://b.vn".into()]),
            ..Default::default()
        });
        assert!(
            matches!(&edits[0], RegistryEdit::DeleteOurRange { key } if key.ends_with("LocalNetworkAccessAllowedForUrls"))
        );
        assert!(
            matches!(&edits[2], RegistryEdit::SetString { name, data, .. } if name == "84002" && data == "https://b.vn")
        );
    }

    #[test]
    fn removal_covers_every_policy_for_both_browsers() {
        let edits = plan_removal();
        assert_eq!(
            edits
                .iter()
                .filter(|e| matches!(e, RegistryEdit::DeleteOurRange { .. }))
                .count(),
            6
        );
        assert!(edits.iter().all(|e| !matches!(
            e,
            RegistryEdit::SetString { .. } | RegistryEdit::SetDword { .. }
        )));
        assert_eq!(keys_to_prune()[4], "SOFTWARE\\Policies\\Google");
    }
}
