//! Certificates as the product sees them, whoever holds them (a token, a signed dossier, a
//! trust-anchor file): X.509 → the protocol's [`Certificate`](vss_protocol::Certificate) object
//! and the Vietnamese [`Identity`](vss_protocol::Identity) (MST, CCCD, CMND, MNS, HC), validity
//! as of a time, MST matching, and the errors those checks raise (`certificate_expired`,
//! `certificate_not_yet_valid`, `identity_mismatch`), and certification path validation
//! ([`path`], by OpenSSL) and revocation status ([`revocation`]: OCSP, then CRL, cached). No PKCS#11 and no XML here: the token layer
//! (`vss-token`) and the XML layer (`vss-xml`) both build on this crate.

pub mod anchors;
pub mod identity;
pub mod path;
pub mod revocation;
pub mod x509;

pub use anchors::bundled_anchors;
pub use identity::{identity_from_subject, identity_mismatch, mst_matches};
pub use path::{validate_path, ChainLink, PathAtTime, PathFailure, PathProblem, PathReport};
pub use x509::{certificate_id, check_validity, display_date, parse_certificate, reference_to_id};
