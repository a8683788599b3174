//! The boundary to the USB token. Everything PKCS#11 lives here, on `cryptoki`:
//! - [`discovery`]: which module files to try (environment, config, the built-in list of the
//!   Vietnamese CAs' drivers),
//! - [`modules`]: loading each module once per process and enumerating its tokens,
//! - [`certificate`] and [`identity`]: X.509 certificates read from tokens and the Vietnamese
//!   identifiers (MST, CCCD, …) in their subjects,
//! - [`signing`]: PIN login, hash signing (RSA PKCS#1 v1.5 and PSS, ECDSA), logout.
//!
//! The PIN dialog is not here: callers ask the user (crate `vss-dialog`) and hand a [`Pin`] in.

pub mod certificate;
pub mod discovery;
pub mod identity;
pub mod modules;
pub mod pin;
pub mod signing;

pub use certificate::{parse_certificate, CertificateRecord};
pub use discovery::{ModuleSource, BUILTIN_MODULES};
pub use modules::{ModuleStatus, Modules, PinFlags, Token};
pub use pin::Pin;
pub use signing::{EcdsaFormat, HashToSign, SignatureValue, SigningSession};
