//! The machine config folder is writable by administrators only (DESIGN §5): %ProgramData% lets
//! every user create files in new subfolders, which would let a user plant the machine config
//! the agent trusts over theirs. The DACL is set explicitly and protected from inheritance.

/// SYSTEM and Administrators: full control; Users: read and execute. Inherited by the config
/// file and anything else created in the folder.
#[cfg(windows)]
pub const CONFIG_FOLDER_SDDL: &str = "D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)";

#[cfg(windows)]
pub fn restrict(folder: &std::path::Path) -> Result<(), crate::machine_config::SetupError> {
    use std::os::windows::ffi::OsStrExt;
    use std::ptr;

    use windows_sys::Win32::Foundation::{LocalFree, ERROR_SUCCESS};
    use windows_sys::Win32::Security::Authorization::{
        ConvertStringSecurityDescriptorToSecurityDescriptorW, SetNamedSecurityInfoW,
        SDDL_REVISION_1, SE_FILE_OBJECT,
    };
    use windows_sys::Win32::Security::{
        GetSecurityDescriptorDacl, ACL, DACL_SECURITY_INFORMATION,
        PROTECTED_DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR,
    };

    use crate::machine_config::SetupError;

    let fail = |what: &str| {
        SetupError(format!(
            "cannot restrict {} to administrators: {what} ({})",
            folder.display(),
            std::io::Error::last_os_error()
        ))
    };
    let sddl: Vec<u16> = CONFIG_FOLDER_SDDL.encode_utf16().chain(Some(0)).collect();
    let mut path: Vec<u16> = folder.as_os_str().encode_wide().chain(Some(0)).collect();
    let mut descriptor: PSECURITY_DESCRIPTOR = ptr::null_mut();
    // SAFETY: NUL-terminated SDDL; the descriptor is allocated by the call and freed below.
    let ok = unsafe {
        ConvertStringSecurityDescriptorToSecurityDescriptorW(
            sddl.as_ptr(),
            SDDL_REVISION_1,
            &mut descriptor,
            ptr::null_mut(),
        )
    };
    if ok == 0 {
        return Err(fail("bad descriptor"));
    }
    let (mut present, mut defaulted) = (0i32, 0i32);
    let mut dacl: *mut ACL = ptr::null_mut();
    // SAFETY: `descriptor` is valid until LocalFree; `dacl` points into it.
    let result = unsafe {
        if GetSecurityDescriptorDacl(descriptor, &mut present, &mut dacl, &mut defaulted) == 0 {
            Err(fail("no DACL"))
        } else {
            // Propagates to the files already in the folder (an older config.toml).
            let rc = SetNamedSecurityInfoW(
                path.as_mut_ptr(),
                SE_FILE_OBJECT,
                DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                ptr::null_mut(),
                ptr::null_mut(),
                dacl,
                ptr::null(),
            );
            if rc == ERROR_SUCCESS {
                Ok(())
            } else {
                Err(SetupError(format!(
                    "cannot restrict {} to administrators (error {rc})",
                    folder.display()
                )))
            }
        }
    };
    // SAFETY: allocated by ConvertStringSecurityDescriptorToSecurityDescriptorW.
    unsafe { LocalFree(descriptor) };
    result
}

/// Unix: /etc is root's already; the package creates the folder root-owned, mode 0755.
#[cfg(not(windows))]
pub fn restrict(_folder: &std::path::Path) -> Result<(), crate::machine_config::SetupError> {
    Ok(())
}
