//! The Windows registry, 64-bit view (where Chrome, Edge, Cốc Cốc and Firefox read host
//! registrations and policy): the few operations the installers, `vss install-host` and
//! `vss doctor` need. HKCU for [`Scope::User`], HKLM for [`Scope::System`]. Elsewhere only
//! [`read_default`] exists, and finds nothing.

#[cfg(not(windows))]
pub fn read_default(_scope: crate::host::Scope, _key: &str) -> Option<String> {
    None
}

#[cfg(windows)]
pub use imp::*;

#[cfg(windows)]
mod imp {
    use std::ptr;

    use windows_sys::Win32::Foundation::{ERROR_FILE_NOT_FOUND, ERROR_SUCCESS};
    use windows_sys::Win32::System::Registry::{
        RegCloseKey, RegCreateKeyExW, RegDeleteKeyExW, RegDeleteValueW, RegGetValueW,
        RegOpenKeyExW, RegQueryInfoKeyW, RegSetValueExW, HKEY, HKEY_CURRENT_USER,
        HKEY_LOCAL_MACHINE, KEY_ALL_ACCESS, KEY_WOW64_64KEY, REG_DWORD, REG_OPTION_NON_VOLATILE,
        REG_SZ, RRF_RT_REG_SZ, RRF_SUBKEY_WOW6464KEY,
    };

    use crate::host::Scope;
    use crate::machine_config::SetupError;

    fn hive(scope: Scope) -> HKEY {
        match scope {
            Scope::User => HKEY_CURRENT_USER,
            Scope::System => HKEY_LOCAL_MACHINE,
        }
    }

    fn hive_name(scope: Scope) -> &'static str {
        match scope {
            Scope::User => "HKCU",
            Scope::System => "HKLM",
        }
    }

    fn wide(text: &str) -> Vec<u16> {
        text.encode_utf16().chain(Some(0)).collect()
    }

    /// An open key, closed on drop.
    pub struct Key(HKEY);

    impl Drop for Key {
        fn drop(&mut self) {
            // SAFETY: the handle came from RegCreateKeyExW/RegOpenKeyExW and is closed once.
            unsafe { RegCloseKey(self.0) };
        }
    }

    pub fn create(scope: Scope, path: &str) -> Result<Key, SetupError> {
        let mut key: HKEY = ptr::null_mut();
        let wpath = wide(path);
        // SAFETY: valid NUL-terminated path and out pointer.
        let rc = unsafe {
            RegCreateKeyExW(
                hive(scope),
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
            return Err(SetupError(format!(
                "cannot open {}\\{path} (error {rc})",
                hive_name(scope)
            )));
        }
        Ok(Key(key))
    }

    pub fn open(scope: Scope, path: &str) -> Option<Key> {
        let mut key: HKEY = ptr::null_mut();
        let wpath = wide(path);
        // SAFETY: valid NUL-terminated path and out pointer.
        let rc = unsafe {
            RegOpenKeyExW(
                hive(scope),
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

    /// Sets a REG_SZ value (`name` "" is the key's default value).
    pub fn set_string(key: &Key, name: &str, data: &str) -> Result<(), SetupError> {
        let bytes: Vec<u8> = wide(data).iter().flat_map(|u| u.to_le_bytes()).collect();
        set(key, name, REG_SZ, &bytes)
    }

    pub fn set_dword(key: &Key, name: &str, data: u32) -> Result<(), SetupError> {
        set(key, name, REG_DWORD, &data.to_le_bytes())
    }

    pub fn delete_value(key: &Key, name: &str) -> Result<(), SetupError> {
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

    /// The key's default value, if it is a string.
    pub fn read_default(scope: Scope, path: &str) -> Option<String> {
        let wpath = wide(path);
        let mut buffer = vec![0u16; 1024];
        let mut size = u32::try_from(buffer.len() * 2).ok()?;
        // SAFETY: NUL-terminated path; the buffer holds `size` bytes.
        let rc = unsafe {
            RegGetValueW(
                hive(scope),
                wpath.as_ptr(),
                ptr::null(),
                RRF_RT_REG_SZ | RRF_SUBKEY_WOW6464KEY,
                ptr::null_mut(),
                buffer.as_mut_ptr().cast(),
                &mut size,
            )
        };
        if rc != ERROR_SUCCESS {
            return None;
        }
        let len = (size as usize / 2).min(buffer.len());
        let text = String::from_utf16_lossy(&buffer[..len]);
        Some(text.trim_end_matches('\0').to_string())
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

    /// Deletes a key without subkeys (its values go with it); a missing key is fine.
    pub fn delete_key(scope: Scope, path: &str) -> Result<(), SetupError> {
        let wpath = wide(path);
        // SAFETY: NUL-terminated path.
        let rc = unsafe { RegDeleteKeyExW(hive(scope), wpath.as_ptr(), KEY_WOW64_64KEY, 0) };
        if rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND {
            return Err(SetupError(format!(
                "cannot delete {}\\{path} (error {rc})",
                hive_name(scope)
            )));
        }
        Ok(())
    }

    /// Deletes each key that exists and is empty (so an uninstall leaves no empty keys behind;
    /// a key holding anything of an admin's stays).
    pub fn prune_empty_keys(scope: Scope, keys: &[String]) {
        for path in keys {
            let empty = open(scope, path).is_some_and(|key| is_empty(&key));
            if empty {
                let _ = delete_key(scope, path);
            }
        }
    }
}
