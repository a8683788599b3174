//! The certificate reader (vss-cert) on any DER, as a token or a KeyInfo hands it over, and
//! the identity reader on any subject attributes (MST/CCCD in UID, O, CN).
#![no_main]

use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;
use vss_cert::x509::parse_certificate;
use vss_protocol::TokenRef;

fuzz_target!(|data: &[u8]| {
    let token = TokenRef {
        slot: 0,
        label: "fuzz".into(),
        serial: "0".into(),
    };
    let now = OffsetDateTime::from_unix_timestamp(1_790_000_000).expect("a date");
    let _ = parse_certificate(data, token, now);
    // Subject attributes: lines of `NAME=value`.
    if let Ok(text) = std::str::from_utf8(data) {
        let pairs: Vec<(&str, &str)> = text.lines().filter_map(|l| l.split_once('=')).collect();
        let identity = vss_cert::identity::identity_from_subject(pairs.iter().copied());
        if let Some(mst) = identity.mst.as_deref() {
            assert!(vss_cert::identity::mst_matches(mst, mst));
        }
        let _ = vss_cert::x509::reference_to_id(text);
    }
});
