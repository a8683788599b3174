//! A test PKI made in the tests with rcgen: roots, intermediates and signers with exactly the
//! properties a forged or broken chain needs (CA:FALSE issuers, missing keyCertSign, path
//! length, validity windows, wrong issuer names, unknown critical extensions, OCSP and CRL
//! addresses). Keys are ECDSA P-256 in software (PEM available for xmlsec1 and openssl).

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CrlDistributionPoint,
    CustomExtension, DistinguishedName, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    RevocationReason, RevokedCertParams, SerialNumber,
};
use time::{Duration, OffsetDateTime};

static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// What kind of basic constraints a certificate carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ca {
    /// CA:TRUE, no path length.
    Yes,
    /// CA:TRUE, pathLenConstraint.
    PathLen(u8),
    /// basicConstraints present with CA:FALSE.
    ExplicitNo,
    /// No basicConstraints extension.
    Absent,
}

/// How to make one certificate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub common_name: String,
    pub ca: Ca,
    pub key_usages: Vec<KeyUsagePurpose>,
    /// Relative to now.
    pub not_before_days: i64,
    pub not_after_days: i64,
    /// An unknown extension (OID 1.3.6.1.4.1.55555.1) marked critical.
    pub unknown_critical_extension: bool,
    /// Name the issuer differently from the issuer's real subject (the key is still the
    /// issuer's): names do not chain.
    pub issuer_name_override: Option<String>,
    /// Sign with a key other than the issuer's (same issuer name): the signature breaks.
    pub wrong_signing_key: bool,
    /// AIA OCSP responder URL.
    pub ocsp_url: Option<String>,
    /// CRL distribution point URL.
    pub crl_url: Option<String>,
    /// AIA caIssuers URL (where the issuer's certificate is published).
    pub ca_issuers_url: Option<String>,
    /// Vietnamese-style UID entries (`MST:…`).
    pub uids: Vec<String>,
}

impl Spec {
    /// A CA certificate (CA:TRUE, keyCertSign + cRLSign), valid for ten years around now.
    pub fn ca(common_name: &str) -> Spec {
        Spec {
            common_name: common_name.into(),
            ca: Ca::Yes,
            key_usages: vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
            not_before_days: -365,
            not_after_days: 3650,
            unknown_critical_extension: false,
            issuer_name_override: None,
            wrong_signing_key: false,
            ocsp_url: None,
            crl_url: None,
            ca_issuers_url: None,
            uids: Vec::new(),
        }
    }

    /// A signer's certificate as a Vietnamese CA issues it (CA:FALSE, digitalSignature +
    /// nonRepudiation), valid from yesterday for a year.
    pub fn signer(common_name: &str) -> Spec {
        Spec {
            ca: Ca::ExplicitNo,
            key_usages: vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ],
            not_before_days: -1,
            not_after_days: 365,
            uids: vec!["MST:0312345678-001".into()],
            ..Spec::ca(common_name)
        }
    }
}

/// A certificate with its key.
#[derive(Clone)]
pub struct TestCert {
    pub der: Vec<u8>,
    pub key_pem: String,
    /// `None` for a CA read from files: it issues CRLs, not certificates.
    params: Option<CertificateParams>,
}

impl TestCert {
    /// A self-signed root.
    pub fn root(spec: &Spec) -> TestCert {
        let key = KeyPair::generate().expect("key");
        let params = params(spec);
        let der = params
            .self_signed(&key)
            .expect("self-signed")
            .der()
            .to_vec();
        TestCert {
            der,
            key_pem: key.serialize_pem(),
            params: Some(params),
        }
    }

    /// A CA made elsewhere (e.g. a fixture's `ca.pem` and `ca-key.pem`), to issue CRLs and run
    /// a responder with.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> TestCert {
        let der = x509_parser::pem::Pem::iter_from_buffer(cert_pem.as_bytes())
            .next()
            .expect("a PEM certificate")
            .expect("PEM")
            .contents;
        TestCert {
            der,
            key_pem: key_pem.to_string(),
            params: None,
        }
    }

    /// A certificate issued by `self` (whatever `self` is: forged chains need leaves acting as
    /// issuers).
    pub fn issue(&self, spec: &Spec) -> TestCert {
        let key = KeyPair::generate().expect("key");
        let params = params(spec);
        let mut issuer_params = self.params.clone().expect("a CA made by TestCert");
        if let Some(name) = &spec.issuer_name_override {
            issuer_params.distinguished_name = dn(name, &[]);
        }
        let issuer_key = if spec.wrong_signing_key {
            KeyPair::generate().expect("key")
        } else {
            KeyPair::from_pem(&self.key_pem).expect("issuer key")
        };
        let issuer = Issuer::new(issuer_params, &issuer_key);
        let der = params
            .signed_by(&key, &issuer)
            .expect("signed")
            .der()
            .to_vec();
        TestCert {
            der,
            key_pem: key.serialize_pem(),
            params: Some(params),
        }
    }

    pub fn pem(&self) -> String {
        crate::pem("CERTIFICATE", &self.der)
    }

    /// A CRL signed by `self` listing `revoked` (revoked a day ago, keyCompromise), valid from
    /// an hour ago for `next_update_days`.
    pub fn crl(&self, revoked: &[&TestCert], next_update_days: i64) -> Vec<u8> {
        let ders: Vec<&[u8]> = revoked.iter().map(|c| c.der.as_slice()).collect();
        self.crl_of(&ders, next_update_days)
    }

    /// [`TestCert::crl`] for certificates given as DER.
    pub fn crl_of(&self, revoked: &[&[u8]], next_update_days: i64) -> Vec<u8> {
        let now = OffsetDateTime::now_utc();
        let params = CertificateRevocationListParams {
            this_update: now - Duration::hours(1),
            next_update: now + Duration::days(next_update_days),
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|c| RevokedCertParams {
                    serial_number: {
                        use x509_parser::prelude::FromDer;
                        let (_, x) = x509_parser::certificate::X509Certificate::from_der(c)
                            .expect("certificate");
                        SerialNumber::from_slice(x.raw_serial())
                    },
                    revocation_time: now - Duration::days(1),
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        let key = KeyPair::from_pem(&self.key_pem).expect("issuer key");
        let issuer = Issuer::from_ca_cert_der(&self.der.clone().into(), &key).expect("CA");
        params.signed_by(&issuer).expect("CRL").der().to_vec()
    }
}

fn dn(common_name: &str, uids: &[String]) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::OrganizationName, "VSS Token Signing tests");
    dn.push(DnType::CommonName, common_name);
    for uid in uids {
        dn.push(DnType::CustomDnType(crate::UID_OID.to_vec()), uid.as_str());
    }
    dn
}

fn params(spec: &Spec) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.distinguished_name = dn(&spec.common_name, &spec.uids);
    params.is_ca = match spec.ca {
        Ca::Yes => IsCa::Ca(BasicConstraints::Unconstrained),
        Ca::PathLen(n) => IsCa::Ca(BasicConstraints::Constrained(n)),
        Ca::ExplicitNo => IsCa::ExplicitNoCa,
        Ca::Absent => IsCa::NoCa,
    };
    params.key_usages = spec.key_usages.clone();
    let now = OffsetDateTime::now_utc();
    params.not_before = now + Duration::days(spec.not_before_days);
    params.not_after = now + Duration::days(spec.not_after_days);
    params.serial_number = Some(SerialNumber::from(
        SERIAL.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 0x1000,
    ));
    if spec.unknown_critical_extension {
        let mut ext =
            CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 55555, 1], vec![0x05, 0x00]);
        ext.set_criticality(true);
        params.custom_extensions.push(ext);
    }
    if spec.ocsp_url.is_some() || spec.ca_issuers_url.is_some() {
        params.custom_extensions.push(aia(
            spec.ocsp_url.as_deref(),
            spec.ca_issuers_url.as_deref(),
        ));
    }
    if let Some(url) = &spec.crl_url {
        params.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec![url.clone()],
        }];
    }
    params
}

/// authorityInfoAccess with one id-ad-ocsp accessLocation (uniformResourceIdentifier).
pub(crate) fn aia_ocsp(url: &str) -> CustomExtension {
    aia(Some(url), None)
}

/// authorityInfoAccess with an id-ad-ocsp and/or an id-ad-caIssuers accessLocation (URIs).
fn aia(ocsp: Option<&str>, ca_issuers: Option<&str>) -> CustomExtension {
    // AccessDescription ::= SEQUENCE { accessMethod OID 1.3.6.1.5.5.7.48.{1,2}, [6] IA5String }
    let description = |last: u8, url: &str| {
        let oid = [0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, last];
        let mut name = vec![0x86];
        name.extend(der_len(url.len()));
        name.extend(url.as_bytes());
        let mut desc = vec![0x30];
        desc.extend(der_len(oid.len() + name.len()));
        desc.extend(oid);
        desc.extend(name);
        desc
    };
    let mut body = Vec::new();
    if let Some(url) = ocsp {
        body.extend(description(0x01, url));
    }
    if let Some(url) = ca_issuers {
        body.extend(description(0x02, url));
    }
    let mut seq = vec![0x30];
    seq.extend(der_len(body.len()));
    seq.extend(body);
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], seq)
}

fn der_len(n: usize) -> Vec<u8> {
    if n < 0x80 {
        vec![n as u8]
    } else if n < 0x100 {
        vec![0x81, n as u8]
    } else {
        vec![0x82, (n >> 8) as u8, n as u8]
    }
}
