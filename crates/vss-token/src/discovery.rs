//! Which PKCS#11 module files to load: `VSS_PKCS11_MODULE`, else the config file's list, else
//! the built-in list of known drivers (kept as data below, easy to extend). Modules are always
//! named by absolute path from these sources; no request can name one.

use std::path::{Path, PathBuf};

/// Known token drivers, by platform. Windows entries are DLL names looked up in System32 (where
/// the CAs' installers put them); Unix entries are absolute paths.
pub const BUILTIN_MODULES: &[(&str, &str)] = &[
    // (platform, file)
    ("windows", "vnpt-ca_csp11.dll"),
    ("windows", "viettel-ca_v6.dll"),
    ("windows", "viettel-ca_v5.dll"),
    ("windows", "viettel-ca_v4.dll"),
    ("windows", "viettel-ca_v3.dll"),
    ("windows", "viettel-ca_v2.dll"),
    ("windows", "viettel-ca_v1.dll"),
    ("windows", "fptca_v6.dll"),
    ("windows", "fptca_v5.dll"),
    ("windows", "fptca_v4.dll"),
    ("windows", "fptca_v3.dll"),
    ("windows", "fptca.dll"),
    ("windows", "BkavCA.dll"),
    ("windows", "BkavCAv2S.dll"),
    ("windows", "CA2_csp11.dll"),
    ("windows", "nca_v9.dll"),
    ("windows", "nca_v8.dll"),
    ("windows", "nca_v7.dll"),
    ("windows", "nca_v6.dll"),
    ("windows", "safe-ca.dll"),
    ("windows", "efy-ca_v1.dll"),
    ("windows", "Vina-CAv10.dll"),
    ("windows", "Vina-CAv9.dll"),
    ("windows", "Vina-CAv8.dll"),
    ("windows", "newca_v4.dll"),
    ("windows", "fca_v1.dll"),
    ("windows", "misaca_csp11_v2.dll"),
    ("windows", "eps2003csp11.dll"),
    ("windows", "ShuttleCsp11_3003.dll"),
    ("windows", "eTPKCS11.dll"),
    ("windows", "wdpkcs.dll"),
    ("linux", "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so"),
    ("linux", "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"),
    ("linux", "/usr/lib/libcastle.so.1.0.0"),
    ("linux", "/usr/lib/libeTPkcs11.so"),
    ("linux", "/usr/lib/softhsm/libsofthsm2.so"),
    ("macos", "/usr/local/lib/p11-kit-proxy.dylib"),
    ("macos", "/Library/OpenSC/lib/opensc-pkcs11.so"),
    ("macos", "/usr/local/lib/libcastle.1.0.0.dylib"),
    ("macos", "/usr/local/lib/libeTPkcs11.dylib"),
    ("macos", "/usr/local/lib/softhsm/libsofthsm2.so"),
];

/// Where the module list came from: explicit sources report every missing file; the built-in
/// list skips drivers that are simply not installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleSource {
    Environment,
    Config,
    Builtin,
}

/// The module paths to try, from the first source that names any.
pub fn module_candidates(env: Option<&str>, config: &[PathBuf]) -> (ModuleSource, Vec<PathBuf>) {
    if let Some(list) = env.filter(|s| !s.trim().is_empty()) {
        let paths = std::env::split_paths(list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        return (ModuleSource::Environment, paths);
    }
    if !config.is_empty() {
        return (ModuleSource::Config, config.to_vec());
    }
    (ModuleSource::Builtin, builtin_for_this_os())
}

fn current_platform() -> &'static str {
    if cfg!(windows) {
        "windows"
    } else if cfg!(target_os = "macos") {
        "macos"
    } else {
        "linux"
    }
}

/// The built-in drivers of this OS that are installed.
pub fn builtin_for_this_os() -> Vec<PathBuf> {
    BUILTIN_MODULES
        .iter()
        .filter(|(platform, _)| *platform == current_platform())
        .map(|(_, file)| resolve_builtin(file))
        .filter(|p| p.is_file())
        .collect()
}

fn resolve_builtin(file: &str) -> PathBuf {
    let path = Path::new(file);
    if path.is_absolute() {
        return path.to_path_buf();
    }
    // Windows DLL names: the CAs install them into System32; load by absolute path only.
    let system_root = std::env::var_os("SystemRoot").unwrap_or_else(|| "C:\\Windows".into());
    PathBuf::from(system_root).join("System32").join(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_wins_over_config_and_builtin() {
        let (source, paths) = module_candidates(Some("/a.so:/b.so"), &[PathBuf::from("/c.so")]);
        assert_eq!(source, ModuleSource::Environment);
        assert_eq!(paths, vec![PathBuf::from("/a.so"), PathBuf::from("/b.so")]);
        let (source, paths) = module_candidates(Some(""), &[PathBuf::from("/c.so")]);
        assert_eq!(source, ModuleSource::Config);
        assert_eq!(paths, vec![PathBuf::from("/c.so")]);
    }

    #[test]
    fn builtin_list_names_every_vietnamese_ca_driver() {
        for dll in [
            "vnpt-ca_csp11.dll",
            "viettel-ca_v6.dll",
            "BkavCAv2S.dll",
            "misaca_csp11_v2.dll",
            "wdpkcs.dll",
        ] {
            assert!(BUILTIN_MODULES.iter().any(|(_, f)| *f == dll), "{dll}");
        }
    }
}
