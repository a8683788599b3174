//! Which web origins may use the token (DESIGN §3, §5). The agent checks this itself even though
//! the extension checks too: an origin is exact `scheme://host[:port]`, HTTPS only (loopback
//! http only when a test configuration enables it), and on the allowlist.

use std::fmt;

use vss_protocol::{Error, ErrorCode, Result};

use crate::config::Config;

/// The BHXH portal origins, always allowed, with blind hash signing.
pub const DEFAULT_ORIGINS: &[&str] = &[
    "https://gddt.baohiemxahoi.gov.vn",
    "https://dichvucong.baohiemxahoi.gov.vn",
];

/// A checked web origin in its canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin(String);

impl Origin {
    /// Parses an exact origin: no path, query, fragment, user info or trailing slash.
    pub fn parse(text: &str) -> Result<Origin> {
        let not_origin = || {
            Error::new(ErrorCode::OriginNotAllowed)
                .arg("origin", shorten(text))
                .cause("not an exact origin")
        };
        let url = url::Url::parse(text).map_err(|_| not_origin())?;
        let canonical = url.origin().ascii_serialization();
        if canonical != text || canonical == "null" {
            return Err(not_origin());
        }
        Ok(Origin(canonical))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn is_loopback_http(&self) -> bool {
        let Ok(url) = url::Url::parse(&self.0) else {
            return false;
        };
        url.scheme() == "http"
            && match url.host() {
                Some(url::Host::Domain(d)) => d == "localhost",
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn shorten(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(100).collect()
}

/// What an allowed origin may additionally do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// `sign-hash` / TokenSigning `sign`: a signature over content the agent cannot show.
    HashSigning,
}

impl Capability {
    /// The catalogue text naming the capability in messages.
    pub fn text_id(self) -> &'static str {
        match self {
            Capability::HashSigning => "capability-hash-signing",
        }
    }
}

/// The allowlist in force.
#[derive(Debug, Clone)]
pub struct Policy {
    allowed: Vec<Origin>,
    hash_signing: Vec<Origin>,
    allow_loopback_http: bool,
}

impl Policy {
    /// Defaults plus the configured additions. Malformed entries are skipped (and reported by
    /// `vss doctor`), never widened into patterns.
    pub fn from_config(config: &Config) -> Policy {
        let parse_all = |list: &[String]| {
            list.iter()
                .filter_map(|o| Origin::parse(o.trim()).ok())
                .collect::<Vec<_>>()
        };
        let defaults: Vec<Origin> = DEFAULT_ORIGINS
            .iter()
            .map(|o| Origin(o.to_string()))
            .collect();
        let mut allowed = defaults.clone();
        allowed.extend(parse_all(&config.extra_origins));
        let mut hash_signing = defaults;
        hash_signing.extend(parse_all(&config.hash_signing_origins));
        Policy {
            allowed,
            hash_signing,
            allow_loopback_http: config.serve.allow_loopback_http,
        }
    }

    /// `insecure_origin` for non-HTTPS, `origin_not_allowed` off the list.
    pub fn check(&self, origin: &str) -> Result<Origin> {
        let origin = Origin::parse(origin)?;
        let https = origin.as_str().starts_with("https://");
        let allowed_scheme = https || (self.allow_loopback_http && origin.is_loopback_http());
        if !allowed_scheme {
            return Err(Error::new(ErrorCode::InsecureOrigin).arg("origin", origin.as_str()));
        }
        if !self.allowed.contains(&origin) {
            return Err(Error::new(ErrorCode::OriginNotAllowed).arg("origin", origin.as_str()));
        }
        Ok(origin)
    }

    /// `capability_denied` unless `origin` has `capability`.
    pub fn require(&self, origin: &Origin, capability: Capability) -> Result<()> {
        let granted = match capability {
            Capability::HashSigning => self.hash_signing.contains(origin),
        };
        if granted {
            return Ok(());
        }
        Err(Error::new(ErrorCode::CapabilityDenied)
            .arg("origin", origin.as_str())
            .arg_text("capability", capability.text_id()))
    }

    /// The allowlist, for `status` and the extension.
    pub fn allowed(&self) -> impl Iterator<Item = &Origin> {
        self.allowed.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(extra: &[&str], loopback: bool) -> Policy {
        let mut config = Config {
            extra_origins: extra.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        config.serve.allow_loopback_http = loopback;
        Policy::from_config(&config)
    }

    #[test]
    fn portal_is_allowed_by_default() {
        let p = policy(&[], false);
        assert!(p.check("https://gddt.baohiemxahoi.gov.vn").is_ok());
        assert!(p.check("https://dichvucong.baohiemxahoi.gov.vn").is_ok());
    }

    #[test]
    fn lookalikes_and_non_exact_origins_are_refused() {
        let p = policy(&[], false);
        for origin in [
            "https://gddt.baohiemxahoi.gov.vn.evil.com",
            "https://evil.com",
            "https://gddt.baohiemxahoi.gov.vn/",
            "https://gddt.baohiemxahoi.gov.vn:443",
            "https://user@gddt.baohiemxahoi.gov.vn",
            "null",
            "",
        ] {
            let err = p.check(origin).unwrap_err();
            assert_eq!(err.code, ErrorCode::OriginNotAllowed, "{origin}");
        }
    }

    #[test]
    fn plain_http_is_insecure_even_for_the_portal() {
        let err = policy(&[], false)
            .check("http://gddt.baohiemxahoi.gov.vn")
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InsecureOrigin);
    }

    #[test]
    fn loopback_http_only_when_enabled_and_listed() {
        assert_eq!(
            policy(&["http://127.0.0.1:8080"], false)
                .check("http://127.0.0.1:8080")
                .unwrap_err()
                .code,
            ErrorCode::InsecureOrigin
        );
        assert!(policy(&["http://127.0.0.1:8080"], true)
            .check("http://127.0.0.1:8080")
            .is_ok());
        assert_eq!(
            policy(&[], true)
                .check("http://127.0.0.1:8080")
                .unwrap_err()
                .code,
            ErrorCode::OriginNotAllowed
        );
    }

    #[test]
    fn hash_signing_is_off_for_admin_added_origins() {
        let p = policy(&["https://ivan.example.vn"], false);
        let added = p.check("https://ivan.example.vn").unwrap();
        assert_eq!(
            p.require(&added, Capability::HashSigning).unwrap_err().code,
            ErrorCode::CapabilityDenied
        );
        let portal = p.check("https://gddt.baohiemxahoi.gov.vn").unwrap();
        assert!(p.require(&portal, Capability::HashSigning).is_ok());
    }
}
