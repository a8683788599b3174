//! Deployment facts in one place: where each browser finds the native host and what its
//! manifest says ([`host`]), the registry (Windows, [`registry`]), the browser policies the MSI
//! writes ([`browser_policy`]), the machine config ([`machine_config`]) and its folder's ACL
//! ([`folder_acl`]). The `vss-setup` binary (the MSI's custom action, the .deb's helper and the
//! builds' `print-manifest`), `vss install-host` and `vss doctor` all read them from here.
//! The default consent/PIN dialog per OS is `vss_dialog::default_dialog`.

pub mod browser_policy;
pub mod folder_acl;
pub mod host;
pub mod machine_config;
pub mod registry;
