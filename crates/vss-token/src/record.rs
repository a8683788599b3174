//! A certificate found on a token, paired with what the token layer needs to sign with its key.

use time::OffsetDateTime;
use vss_protocol::{Certificate, Result};

/// A certificate as found on a token, with the handle of its private key.
#[derive(Debug, Clone)]
pub struct CertificateRecord {
    pub certificate: Certificate,
    pub der: Vec<u8>,
    /// CKA_ID shared by the certificate and its private key.
    pub cka_id: Vec<u8>,
    /// Index of the module in [`crate::Modules`].
    pub module: usize,
    /// Whether the certificate is an end-entity signing certificate (not a CA of the chain).
    pub is_signing: bool,
}

impl CertificateRecord {
    /// `certificate_expired` / `certificate_not_yet_valid` unless valid at `now`.
    pub fn check_validity(&self, now: OffsetDateTime) -> Result<()> {
        vss_cert::check_validity(&self.certificate, now)
    }
}
