//! `verify-xml` on any document: every Signature found is checked (references, transforms,
//! KeyInfo certificates, signature values) without a panic, whatever the document holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vss_xml::{verify, VerifyOptions};

fuzz_target!(|data: &[u8]| {
    let _ = verify(data, &VerifyOptions::default());
});
