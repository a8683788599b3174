//! The boundary to the USB token. Everything PKCS#11 lives here, on `cryptoki`:
//! - [`discovery`]: which module files to try (environment, config, the built-in list of the
//!   Vietnamese CAs' drivers),
//! - [`modules`]: loading each module once per process and enumerating its tokens,
//! - [`watchdog`]: a time limit on every call into a module (a hung driver hangs nothing else),
//! - [`call_record`]: the on-disk record of calls in flight that names a driver after it
//!   crashed the process,
//! - [`record`]: a certificate on a token (parsed by `vss-cert`) paired with its key,
//! - [`signing`]: PIN login, hash signing (RSA PKCS#1 v1.5 and PSS, ECDSA), logout.
//!
//! The PIN dialog is not here: callers ask the user (crate `vss-dialog`) and hand a [`Pin`] in.

pub mod call_record;
pub mod discovery;
pub mod modules;
pub mod pin;
pub mod record;
pub mod signing;
pub mod watchdog;

pub use call_record::DriverCrash;
pub use discovery::{ModuleSource, BUILTIN_MODULES};
pub use modules::{DriverSettings, ModuleStatus, Modules, PinFlags, Token};
pub use pin::Pin;
pub use record::CertificateRecord;
pub use signing::{EcdsaFormat, HashToSign, SignatureValue, SigningSession};
pub use watchdog::DriverLimits;
