//! `list-certificates` `{"filter": {"mst"?, "include_expired"?}}` → `{"certificates": [...]}`.
//! An empty answer is explained instead: no token, no certificates, only expired ones, or only
//! another unit's (wrong token plugged in). A web origin gets each token's serial only as the
//! per-origin hash `status` gives it ([`Caller::token_serial`]).

use time::OffsetDateTime;
use vss_cert::{identity_mismatch, mst_matches};
use vss_protocol::command::ListCertificatesArgs;
use vss_protocol::{CertificateList, Error, ErrorCode, Result};

use crate::caller::Caller;
use crate::service::Service;

pub fn run(
    service: &Service,
    caller: &Caller,
    args: &ListCertificatesArgs,
) -> Result<CertificateList> {
    let now = OffsetDateTime::now_utc();
    let all = service.modules().signing_certificates(now, true)?;
    if all.is_empty() {
        return Err(Error::new(ErrorCode::NoCertificates));
    }
    let of_unit: Vec<_> = match &args.filter.mst {
        Some(mst) => all
            .iter()
            .filter(|(_, r)| {
                r.certificate
                    .identity
                    .mst
                    .as_deref()
                    .is_some_and(|m| mst_matches(m, mst))
            })
            .collect(),
        None => all.iter().collect(),
    };
    if of_unit.is_empty() {
        let expected = args.filter.mst.clone().unwrap_or_default();
        let found: Vec<&str> = all
            .iter()
            .filter_map(|(_, r)| r.certificate.identity.mst.as_deref())
            .collect();
        return Err(identity_mismatch(&expected, &found));
    }
    let usable: Vec<_> = of_unit
        .iter()
        .filter(|(_, r)| args.filter.include_expired || r.certificate.valid_now)
        .collect();
    if usable.is_empty() {
        // Only expired (or not yet valid) certificates: say so, with the newest one's date.
        let newest = of_unit
            .iter()
            .max_by(|a, b| a.1.certificate.not_after.cmp(&b.1.certificate.not_after));
        if let Some((_, record)) = newest {
            record.check_validity(now)?;
        }
        return Err(Error::new(ErrorCode::NoCertificates));
    }
    Ok(CertificateList {
        certificates: usable
            .iter()
            .map(|(_, r)| {
                let mut certificate = r.certificate.clone();
                certificate.token.serial = caller.token_serial(&certificate.token.serial);
                certificate
            })
            .collect(),
    })
}
