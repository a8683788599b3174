//! The menu as data: one status line, each token with its certificates, the jobs, the language
//! switch, the autostart toggle, quit. Built from the readiness the core computed, so the
//! platforms only draw entries and report which action was chosen.

use vss_protocol::display::clean;
use vss_protocol::limits::TRAY_TEXT_MAX_CHARS;
use vss_protocol::messages::text;
use vss_protocol::readiness::{Level, Readiness};
use vss_protocol::{Certificate, Lang};

use crate::autostart::Autostart;

/// What a menu entry does when chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Sign,
    Verify,
    Diagnose,
    OpenLogs,
    Language(Lang),
    ToggleAutostart,
    Quit,
}

/// One entry of the menu.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// A line that says something and does nothing (status, tokens, certificates).
    Info(String),
    Separator,
    Item {
        label: String,
        action: Action,
        enabled: bool,
    },
    Check {
        label: String,
        checked: bool,
        enabled: bool,
        action: Action,
    },
    Submenu {
        label: String,
        children: Vec<Entry>,
    },
}

/// What the menu is built from.
#[derive(Debug, Clone)]
pub struct View<'a> {
    pub readiness: &'a Readiness,
    pub lang: Lang,
    pub autostart: Autostart,
    /// A batch is being signed: "Ký hồ sơ…" waits.
    pub busy: bool,
}

/// The state's mark in front of the status line.
pub fn state_mark(level: Level) -> &'static str {
    match level {
        Level::Ready => "✓",
        Level::Attention => "⚠",
        Level::Problem => "✗",
    }
}

/// The state in one word ("Sẵn sàng", "Cần chú ý", "Có sự cố").
pub fn state_word(level: Level, lang: Lang) -> String {
    let id = match level {
        Level::Ready => "tray-state-ready",
        Level::Attention => "tray-state-attention",
        Level::Problem => "tray-state-problem",
    };
    text(lang, id, &[])
}

/// The status line: the state's mark and the one thing to know.
pub fn status_line(readiness: &Readiness) -> String {
    format!(
        "{} {}",
        state_mark(readiness.state),
        clean(&readiness.headline, TRAY_TEXT_MAX_CHARS)
    )
}

/// A certificate as the menu lists it: holder, MST, expiry date, days left.
pub fn certificate_line(c: &Certificate, lang: Lang) -> String {
    let date =
        time::OffsetDateTime::parse(&c.not_after, &time::format_description::well_known::Rfc3339)
            .map(vss_cert::display_date)
            .unwrap_or_else(|_| c.not_after.clone());
    let args = [
        ("holder", clean(&c.holder, TRAY_TEXT_MAX_CHARS)),
        (
            "mst",
            c.identity
                .mst
                .clone()
                .unwrap_or_else(|| text(lang, "dialog-unknown", &[])),
        ),
        ("date", date),
        ("days", c.expires_in_days.to_string()),
    ];
    let id = if c.expires_in_days < 0 {
        "tray-menu-certificate-expired"
    } else {
        "tray-menu-certificate"
    };
    text(lang, id, &args)
}

/// The whole menu.
pub fn entries(view: &View<'_>) -> Vec<Entry> {
    let lang = view.lang;
    let t = |id: &str| text(lang, id, &[]);
    let mut out = vec![Entry::Info(status_line(view.readiness))];
    if let Some(hint) = &view.readiness.hint {
        out.push(Entry::Info(clean(hint, TRAY_TEXT_MAX_CHARS * 2)));
    }
    if !view.readiness.tokens.is_empty() {
        out.push(Entry::Separator);
    }
    for token in &view.readiness.tokens {
        out.push(Entry::Info(text(
            lang,
            "tray-menu-token",
            &[
                ("label", clean(&token.token.label, TRAY_TEXT_MAX_CHARS)),
                ("model", clean(&token.token.model, TRAY_TEXT_MAX_CHARS)),
            ],
        )));
        if token.certificates.is_empty() {
            out.push(Entry::Info(format!(
                "    {}",
                t("tray-menu-no-certificate")
            )));
        }
        for c in &token.certificates {
            out.push(Entry::Info(format!("    {}", certificate_line(c, lang))));
        }
    }
    out.push(Entry::Separator);
    out.push(Entry::Item {
        label: if view.busy {
            t("tray-menu-busy")
        } else {
            t("tray-menu-sign")
        },
        action: Action::Sign,
        enabled: !view.busy,
    });
    for (id, action) in [
        ("tray-menu-verify", Action::Verify),
        ("tray-menu-diagnose", Action::Diagnose),
        ("tray-menu-logs", Action::OpenLogs),
    ] {
        out.push(Entry::Item {
            label: t(id),
            action,
            enabled: true,
        });
    }
    out.push(Entry::Separator);
    out.push(Entry::Submenu {
        label: t("tray-menu-language"),
        children: [
            ("tray-menu-lang-vi", Lang::Vi),
            ("tray-menu-lang-en", Lang::En),
        ]
        .into_iter()
        .map(|(id, choice)| Entry::Check {
            label: t(id),
            checked: lang == choice,
            enabled: true,
            action: Action::Language(choice),
        })
        .collect(),
    });
    out.push(Entry::Check {
        label: t("tray-menu-autostart"),
        checked: view.autostart.enabled,
        enabled: !view.autostart.locked,
        action: Action::ToggleAutostart,
    });
    out.push(Entry::Separator);
    out.push(Entry::Item {
        label: t("tray-menu-quit"),
        action: Action::Quit,
        enabled: true,
    });
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use vss_protocol::readiness::TokenCertificates;
    use vss_protocol::{Identity, KeyInfo, PinState, TokenRef, TokenReport};

    pub(crate) fn certificate(days: i64) -> Certificate {
        Certificate {
            id: format!("id{days}"),
            der: String::new(),
            subject: String::new(),
            issuer: "CN=VSS Test CA".into(),
            serial: "01".into(),
            not_before: "2025-01-01T00:00:00Z".into(),
            not_after: "2026-12-31T00:00:00Z".into(),
            valid_now: days >= 0,
            expires_in_days: days,
            holder: "CÔNG TY TNHH\u{202e} AN SINH".into(),
            identity: Identity {
                mst: Some("0312345678-001".into()),
                ..Default::default()
            },
            key: KeyInfo {
                algorithm: "RSA".into(),
                bits: Some(2048),
                curve: None,
            },
            key_usage: Vec::new(),
            token: TokenRef {
                slot: 1,
                label: "VSS TEST".into(),
                serial: "abc".into(),
            },
        }
    }

    fn readiness(days: i64) -> Readiness {
        let certificate = certificate(days);
        Readiness {
            state: Level::Attention,
            headline: "Chứng thư sắp hết hạn".into(),
            hint: Some("Hãy gia hạn".into()),
            code: None,
            findings: Vec::new(),
            tokens: vec![TokenCertificates {
                token: TokenReport {
                    slot: 1,
                    label: "VSS TEST".into(),
                    manufacturer: "SoftHSM".into(),
                    model: "SoftHSM v2".into(),
                    serial: "abc".into(),
                    pin: PinState::default(),
                    protected_auth_path: false,
                    module: None,
                },
                certificates: vec![certificate],
            }],
        }
    }

    fn labels(entries: &[Entry]) -> Vec<String> {
        entries
            .iter()
            .filter_map(|e| match e {
                Entry::Info(l) => Some(l.clone()),
                Entry::Item { label, .. }
                | Entry::Check { label, .. }
                | Entry::Submenu { label, .. } => Some(label.clone()),
                Entry::Separator => None,
            })
            .collect()
    }

    #[test]
    fn the_menu_lists_status_token_certificate_and_every_job_in_vietnamese() {
        let r = readiness(10);
        let view = View {
            readiness: &r,
            lang: Lang::Vi,
            autostart: Autostart {
                enabled: true,
                locked: false,
            },
            busy: false,
        };
        let labels = labels(&entries(&view));
        assert_eq!(labels[0], "⚠ Chứng thư sắp hết hạn");
        assert!(labels.contains(&"Token VSS TEST (SoftHSM v2)".to_string()));
        assert!(
            labels.contains(
                &"    CÔNG TY TNHH AN SINH — MST 0312345678-001 — hết hạn 31/12/2026 (còn 10 ngày)"
                    .to_string()
            ),
            "{labels:?}"
        );
        for item in [
            "Ký hồ sơ…",
            "Kiểm tra chữ ký…",
            "Chẩn đoán",
            "Mở thư mục nhật ký",
            "Ngôn ngữ / Language",
            "Khởi động cùng máy tính",
            "Thoát",
        ] {
            assert!(
                labels.contains(&item.to_string()),
                "{item} missing: {labels:?}"
            );
        }
    }

    #[test]
    fn english_busy_and_locked_autostart_change_the_entries() {
        let r = readiness(-3);
        let view = View {
            readiness: &r,
            lang: Lang::En,
            autostart: Autostart {
                enabled: false,
                locked: true,
            },
            busy: true,
        };
        let all = entries(&view);
        assert!(labels(&all)
            .iter()
            .any(|l| l.ends_with("expired on 31/12/2026")));
        assert!(all.contains(&Entry::Item {
            label: "Signing dossiers…".into(),
            action: Action::Sign,
            enabled: false
        }));
        assert!(all.contains(&Entry::Check {
            label: "Start with the computer".into(),
            checked: false,
            enabled: false,
            action: Action::ToggleAutostart
        }));
    }
}
