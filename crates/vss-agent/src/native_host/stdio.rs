//! Keeps the frame channel private. Before any PKCS#11 module is loaded, the protocol output is
//! moved to a duplicate of the original stdout and stdout is pointed at stderr, so a vendor
//! library that prints cannot corrupt frames (DESIGN §5).

use std::fs::File;
use std::io;

/// Returns the private protocol channel; afterwards fd 1 is a copy of stderr.
#[cfg(unix)]
pub fn take_protocol_stdout() -> io::Result<File> {
    use std::os::fd::{AsFd, AsRawFd};
    let protocol = io::stdout().as_fd().try_clone_to_owned()?;
    // SAFETY: dup2 on two descriptors this process owns (stderr, stdout); no Rust object owns
    // fd 1 exclusively, and `std::io::stdout` keeps writing to whatever fd 1 now is.
    let rc = unsafe { libc::dup2(io::stderr().as_raw_fd(), io::stdout().as_raw_fd()) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(File::from(protocol))
}

/// Windows: the protocol output is a duplicate of the stdout handle; then the process's
/// STD_OUTPUT_HANDLE (what a DLL's own C runtime picks up when it loads, and what `WriteFile`
/// on `GetStdHandle` reaches) and fd 1 of msvcrt.dll (already initialised, shared with older
/// DLLs built with MinGW) are pointed at stderr, or at NUL when Chrome gave no stderr.
#[cfg(windows)]
pub fn take_protocol_stdout() -> io::Result<File> {
    use std::ffi::c_void;
    use std::os::windows::io::AsHandle;

    const STD_OUTPUT_HANDLE: u32 = -11i32 as u32;
    const STD_ERROR_HANDLE: u32 = -12i32 as u32;
    const O_WRONLY: i32 = 1;
    #[link(name = "kernel32")]
    extern "system" {
        fn GetStdHandle(which: u32) -> *mut c_void;
        fn SetStdHandle(which: u32, handle: *mut c_void) -> i32;
    }
    extern "C" {
        fn _dup2(from: i32, to: i32) -> i32;
        fn _open(path: *const std::ffi::c_char, flags: i32, ...) -> i32;
    }

    let protocol = io::stdout().as_handle().try_clone_to_owned()?;
    // SAFETY: plain Win32 and C runtime calls on this process's standard handles; the
    // protocol handle was duplicated above, so closing the old fd 1 cannot close it.
    unsafe {
        let stderr = GetStdHandle(STD_ERROR_HANDLE);
        let has_stderr = !stderr.is_null() && stderr as isize != -1;
        let target = if has_stderr {
            stderr
        } else {
            use std::os::windows::io::IntoRawHandle;
            // Lives until the process exits: it is the new standard output.
            std::fs::OpenOptions::new()
                .write(true)
                .open("NUL")?
                .into_raw_handle()
        };
        if SetStdHandle(STD_OUTPUT_HANDLE, target) == 0 {
            return Err(io::Error::last_os_error());
        }
        let crt_target = if has_stderr {
            2
        } else {
            _open(c"NUL".as_ptr(), O_WRONLY)
        };
        if crt_target < 0 || _dup2(crt_target, 1) != 0 {
            return Err(io::Error::other("cannot redirect the C runtime's stdout"));
        }
    }
    Ok(File::from(protocol))
}
