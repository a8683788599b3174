//! Chrome, Edge and Cốc Cốc policies the MSI writes on request (Windows registry, HKLM). List policies are
//! registry keys whose values are named by numbers (Chrome ignores non-numeric names), so this
//! product writes its entries under names of its own, [`FIRST_VALUE`] upward, and never touches
//! an admin's entries `1`, `2`, …; removal deletes only names in its own range.

use vss_protocol::EXTENSION_ID;

use crate::host::Browser;

/// The old "VSS Token Signing" extension: a second `window.TokenSigning` provider that races ours.
pub const LEGACY_EXTENSION_ID: &str = "iglijbhfichnfmijbmebhcgbaagbbikc";
/// Chrome Web Store's update URL, also what Edge uses to force-install a Web Store extension.
pub const CHROME_WEB_STORE_UPDATE_URL: &str = "https://clients2.google.com/service/update2/crx";
/// Our list entries are named FIRST_VALUE, FIRST_VALUE + 1, … (84 = Viet Nam's calling code).
pub const FIRST_VALUE: u32 = 84001;
/// Size of our range of value names; more origins than this is not a deployment we support.
pub const RANGE: u32 = 99;

/// Policy roots of the browsers whose policies this product writes (HKLM\…), from
/// [`Browser::policy_key`].
pub fn browser_policy_keys() -> Vec<&'static str> {
    Browser::ALL
        .into_iter()
        .filter_map(Browser::policy_key)
        .collect()
}

/// The two policies that pre-grant loopback access to the allowlisted origins: Chrome/Edge 146
/// and later read `LoopbackNetworkAllowedForUrls` for 127.0.0.1 targets (it outranks the
/// other); earlier versions (142–145) only `LocalNetworkAccessAllowedForUrls`. Both are written.
pub const LOOPBACK_POLICIES: &[&str] = &[
    "LoopbackNetworkAllowedForUrls",
    "LocalNetworkAccessAllowedForUrls",
];

/// List policies this product may add entries to.
pub const LIST_POLICIES: &[&str] = &[
    "ExtensionInstallForcelist",
    "ExtensionInstallBlocklist",
    "LoopbackNetworkAllowedForUrls",
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
    for root in browser_policy_keys() {
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
            for policy in LOOPBACK_POLICIES {
                let key = list(root, policy);
                edits.push(RegistryEdit::DeleteOurRange { key: key.clone() });
                for (i, origin) in (0..RANGE).zip(origins) {
                    edits.push(RegistryEdit::SetString {
                        key: key.clone(),
                        name: value_name(i),
                        data: origin.clone(),
                    });
                }
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
    for root in browser_policy_keys() {
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

/// Carries out the edits in order, on HKLM's 64-bit view.
#[cfg(windows)]
pub fn apply(edits: &[RegistryEdit]) -> Result<(), crate::machine_config::SetupError> {
    use crate::host::Scope::System;
    use crate::registry;
    for edit in edits {
        match edit {
            RegistryEdit::SetString { key, name, data } => {
                registry::set_string(&registry::create(System, key)?, name, data)?
            }
            RegistryEdit::SetDword { key, name, data } => {
                registry::set_dword(&registry::create(System, key)?, name, *data)?
            }
            RegistryEdit::Delete { key, name } => {
                if let Some(open) = registry::open(System, key) {
                    registry::delete_value(&open, name)?;
                }
            }
            RegistryEdit::DeleteOurRange { key } => {
                if let Some(open) = registry::open(System, key) {
                    for i in 0..RANGE {
                        registry::delete_value(&open, &value_name(i))?;
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn force_install_writes_our_own_numbered_entry_for_chrome_edge_and_coccoc() {
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
        assert_eq!(sets.len(), 3);
        assert!(sets[2]
            .0
            .starts_with("SOFTWARE\\Policies\\CocCoc\\CocCoc\\"));
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
            matches!(&edits[0], RegistryEdit::DeleteOurRange { key } if key.ends_with("LoopbackNetworkAllowedForUrls"))
        );
        assert!(
            matches!(&edits[2], RegistryEdit::SetString { name, data, .. } if name == "84002" && data == "https://b.vn")
        );
    }

    #[test]
    fn allow_local_network_writes_both_loopback_policies_for_every_policy_browser() {
        let edits = plan(&PolicyChanges {
            local_network_origins: Some(vec!["https://gddt.baohiemxahoi.gov.vn".into()]),
            ..Default::default()
        });
        let keys: Vec<&str> = edits
            .iter()
            .filter_map(|e| match e {
                RegistryEdit::SetString { key, data, .. }
                    if data == "https://gddt.baohiemxahoi.gov.vn" =>
                {
                    Some(key.as_str())
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            keys,
            vec![
                "SOFTWARE\\Policies\\Google\\Chrome\\LoopbackNetworkAllowedForUrls",
                "SOFTWARE\\Policies\\Google\\Chrome\\LocalNetworkAccessAllowedForUrls",
                "SOFTWARE\\Policies\\Microsoft\\Edge\\LoopbackNetworkAllowedForUrls",
                "SOFTWARE\\Policies\\Microsoft\\Edge\\LocalNetworkAccessAllowedForUrls",
                "SOFTWARE\\Policies\\CocCoc\\CocCoc\\LoopbackNetworkAllowedForUrls",
                "SOFTWARE\\Policies\\CocCoc\\CocCoc\\LocalNetworkAccessAllowedForUrls",
            ]
        );
    }

    #[test]
    fn removal_covers_every_policy_for_every_browser() {
        let edits = plan_removal();
        assert_eq!(
            edits
                .iter()
                .filter(|e| matches!(e, RegistryEdit::DeleteOurRange { .. }))
                .count(),
            12
        );
        assert!(edits.iter().all(|e| !matches!(
            e,
            RegistryEdit::SetString { .. } | RegistryEdit::SetDword { .. }
        )));
        assert_eq!(keys_to_prune()[5], "SOFTWARE\\Policies\\Google");
        assert!(keys_to_prune().contains(&"SOFTWARE\\Policies\\CocCoc".to_string()));
    }
}
