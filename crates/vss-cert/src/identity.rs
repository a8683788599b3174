//! Vietnamese identifiers in certificate subjects. CAs put them in `UID`
//! (0.9.2342.19200300.100.1.1) entries such as `MST:0101234567-001`, `CCCD:001099012345`,
//! sometimes several in one subject; some put `MST:…` in O or CN instead.

use vss_protocol::{Error, ErrorCode, Identity};

/// Reads identifiers from a subject's attributes, given as (short name or OID, value) pairs.
/// `UID` entries come first; O and CN are read only for identifiers still missing.
pub fn identity_from_subject<'a>(
    attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Identity {
    let attributes: Vec<(&str, &str)> = attributes.into_iter().collect();
    let mut identity = Identity::default();
    for (name, value) in &attributes {
        if is_uid(name) {
            read_tagged(value, &mut identity);
        }
    }
    for (name, value) in &attributes {
        if matches!(
            name.to_ascii_uppercase().as_str(),
            "O" | "CN" | "2.5.4.10" | "2.5.4.3"
        ) {
            let mut fallback = Identity::default();
            read_tagged(value, &mut fallback);
            fill_missing(&mut identity, fallback);
        }
    }
    identity
}

fn is_uid(name: &str) -> bool {
    name.eq_ignore_ascii_case("UID") || name == "0.9.2342.19200300.100.1.1"
}

/// Finds every `TAG:value` in `text` (e.g. `CÔNG TY A - MST:0101234567`).
fn read_tagged(text: &str, identity: &mut Identity) {
    const TAGS: &[&str] = &["MST", "CCCD", "CMND", "MNS", "HC"];
    let upper = text.to_uppercase();
    for tag in TAGS {
        let mut search_from = 0;
        while let Some(pos) = upper[search_from..].find(tag).map(|p| p + search_from) {
            search_from = pos + tag.len();
            // The tag must start a word, so "HC" inside "XHCN" is not a passport.
            let starts_word = upper[..pos]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let rest = upper[search_from..].trim_start();
            if !starts_word || !(rest.starts_with(':') || rest.starts_with('=')) {
                continue;
            }
            let value: String = rest[1..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if value.is_empty() {
                continue;
            }
            let slot = match *tag {
                "MST" => &mut identity.mst,
                "CCCD" => &mut identity.cccd,
                "CMND" => &mut identity.cmnd,
                "MNS" => &mut identity.mns,
                _ => &mut identity.hc,
            };
            slot.get_or_insert(value);
        }
    }
}

fn fill_missing(identity: &mut Identity, other: Identity) {
    identity.mst = identity.mst.take().or(other.mst);
    identity.cccd = identity.cccd.take().or(other.cccd);
    identity.cmnd = identity.cmnd.take().or(other.cmnd);
    identity.mns = identity.mns.take().or(other.mns);
    identity.hc = identity.hc.take().or(other.hc);
}

/// Whether a certificate's MST is the unit's `expected` one. Exact (ignoring spaces): a branch
/// `0101234567-001` is a unit of its own on the portal, not its parent `0101234567`.
pub fn mst_matches(certificate_mst: &str, expected: &str) -> bool {
    let norm = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let (cert, expected) = (norm(certificate_mst), norm(expected));
    cert == expected
}

/// `identity_mismatch` naming the expected MST and the ones found (sorted, once each): the wrong
/// unit's token is plugged in, or a dossier of another unit was given.
pub fn identity_mismatch(expected: &str, found: &[&str]) -> Error {
    let mut found: Vec<&str> = found.to_vec();
    found.sort_unstable();
    found.dedup();
    let actual = if found.is_empty() {
        "—".to_string()
    } else {
        found.join(", ")
    };
    Error::new(ErrorCode::IdentityMismatch)
        // The message's selector: another unit's token (a dossier the agent cannot read plainly
        // is the other kind, `dossier_unreadable`, raised by vss-xml's check_identity).
        .arg("kind", "other_unit")
        .arg("expected", expected.to_string())
        .arg("actual", actual.clone())
        .detail("expected", expected)
        .detail("actual", actual)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_with_branch_tax_code() {
        let id = identity_from_subject([("CN", "CÔNG TY TNHH ABC"), ("UID", "MST:0101234567-001")]);
        assert_eq!(id.mst.as_deref(), Some("0101234567-001"));
        assert_eq!(id.cccd, None);
    }

    #[test]
    fn several_uid_entries() {
        let id = identity_from_subject([
            ("UID", "CCCD:001099012345"),
            ("0.9.2342.19200300.100.1.1", "MST:0312345678"),
            ("CN", "Nguyễn Văn A"),
        ]);
        assert_eq!(id.mst.as_deref(), Some("0312345678"));
        assert_eq!(id.cccd.as_deref(), Some("001099012345"));
    }

    #[test]
    fn mst_in_organisation_when_no_uid() {
        let id = identity_from_subject([("O", "MST: 0109876543"), ("CN", "CÔNG TY CP XYZ")]);
        assert_eq!(id.mst.as_deref(), Some("0109876543"));
    }

    #[test]
    fn uid_wins_over_organisation() {
        let id = identity_from_subject([("O", "MST:1111111111"), ("UID", "MST:2222222222")]);
        assert_eq!(id.mst.as_deref(), Some("2222222222"));
    }

    #[test]
    fn cmnd_mns_and_passport() {
        let id = identity_from_subject([
            ("UID", "CMND:123456789"),
            ("UID", "MNS:1012345"),
            ("UID", "HC:B1234567"),
        ]);
        assert_eq!(id.cmnd.as_deref(), Some("123456789"));
        assert_eq!(id.mns.as_deref(), Some("1012345"));
        assert_eq!(id.hc.as_deref(), Some("B1234567"));
    }

    #[test]
    fn tag_must_start_a_word() {
        let id = identity_from_subject([("O", "CỘNG HOÀ XHCN: không phải hộ chiếu")]);
        assert_eq!(id.hc, None);
    }

    #[test]
    fn nothing_found_is_empty() {
        assert_eq!(identity_from_subject([("CN", "Test")]), Identity::default());
    }

    #[test]
    fn tax_codes_compare_exactly() {
        assert!(mst_matches("0101234567-001", "0101234567-001"));
        assert!(!mst_matches("0101234567-001", "0101234567"));
        assert!(!mst_matches("0312345678", "0101234567"));
    }
}
