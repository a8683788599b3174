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

/// Windows: the protocol output is a duplicate of the stdout handle. Redirecting the C runtime's
/// stdout of vendor DLLs is done by the Windows build (installer issue).
#[cfg(windows)]
pub fn take_protocol_stdout() -> io::Result<File> {
    use std::os::windows::io::AsHandle;
    let protocol = io::stdout().as_handle().try_clone_to_owned()?;
    Ok(File::from(protocol))
}
