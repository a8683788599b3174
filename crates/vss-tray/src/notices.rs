//! Which notices a change deserves. Certificates: one notice per stage — 30, 7 and 1 days
//! before expiry ([`EXPIRY_NOTICE_DAYS`]) and expired — at most one a day per certificate,
//! remembered across restarts (the marks live in [`crate::state`]); a certificate that a newer
//! valid one of the same unit replaces (a renewed token keeps the old one) gets none. Tokens:
//! plugged in (with the units and MSTs on it), removed, PIN locked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use time::Date;
use vss_protocol::display::clean;
use vss_protocol::limits::{EXPIRY_NOTICE_DAYS, TRAY_TEXT_MAX_CHARS};
use vss_protocol::messages::text;
use vss_protocol::readiness::{Readiness, TokenCertificates};
use vss_protocol::{Certificate, ErrorCode, Lang};

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
    /// A folder the notice offers to open ("Mở thư mục").
    pub folder: Option<PathBuf>,
    /// Stays until the user closes it (expired certificate, locked PIN, a batch's outcome).
    pub persistent: bool,
}

impl Notice {
    pub fn new(title: String, body: String) -> Notice {
        Notice {
            title,
            body,
            folder: None,
            persistent: false,
        }
    }
}

/// The last expiry notice given for a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    /// `30`, `7`, `1` or `expired`.
    pub stage: String,
    /// The day it was given (`YYYY-MM-DD`).
    pub date: String,
}

/// The expiry stage a certificate is in, if any.
pub fn stage(c: &Certificate) -> Option<String> {
    if c.expires_in_days < 0 || (!c.valid_now && c.expires_in_days <= 0) {
        return Some("expired".into());
    }
    EXPIRY_NOTICE_DAYS
        .iter()
        .copied()
        .filter(|days| c.expires_in_days <= *days)
        .min()
        .map(|days| days.to_string())
}

/// A newer valid certificate of the same unit stands beside this one.
fn replaced(c: &Certificate, all: &[&Certificate]) -> bool {
    let Some(mst) = &c.identity.mst else {
        return false;
    };
    all.iter().any(|other| {
        other.valid_now
            && other.identity.mst.as_ref() == Some(mst)
            && other.expires_in_days > c.expires_in_days
            && other.expires_in_days > EXPIRY_NOTICE_DAYS[0]
    })
}

fn unit_args(c: &Certificate, lang: Lang) -> Vec<(&'static str, String)> {
    let date =
        time::OffsetDateTime::parse(&c.not_after, &time::format_description::well_known::Rfc3339)
            .map(vss_cert::display_date)
            .unwrap_or_else(|_| c.not_after.clone());
    vec![
        ("holder", clean(&c.holder, TRAY_TEXT_MAX_CHARS)),
        (
            "mst",
            c.identity
                .mst
                .clone()
                .unwrap_or_else(|| text(lang, "dialog-unknown", &[])),
        ),
        ("date", date),
        ("days", c.expires_in_days.max(0).to_string()),
    ]
}

/// Expiry notices due `today`; records each one given in `marks`.
pub fn expiry_notices(
    tokens: &[TokenCertificates],
    marks: &mut BTreeMap<String, Mark>,
    today: Date,
    lang: Lang,
) -> Vec<Notice> {
    let today = today.to_string();
    let all: Vec<&Certificate> = tokens.iter().flat_map(|t| &t.certificates).collect();
    let mut out = Vec::new();
    for c in &all {
        let Some(stage) = stage(c) else { continue };
        if replaced(c, &all) {
            continue;
        }
        if let Some(mark) = marks.get(&c.id) {
            if mark.stage == stage || mark.date == today {
                continue;
            }
        }
        let args = unit_args(c, lang);
        let (title, body, persistent) = if stage == "expired" {
            (
                text(lang, "tray-notice-expired-title", &args),
                text(lang, "tray-notice-expired-body", &args),
                true,
            )
        } else {
            (
                text(lang, "tray-notice-expiring-title", &args),
                text(lang, "tray-notice-expiring-body", &args),
                false,
            )
        };
        out.push(Notice {
            title,
            body,
            folder: None,
            persistent,
        });
        marks.insert(
            c.id.clone(),
            Mark {
                stage,
                date: today.clone(),
            },
        );
    }
    out
}

/// Tokens as the watch last saw them.
#[derive(Debug, Default)]
pub struct TokenWatch {
    /// `None` until the first look (what is plugged in at start is not news).
    seen: Option<BTreeMap<String, String>>,
    locked: BTreeSet<String>,
}

fn token_key(t: &TokenCertificates) -> String {
    format!(
        "{}\n{}\n{}",
        t.token.module.as_deref().unwrap_or(""),
        t.token.serial,
        t.token.label
    )
}

impl TokenWatch {
    /// Notices for tokens plugged in, removed or locked since the last look.
    pub fn changes(&mut self, readiness: &Readiness, lang: Lang) -> Vec<Notice> {
        let now: BTreeMap<String, &TokenCertificates> =
            readiness.tokens.iter().map(|t| (token_key(t), t)).collect();
        let mut out = Vec::new();
        if let Some(seen) = &self.seen {
            for (key, token) in &now {
                if seen.contains_key(key) {
                    continue;
                }
                let label = clean(&token.token.label, TRAY_TEXT_MAX_CHARS);
                let units: Vec<String> = token
                    .certificates
                    .iter()
                    .filter(|c| c.valid_now)
                    .map(|c| text(lang, "tray-notice-unit", &unit_args(c, lang)))
                    .collect();
                let body = if units.is_empty() {
                    text(lang, "tray-notice-plugged-none", &[])
                } else {
                    units.join("\n")
                };
                out.push(Notice::new(
                    text(lang, "tray-notice-plugged-title", &[("label", label)]),
                    body,
                ));
            }
            for (key, label) in seen {
                if !now.contains_key(key) {
                    out.push(Notice::new(
                        text(
                            lang,
                            "tray-notice-removed-title",
                            &[("label", label.clone())],
                        ),
                        text(lang, "tray-notice-removed-body", &[]),
                    ));
                }
            }
        }
        for (key, token) in &now {
            if token.token.pin.locked && self.locked.insert(key.clone()) {
                let label = clean(&token.token.label, TRAY_TEXT_MAX_CHARS);
                let body = vss_protocol::Error::new(ErrorCode::PinLocked).localize(lang);
                out.push(Notice {
                    title: text(lang, "tray-notice-pin-locked-title", &[("label", label)]),
                    body: format!("{}\n{}", body.message, body.hint),
                    folder: None,
                    persistent: true,
                });
            }
        }
        self.locked
            .retain(|key| now.get(key).is_some_and(|t| t.token.pin.locked));
        self.seen = Some(
            now.iter()
                .map(|(key, t)| (key.clone(), clean(&t.token.label, TRAY_TEXT_MAX_CHARS)))
                .collect(),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::menu::tests::certificate;
    use vss_protocol::readiness::Level;
    use vss_protocol::{PinState, TokenReport};

    fn token(label: &str, certificates: Vec<Certificate>, locked: bool) -> TokenCertificates {
        TokenCertificates {
            token: TokenReport {
                slot: 1,
                label: label.into(),
                manufacturer: "SoftHSM".into(),
                model: "SoftHSM v2".into(),
                serial: label.into(),
                pin: PinState {
                    locked,
                    ..Default::default()
                },
                protected_auth_path: false,
                module: Some("/usr/lib/softhsm/libsofthsm2.so".into()),
            },
            certificates,
        }
    }

    fn readiness(tokens: Vec<TokenCertificates>) -> Readiness {
        Readiness {
            state: Level::Ready,
            headline: String::new(),
            hint: None,
            code: None,
            findings: Vec::new(),
            tokens,
        }
    }

    fn day(d: u8) -> Date {
        Date::from_calendar_date(2026, time::Month::May, d).unwrap()
    }

    #[test]
    fn an_expiring_certificate_is_noticed_once_per_stage_and_never_twice_a_day() {
        let mut marks = BTreeMap::new();
        let tokens = vec![token("A", vec![certificate(10)], false)];
        let first = expiry_notices(&tokens, &mut marks, day(1), Lang::Vi);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].title, "Chứng thư số sắp hết hạn: còn 10 ngày");
        assert!(
            first[0].body.contains("Thay đổi thông tin"),
            "{}",
            first[0].body
        );
        assert!(first[0].body.contains("0312345678-001"));
        // Same stage the next days: nothing more.
        assert!(expiry_notices(&tokens, &mut marks, day(1), Lang::Vi).is_empty());
        assert!(expiry_notices(&tokens, &mut marks, day(2), Lang::Vi).is_empty());
        // Seven days left: the next stage, but not on a day a notice was already given.
        let same = |days| {
            let mut c = certificate(days);
            c.id = "id10".into();
            c
        };
        let seven = vec![token("A", vec![same(7)], false)];
        marks.values_mut().for_each(|m| m.date = day(3).to_string());
        let mut same_day = marks.clone();
        assert!(expiry_notices(&seven, &mut same_day, day(3), Lang::Vi).is_empty());
        assert_eq!(
            expiry_notices(&seven, &mut marks, day(4), Lang::Vi).len(),
            1
        );
        let expired = vec![token("A", vec![same(-1)], false)];
        let notices = expiry_notices(&expired, &mut marks, day(12), Lang::En);
        assert_eq!(notices[0].title, "The certificate has expired");
        assert!(notices[0].persistent);
    }

    #[test]
    fn an_old_certificate_beside_its_renewal_gets_no_notice() {
        let mut renewed = certificate(700);
        renewed.id = "renewed".into();
        let tokens = vec![token("A", vec![certificate(-30), renewed], false)];
        let mut marks = BTreeMap::new();
        assert!(expiry_notices(&tokens, &mut marks, day(1), Lang::Vi).is_empty());
    }

    #[test]
    fn plugging_removing_and_locking_a_token_are_each_noticed() {
        let mut watch = TokenWatch::default();
        let a = token("A", vec![certificate(100)], false);
        assert!(watch
            .changes(&readiness(vec![a.clone()]), Lang::Vi)
            .is_empty());
        let b = token("B", vec![certificate(200)], false);
        let plugged = watch.changes(&readiness(vec![a.clone(), b]), Lang::Vi);
        assert_eq!(plugged.len(), 1);
        assert_eq!(plugged[0].title, "Đã cắm token B");
        assert!(plugged[0].body.contains("MST 0312345678-001"));
        let removed = watch.changes(&readiness(vec![a]), Lang::En);
        assert_eq!(removed[0].title, "Token B removed");
        let locked = token("A", vec![certificate(100)], true);
        let notices = watch.changes(&readiness(vec![locked.clone()]), Lang::Vi);
        assert_eq!(notices.len(), 1);
        assert!(notices[0].title.contains("khóa PIN"));
        assert!(watch.changes(&readiness(vec![locked]), Lang::Vi).is_empty());
    }
}
