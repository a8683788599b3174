//! The user's PIN: zeroized when dropped, never printed.

use std::fmt;

use zeroize::Zeroizing;

/// A PIN typed by the user. `Debug` does not show it; the memory is wiped on drop.
pub struct Pin(Zeroizing<String>);

impl Pin {
    pub fn new(pin: Zeroizing<String>) -> Self {
        Pin(pin)
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(<hidden>)")
    }
}
