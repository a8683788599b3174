//! `vss-setup`: run by the installers as administrator (the MSI's deferred custom actions run it
//! as LocalSystem) to put the deployment properties into effect:
//! - `vss-setup apply --allowed-origins … --lock-policy 1 …` merges them into the machine config
//!   (only the keys given; an empty value keeps what is there) and, on Windows, writes the
//!   Chrome/Edge policies asked for and restricts the config folder to administrators;
//! - `vss-setup remove` undoes all of it (a real uninstall; an upgrade keeps everything);
//! - `vss-setup print-manifest --browser firefox --path /usr/bin/vss-agent` prints the host
//!   manifest the builds install (installer/build-deb.sh, installer/build-msi.sh).
//!
//! Errors go to stderr and the exit status is 1, which makes the MSI roll back.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use vss_config::policy::DEFAULT_ORIGINS;

use vss_setup::browser_policy::{self, PolicyChanges, CHROME_WEB_STORE_UPDATE_URL};
use vss_setup::folder_acl;
use vss_setup::host::{self, Browser};
use vss_setup::machine_config::{
    self, parse_modules, parse_origins, parse_switch, ConfigChanges, SetupError,
};
#[cfg(windows)]
use vss_setup::registry;

#[derive(Parser)]
#[command(
    name = "vss-setup",
    version,
    about = "VSS Token Signing: machine setup for installers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Merge deployment properties into the machine config and browser policies.
    Apply(Properties),
    /// Remove the machine config and every policy value this product wrote.
    Remove,
    /// Print the native host manifest for a browser (what the MSI and the .deb install).
    PrintManifest {
        /// chrome, chromium, edge, brave, coccoc (one kind of manifest) or firefox (the other).
        #[arg(long, value_parser = parse_browser)]
        browser: Browser,
        /// The agent's path as the manifest names it (relative to the manifest on Windows).
        #[arg(long)]
        path: String,
    },
}

fn parse_browser(name: &str) -> Result<Browser, String> {
    Browser::from_name(name).ok_or_else(|| format!("unknown browser '{name}'"))
}

/// The MSI properties of the same names (docs/admin.md); an empty value keeps what is there.
#[derive(Args, Default)]
struct Properties {
    /// ALLOWED_ORIGINS: origins added to the built-in BHXH ones (`none` clears).
    #[arg(long, default_value = "")]
    allowed_origins: String,
    /// HASH_SIGNING_ORIGINS: admin-added origins that may ask for blind hash signing.
    #[arg(long, default_value = "")]
    hash_signing_origins: String,
    /// PKCS11_MODULES: `;`-separated absolute paths of CA drivers (PKCS#11 modules).
    #[arg(long = "pkcs11-modules", default_value = "")]
    modules: String,
    /// LOCK_POLICY: 1 = the machine config wins over user config and VSS_* variables, and
    /// Chrome/Edge ignore per-user native host registrations.
    #[arg(long, default_value = "")]
    lock_policy: String,
    /// FORCE_INSTALL_EXTENSION: 1 = Chrome/Edge ExtensionInstallForcelist entry for the extension.
    #[arg(long, default_value = "")]
    force_install_extension: String,
    /// EXTENSION_UPDATE_URL: where the forced extension is fetched from.
    #[arg(long, default_value = "")]
    extension_update_url: String,
    /// ALLOW_LOCAL_NETWORK: 1 = LocalNetworkAccessAllowedForUrls for the allowlisted origins.
    #[arg(long, default_value = "")]
    allow_local_network: String,
    /// BLOCK_LEGACY_EXTENSION: 1 = blocklist the old VSS Token Signing extension.
    #[arg(long, default_value = "")]
    block_legacy_extension: String,
}

impl Properties {
    fn config_changes(&self) -> Result<ConfigChanges, SetupError> {
        Ok(ConfigChanges {
            allowed_origins: parse_origins("ALLOWED_ORIGINS", &self.allowed_origins)?,
            hash_signing_origins: parse_origins(
                "HASH_SIGNING_ORIGINS",
                &self.hash_signing_origins,
            )?,
            modules: parse_modules(&self.modules)?,
            lock: parse_switch("LOCK_POLICY", &self.lock_policy)?,
        })
    }

    /// Policy changes; the Local Network Access list is the allowlist the config now holds.
    fn policy_changes(&self, allowlist: &[String]) -> Result<PolicyChanges, SetupError> {
        let url = match self.extension_update_url.trim() {
            "" => CHROME_WEB_STORE_UPDATE_URL.to_string(),
            url if url.starts_with("https://") => url.to_string(),
            other => {
                return Err(SetupError(format!(
                    "EXTENSION_UPDATE_URL: '{other}' is not an https:// URL"
                )))
            }
        };
        let force = parse_switch("FORCE_INSTALL_EXTENSION", &self.force_install_extension)?;
        let local_network = parse_switch("ALLOW_LOCAL_NETWORK", &self.allow_local_network)?;
        Ok(PolicyChanges {
            force_install: force.map(|on| on.then_some(url)),
            block_legacy_extension: parse_switch(
                "BLOCK_LEGACY_EXTENSION",
                &self.block_legacy_extension,
            )?,
            local_network_origins: local_network.map(|on| {
                if on {
                    allowlist.to_vec()
                } else {
                    Vec::new()
                }
            }),
            forbid_user_level_hosts: parse_switch("LOCK_POLICY", &self.lock_policy)?,
        })
    }
}

fn apply(properties: &Properties) -> Result<(), SetupError> {
    // Every property is checked before anything is written.
    let config_changes = properties.config_changes()?;
    let path = vss_config::config::machine_config_path();
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|e| SetupError(format!("cannot create {}: {e}", folder.display())))?;
        folder_acl::restrict(folder)?;
    }
    let config = machine_config::apply(&path, &config_changes)?;
    let allowlist: Vec<String> = DEFAULT_ORIGINS
        .iter()
        .map(|o| o.to_string())
        .chain(config.extra_origins.iter().cloned())
        .collect();
    let policy_changes = properties.policy_changes(&allowlist)?;
    write_policies(&browser_policy::plan(&policy_changes))?;
    println!("machine config: {}", path.display());
    Ok(())
}

fn remove() -> Result<(), SetupError> {
    write_policies(&browser_policy::plan_removal())?;
    prune_policy_keys(&browser_policy::keys_to_prune());
    machine_config::remove(&vss_config::config::machine_config_path())
}

#[cfg(windows)]
fn write_policies(edits: &[browser_policy::RegistryEdit]) -> Result<(), SetupError> {
    browser_policy::apply(edits)
}

#[cfg(windows)]
fn prune_policy_keys(keys: &[String]) {
    registry::prune_empty_keys(host::Scope::System, keys);
}

/// Elsewhere browser policy is not this tool's job (Linux admins use
/// /etc/opt/chrome/policies/managed/*.json, docs/admin.md); asking for it is an error.
#[cfg(not(windows))]
fn write_policies(edits: &[browser_policy::RegistryEdit]) -> Result<(), SetupError> {
    if edits.is_empty() {
        Ok(())
    } else {
        Err(SetupError(
            "browser policies are written by vss-setup on Windows only; see docs/admin.md".into(),
        ))
    }
}

#[cfg(not(windows))]
fn prune_policy_keys(_keys: &[String]) {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Apply(properties) => apply(properties),
        Command::Remove => remove(),
        Command::PrintManifest { browser, path } => {
            print!("{}", host::manifest_text(browser.manifest_kind(), path));
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vss-setup: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_command_line_changes_nothing() {
        let p = Properties::default();
        assert_eq!(p.config_changes().unwrap(), ConfigChanges::default());
        assert_eq!(p.policy_changes(&[]).unwrap(), PolicyChanges::default());
    }

    #[test]
    fn lock_policy_also_forbids_user_level_hosts() {
        let p = Properties {
            lock_policy: "1".into(),
            ..Default::default()
        };
        assert_eq!(p.config_changes().unwrap().lock, Some(true));
        assert_eq!(
            p.policy_changes(&[]).unwrap().forbid_user_level_hosts,
            Some(true)
        );
    }

    #[test]
    fn a_plain_http_update_url_is_refused() {
        let p = Properties {
            force_install_extension: "1".into(),
            extension_update_url: "http://intranet/crx".into(),
            ..Default::default()
        };
        assert!(p.policy_changes(&[]).is_err());
    }
}
