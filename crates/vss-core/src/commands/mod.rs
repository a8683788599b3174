//! One file per protocol command (DESIGN §2), plus the signing steps they share.

pub mod list_certificates;
pub mod sign_hash;
pub mod sign_xml;
pub mod sign_xml_batch;
pub mod signing;
pub mod status;
pub mod summarize_xml;
pub mod verify_xml;
pub mod version;
