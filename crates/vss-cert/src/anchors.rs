//! The trust anchors bundled with the product (anchors/README.md says where each comes from),
//! each pinned by the SHA-256 of its DER: a certificate whose bytes do not match its pin is
//! never used as an anchor.

use sha2::{Digest, Sha256};

/// One bundled root.
#[derive(Debug, Clone, Copy)]
pub struct BundledAnchor {
    pub name: &'static str,
    /// Lowercase hex SHA-256 of the DER, checked against at least two public sources.
    pub sha256: &'static str,
    pub pem: &'static str,
}

/// Every bundled root.
pub const BUNDLED: &[BundledAnchor] = &[BundledAnchor {
    name: "Vietnam National Root CA",
    sha256: "bac8bf609ab420a8ee1780d74f4de5c7f7184959d2a7375b0a75e4c29f0908e7",
    pem: include_str!("../anchors/vietnam-national-root-ca.pem"),
}];

/// The DER of `pem` when it is one certificate whose SHA-256 is `sha256`; `None` otherwise.
pub fn pinned_der(pem: &str, sha256: &str) -> Option<Vec<u8>> {
    let mut certificates = x509_parser::pem::Pem::iter_from_buffer(pem.as_bytes());
    let first = certificates.next()?.ok()?;
    if certificates.next().is_some() || first.label != "CERTIFICATE" {
        return None;
    }
    (hex::encode(Sha256::digest(&first.contents)) == sha256).then_some(first.contents)
}

/// The DER of every bundled root that matches its pin.
pub fn bundled_anchors() -> Vec<Vec<u8>> {
    BUNDLED
        .iter()
        .filter_map(|a| pinned_der(a.pem, a.sha256))
        .collect()
}
