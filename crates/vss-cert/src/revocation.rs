//! Revocation status of a certificate, as a CA's own verification service learns it: OCSP at the
//! certificate's AIA responder first, then the CRL at its distribution point; every answer is
//! checked (the responder's or CRL's signature by the issuer, or an OCSP responder the issuer
//! delegated to; freshness against thisUpdate/nextUpdate) by OpenSSL (`openssl::ocsp`,
//! `X509Crl`), and kept in a disk cache until its nextUpdate.
//!
//! Network: plain HTTP (OCSP and CRL are signed data and their URLs are `http://` in practice; an
//! `https://` address is skipped), short timeouts from `vss_protocol::limits`, and the proxy the
//! environment names (`http_proxy`/`HTTP_PROXY`, minus `no_proxy`/`NO_PROXY`; loopback never
//! goes through a proxy). The Windows system proxy (WinINet) is not read.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use openssl::hash::MessageDigest;
use openssl::ocsp::{
    OcspCertId, OcspCertStatus, OcspFlag, OcspRequest, OcspResponse, OcspResponseStatus,
};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::X509VerifyFlags;
use openssl::x509::{CrlStatus, X509Crl, X509};
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vss_protocol::limits;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::oid_registry::{
    OID_PKIX_ACCESS_DESCRIPTOR_CA_ISSUERS, OID_PKIX_ACCESS_DESCRIPTOR_OCSP,
};
use x509_parser::prelude::{FromDer, X509Certificate};

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Ocsp,
    Crl,
}

/// Why the status could not be learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownReason {
    /// The issuer's certificate is not at hand (token, document, anchors), so no request can
    /// be made or answer checked.
    NoIssuer,
    /// The certificate names no OCSP responder and no CRL over HTTP.
    NoAddress,
    /// No responder or CRL server answered in time (offline, down, blocked).
    Unreachable,
    /// An answer came but was unusable: not signed by the issuer, stale, malformed, or the
    /// responder does not know the certificate.
    BadAnswer,
}

impl UnknownReason {
    /// The stable string (`unreachable`, …), also the message key suffix.
    pub fn code(self) -> &'static str {
        match self {
            UnknownReason::NoIssuer => "no_issuer",
            UnknownReason::NoAddress => "no_address",
            UnknownReason::Unreachable => "unreachable",
            UnknownReason::BadAnswer => "bad_answer",
        }
    }

    pub const ALL: [UnknownReason; 4] = [
        UnknownReason::NoIssuer,
        UnknownReason::NoAddress,
        UnknownReason::Unreachable,
        UnknownReason::BadAnswer,
    ];
}

/// The revocation status of one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Revocation {
    Good {
        source: Source,
        /// Taken from the disk cache (fetched earlier, before its nextUpdate).
        cached: bool,
        /// RFC 3339.
        next_update: Option<String>,
    },
    Revoked {
        source: Source,
        cached: bool,
        /// RFC 3339.
        revoked_at: String,
        /// RFC 5280 reason name, when the CA gave one.
        reason: Option<String>,
    },
    Unknown {
        reason: UnknownReason,
        /// What went wrong, in English, for logs and experts.
        detail: String,
    },
}

impl Revocation {
    pub fn is_revoked(&self) -> bool {
        matches!(self, Revocation::Revoked { .. })
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Revocation::Unknown { .. })
    }
    /// `good`, `revoked` or `unknown`.
    pub fn code(&self) -> &'static str {
        match self {
            Revocation::Good { .. } => "good",
            Revocation::Revoked { .. } => "revoked",
            Revocation::Unknown { .. } => "unknown",
        }
    }
}

/// How to check.
#[derive(Debug, Clone)]
pub struct RevocationConfig {
    /// Where answers are cached (`None`: no cache).
    pub cache_dir: Option<PathBuf>,
    pub connect_timeout: Duration,
    pub timeout: Duration,
}

impl Default for RevocationConfig {
    fn default() -> Self {
        RevocationConfig {
            cache_dir: default_cache_dir(),
            connect_timeout: limits::REVOCATION_CONNECT_TIMEOUT,
            timeout: limits::REVOCATION_TIMEOUT,
        }
    }
}

/// The per-user cache directory, beside the product's config and logs
/// (`~/.cache/vsstokensigning/revocation` on Linux,
/// `%LOCALAPPDATA%\VSS\VSS Token Signing\cache\revocation` on Windows).
pub fn default_cache_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("vn", "VSS", "VSS Token Signing")
        .map(|d| d.cache_dir().join("revocation"))
}

/// The issuer of `cert` among `candidates` (DER): the one whose subject is the certificate's
/// issuer name and whose key verifies its signature.
pub fn find_issuer<'a>(cert: &[u8], candidates: &'a [Vec<u8>]) -> Option<&'a [u8]> {
    let leaf = X509::from_der(cert).ok()?;
    let issuer_name = leaf.issuer_name().to_der().ok()?;
    candidates.iter().map(Vec::as_slice).find(|c| {
        X509::from_der(c).is_ok_and(|i| {
            i.subject_name().to_der().ok().as_deref() == Some(issuer_name.as_slice())
                && i.public_key()
                    .is_ok_and(|k| leaf.verify(&k).unwrap_or(false))
        })
    })
}

/// The status of `cert` (DER) issued by `issuer` (DER), as of `now`: OCSP first, then CRL.
pub fn check(
    cert: &[u8],
    issuer: Option<&[u8]>,
    now: OffsetDateTime,
    config: &RevocationConfig,
) -> Revocation {
    let Some(issuer) = issuer else {
        return unknown(UnknownReason::NoIssuer, "issuer certificate not available");
    };
    let (Ok(leaf), Ok(ca)) = (X509::from_der(cert), X509::from_der(issuer)) else {
        return unknown(UnknownReason::BadAnswer, "certificate does not parse");
    };
    let (ocsp_urls, crl_urls) = addresses(cert);
    if ocsp_urls.is_empty() && crl_urls.is_empty() {
        return unknown(
            UnknownReason::NoAddress,
            "no OCSP responder or CRL distribution point over http",
        );
    }
    // A server that answered badly says more than one that did not answer: that is reported.
    let mut bad_answer: Option<Revocation> = None;
    let mut unreachable: Option<Revocation> = None;
    let cache = config.cache_dir.as_deref();
    // OCSP first, then the CRLs: the same steps for each address, with its own fetch and reading.
    let sources = (ocsp_urls.iter().map(|url| (Source::Ocsp, url)))
        .chain(crl_urls.iter().map(|url| (Source::Crl, url)));
    for (source, url) in sources {
        let label = source.label();
        let key = match source {
            Source::Ocsp => cache_key("ocsp", cert),
            Source::Crl => cache_key("crl", url.as_bytes()),
        };
        let answer = |der: &[u8]| match source {
            Source::Ocsp => ocsp_answer(der, &leaf, &ca, now),
            Source::Crl => crl_answer(der, &leaf, &ca, now),
        };
        if let Some(answer) = cached(cache, &key, answer) {
            return answer;
        }
        if recently_unreachable(url) {
            unreachable.get_or_insert(unknown(
                UnknownReason::Unreachable,
                &format!("{label} {url}: unreachable moments ago"),
            ));
            continue;
        }
        let fetched = match source {
            Source::Ocsp => post_ocsp(url, &leaf, &ca, config),
            Source::Crl => get(url, limits::MAX_CRL_BYTES, config),
        };
        match fetched {
            Ok(der) => match answer(&der) {
                Ok(answer) => {
                    store(cache, &key, &der);
                    return answer.with_cached(false);
                }
                Err(e) => {
                    bad_answer.get_or_insert(unknown(
                        UnknownReason::BadAnswer,
                        &format!("{label} {url}: {e}"),
                    ));
                }
            },
            Err(e) => {
                mark_unreachable(url);
                unreachable.get_or_insert(unknown(
                    UnknownReason::Unreachable,
                    &format!("{label} {url}: {e}"),
                ));
            }
        }
    }
    bad_answer
        .or(unreachable)
        .unwrap_or_else(|| unknown(UnknownReason::NoAddress, "no usable address"))
}

impl Source {
    /// "OCSP" or "CRL", as people and logs name it.
    pub fn label(self) -> &'static str {
        match self {
            Source::Ocsp => "OCSP",
            Source::Crl => "CRL",
        }
    }
}

impl Revocation {
    fn with_cached(self, from_cache: bool) -> Revocation {
        match self {
            Revocation::Good {
                source,
                next_update,
                ..
            } => Revocation::Good {
                source,
                cached: from_cache,
                next_update,
            },
            Revocation::Revoked {
                source,
                revoked_at,
                reason,
                ..
            } => Revocation::Revoked {
                source,
                cached: from_cache,
                revoked_at,
                reason,
            },
            other => other,
        }
    }
}

fn unknown(reason: UnknownReason, detail: &str) -> Revocation {
    Revocation::Unknown {
        reason,
        detail: detail.to_string(),
    }
}

/// The certificate's OCSP responders and CRL distribution points over http.
pub fn addresses(cert: &[u8]) -> (Vec<String>, Vec<String>) {
    let mut ocsp = Vec::new();
    let mut crl = Vec::new();
    let Ok((_, x509)) = X509Certificate::from_der(cert) else {
        return (ocsp, crl);
    };
    for ext in x509.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for desc in &aia.accessdescs {
                    if desc.access_method == OID_PKIX_ACCESS_DESCRIPTOR_OCSP {
                        if let GeneralName::URI(uri) = desc.access_location {
                            ocsp.push(uri.to_string());
                        }
                    }
                }
            }
            ParsedExtension::CRLDistributionPoints(points) => {
                for point in points.iter() {
                    if let Some(DistributionPointName::FullName(names)) = &point.distribution_point
                    {
                        for name in names {
                            if let GeneralName::URI(uri) = name {
                                crl.push(uri.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let http = |u: &String| u.to_ascii_lowercase().starts_with("http://");
    ocsp.retain(http);
    crl.retain(http);
    (ocsp, crl)
}

/// The issuer certificates the CA publishes at the certificate's AIA caIssuers address (a DER or
/// PEM certificate, or a PKCS#7 bundle such as rootca.gov.vn's `.p7b`), over http. Nothing is
/// trusted for being fetched: the caller still finds the issuer by name and signature.
pub fn fetch_issuers(cert: &[u8], config: &RevocationConfig) -> Vec<Vec<u8>> {
    let Ok((_, x509)) = X509Certificate::from_der(cert) else {
        return Vec::new();
    };
    let mut urls = Vec::new();
    for ext in x509.extensions() {
        if let ParsedExtension::AuthorityInfoAccess(aia) = ext.parsed_extension() {
            for desc in &aia.accessdescs {
                if desc.access_method == OID_PKIX_ACCESS_DESCRIPTOR_CA_ISSUERS {
                    if let GeneralName::URI(uri) = desc.access_location {
                        if uri.to_ascii_lowercase().starts_with("http://") {
                            urls.push(uri.to_string());
                        }
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    for url in urls {
        if recently_unreachable(&url) {
            continue;
        }
        match get(&url, limits::MAX_CA_ISSUERS_BYTES, config) {
            Ok(body) => found.extend(certificates_in(&body)),
            Err(_) => mark_unreachable(&url),
        }
    }
    found
}

/// Every certificate in a DER or PEM certificate or a PKCS#7 bundle (DER or PEM).
fn certificates_in(body: &[u8]) -> Vec<Vec<u8>> {
    if let Ok(c) = X509::from_der(body) {
        return c.to_der().into_iter().collect();
    }
    if let Ok(stack) = X509::stack_from_pem(body) {
        if !stack.is_empty() {
            return stack.iter().filter_map(|c| c.to_der().ok()).collect();
        }
    }
    let bundle =
        openssl::pkcs7::Pkcs7::from_der(body).or_else(|_| openssl::pkcs7::Pkcs7::from_pem(body));
    bundle
        .ok()
        .and_then(|p| {
            p.signed()
                .and_then(|s| s.certificates())
                .map(|certs| certs.iter().filter_map(|c| c.to_der().ok()).collect())
        })
        .unwrap_or_default()
}

type Checked = Result<Revocation, String>;

fn ocsp_answer(der: &[u8], leaf: &X509, issuer: &X509, now: OffsetDateTime) -> Checked {
    let response = OcspResponse::from_der(der).map_err(|e| e.to_string())?;
    if response.status() != OcspResponseStatus::SUCCESSFUL {
        return Err(format!("responder status {}", response.status().as_raw()));
    }
    let basic = response.basic().map_err(|e| e.to_string())?;
    // The issuer is trusted for this purpose whatever its own chain: a responder is accepted when
    // it is the issuer or holds the issuer's OCSP-signing delegation (OpenSSL checks which).
    let mut store = X509StoreBuilder::new().map_err(|e| e.to_string())?;
    store.add_cert(issuer.clone()).map_err(|e| e.to_string())?;
    store
        .set_flags(X509VerifyFlags::PARTIAL_CHAIN)
        .map_err(|e| e.to_string())?;
    let store = store.build();
    let mut certs = Stack::new().map_err(|e| e.to_string())?;
    certs.push(issuer.clone()).map_err(|e| e.to_string())?;
    basic
        .verify(&certs, &store, OcspFlag::empty())
        .map_err(|e| format!("response signature: {e}"))?;
    let id =
        OcspCertId::from_cert(MessageDigest::sha1(), leaf, issuer).map_err(|e| e.to_string())?;
    let status = basic
        .find_status(&id)
        .ok_or_else(|| "the response does not cover this certificate".to_string())?;
    let this_update = asn1_time(&status.this_update.to_string());
    let next_update = status.next_update().and_then(|t| asn1_time(&t.to_string()));
    fresh(this_update, next_update, now)?;
    let next = next_update.map(rfc3339);
    if status.status == OcspCertStatus::GOOD {
        Ok(Revocation::Good {
            source: Source::Ocsp,
            cached: true,
            next_update: next,
        })
    } else if status.status == OcspCertStatus::REVOKED {
        Ok(Revocation::Revoked {
            source: Source::Ocsp,
            cached: true,
            revoked_at: status
                .revocation_time
                .and_then(|t| asn1_time(&t.to_string()))
                .map(rfc3339)
                .unwrap_or_default(),
            reason: reason_name(status.reason.as_raw()),
        })
    } else {
        Err("the responder does not know this certificate".into())
    }
}

fn crl_answer(der: &[u8], leaf: &X509, issuer: &X509, now: OffsetDateTime) -> Checked {
    let crl = X509Crl::from_der(der)
        .or_else(|_| X509Crl::from_pem(der))
        .map_err(|e| e.to_string())?;
    let same_issuer = crl.issuer_name().to_der().ok() == issuer.subject_name().to_der().ok();
    let key = issuer.public_key().map_err(|e| e.to_string())?;
    if !same_issuer || !crl.verify(&key).unwrap_or(false) {
        return Err("the CRL is not signed by the certificate's issuer".into());
    }
    let this_update = asn1_time(&crl.last_update().to_string());
    let next_update = crl.next_update().and_then(|t| asn1_time(&t.to_string()));
    fresh(this_update, next_update, now)?;
    let next = next_update.map(rfc3339);
    match crl.get_by_cert(leaf) {
        CrlStatus::Revoked(entry) => Ok(Revocation::Revoked {
            source: Source::Crl,
            cached: true,
            revoked_at: asn1_time(&entry.revocation_date().to_string())
                .map(rfc3339)
                .unwrap_or_default(),
            reason: None,
        }),
        CrlStatus::NotRevoked | CrlStatus::RemoveFromCrl(_) => Ok(Revocation::Good {
            source: Source::Crl,
            cached: true,
            next_update: next,
        }),
    }
}

/// An answer is usable from its thisUpdate (five minutes of clock skew allowed) until its
/// nextUpdate.
fn fresh(
    this_update: Option<OffsetDateTime>,
    next_update: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<(), String> {
    let skew = time::Duration::minutes(5);
    match this_update {
        Some(t) if t <= now + skew => {}
        _ => return Err("thisUpdate is missing or in the future".into()),
    }
    if let Some(next) = next_update {
        if next < now {
            return Err(format!("stale: nextUpdate {} has passed", rfc3339(next)));
        }
    }
    Ok(())
}

fn reason_name(code: i32) -> Option<String> {
    Some(
        match code {
            0 => "unspecified",
            1 => "keyCompromise",
            2 => "cACompromise",
            3 => "affiliationChanged",
            4 => "superseded",
            5 => "cessationOfOperation",
            6 => "certificateHold",
            8 => "removeFromCRL",
            9 => "privilegeWithdrawn",
            10 => "aACompromise",
            _ => return None,
        }
        .to_string(),
    )
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// OpenSSL prints ASN.1 times as `Dec  2 16:01:13 2026 GMT`.
fn asn1_time(s: &str) -> Option<OffsetDateTime> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [month, day, hms, year, "GMT"] = parts.as_slice() else {
        return None;
    };
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = months.iter().position(|m| m == month)? as u8 + 1;
    let mut hms = hms.split(':').map(|p| p.parse::<u8>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    let date = time::Date::from_calendar_date(
        year.parse().ok()?,
        time::Month::try_from(month).ok()?,
        day.parse().ok()?,
    )
    .ok()?;
    Some(date.with_hms(h, m, sec).ok()?.assume_utc())
}

// --- HTTP --------------------------------------------------------------------------------------

fn post_ocsp(
    url: &str,
    leaf: &X509,
    issuer: &X509,
    config: &RevocationConfig,
) -> Result<Vec<u8>, String> {
    let id =
        OcspCertId::from_cert(MessageDigest::sha1(), leaf, issuer).map_err(|e| e.to_string())?;
    let mut request = OcspRequest::new().map_err(|e| e.to_string())?;
    request.add_id(id).map_err(|e| e.to_string())?;
    let body = request.to_der().map_err(|e| e.to_string())?;
    let response = agent(url, config)
        .post(url)
        .set("Content-Type", "application/ocsp-request")
        .send_bytes(&body)
        .map_err(|e| e.to_string())?;
    read_limited(response, limits::MAX_OCSP_RESPONSE_BYTES)
}

fn get(url: &str, limit: usize, config: &RevocationConfig) -> Result<Vec<u8>, String> {
    let response = agent(url, config)
        .get(url)
        .call()
        .map_err(|e| e.to_string())?;
    read_limited(response, limit)
}

fn read_limited(response: ureq::Response, limit: usize) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    response
        .into_reader()
        .take(limit as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| e.to_string())?;
    if body.len() > limit {
        return Err(format!("answer larger than {limit} bytes"));
    }
    Ok(body)
}

fn agent(url: &str, config: &RevocationConfig) -> ureq::Agent {
    let mut builder = ureq::AgentBuilder::new()
        .timeout_connect(config.connect_timeout)
        .timeout(config.timeout)
        .redirects(2);
    if let Some(proxy) = proxy_for(url).and_then(|p| ureq::Proxy::new(p).ok()) {
        builder = builder.proxy(proxy);
    }
    builder.build()
}

/// The proxy the environment names for `url` (`http_proxy`, `HTTP_PROXY`), unless the host is
/// loopback or listed in `no_proxy`/`NO_PROXY` (suffix match, `*` for all).
pub fn proxy_for(url: &str) -> Option<String> {
    let env = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
    };
    let proxy = env(&["http_proxy", "HTTP_PROXY"])?;
    let host = host_of(url)?;
    if host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
    {
        return None;
    }
    let no_proxy = env(&["no_proxy", "NO_PROXY"]).unwrap_or_default();
    let bypass = no_proxy.split(',').map(str::trim).any(|entry| {
        let entry = entry.trim_start_matches('.');
        entry == "*"
            || (!entry.is_empty() && (host == entry || host.ends_with(&format!(".{entry}"))))
    });
    (!bypass).then_some(proxy)
}

fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    Some(host.to_ascii_lowercase())
}

/// Addresses that did not answer, and when: a long-running process (the agent answering
/// `status`, the tray) does not wait on an offline network again for every question.
static UNREACHABLE: std::sync::Mutex<Vec<(String, std::time::Instant)>> =
    std::sync::Mutex::new(Vec::new());

fn recently_unreachable(url: &str) -> bool {
    let Ok(mut seen) = UNREACHABLE.lock() else {
        return false;
    };
    seen.retain(|(_, when)| when.elapsed() < limits::REVOCATION_RETRY_AFTER);
    seen.iter().any(|(u, _)| u == url)
}

fn mark_unreachable(url: &str) {
    if let Ok(mut seen) = UNREACHABLE.lock() {
        seen.retain(|(u, _)| u != url);
        seen.push((url.to_string(), std::time::Instant::now()));
    }
}

// --- cache -------------------------------------------------------------------------------------

fn cache_key(kind: &str, data: &[u8]) -> String {
    format!("{kind}-{}", hex::encode(Sha256::digest(data)))
}

/// A cached answer, re-verified (signature, freshness against `now`) as if just fetched: a
/// cache file cannot make a revoked certificate good.
fn cached(dir: Option<&Path>, key: &str, answer: impl Fn(&[u8]) -> Checked) -> Option<Revocation> {
    let path = dir?.join(key);
    let fetched = std::fs::metadata(&path).ok()?.modified().ok()?;
    let age = fetched.elapsed().unwrap_or_default();
    if age > limits::MAX_REVOCATION_CACHE_AGE {
        return None;
    }
    let der = std::fs::read(&path).ok()?;
    match answer(&der).ok()? {
        // No nextUpdate: the answer is only good for the moment it was given.
        Revocation::Good {
            next_update: None, ..
        } => None,
        good_or_revoked => Some(good_or_revoked.with_cached(true)),
    }
}

fn store(dir: Option<&Path>, key: &str, der: &[u8]) {
    let Some(dir) = dir else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    // Written aside then renamed: a reader never sees half an answer.
    let tmp = dir.join(format!("{key}.tmp{}", std::process::id()));
    if std::fs::write(&tmp, der).is_ok() {
        let _ = std::fs::rename(&tmp, dir.join(key));
    }
}
