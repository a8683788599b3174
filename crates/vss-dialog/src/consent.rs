//! The consent: what one dialog tells the user before the PIN, as a value — who asks, which
//! certificate (holder, MST, expiry), what is signed (a hash the agent cannot show, or the
//! documents with what the agent itself read from them), the PIN state, the agent's notices,
//! and what the caller only claims. Each dialog (pinentry, Win32) renders it with
//! [`Consent::render`], which keeps DESIGN §7's dialog integrity: the agent's own lines come
//! first and are never cut or pushed out; text read from a file comes next and text a page
//! claims comes last, both sanitized, cut per line and budgeted as a whole.

use vss_protocol::messages::text;
use vss_protocol::{limits, Lang, PinState};

/// Page or file text as a dialog may show it: invisible and control characters removed, cut to
/// the dialog limit (the one sanitizer, [`vss_protocol::display::clean`]).
pub fn sanitize_page_text(input: &str) -> String {
    vss_protocol::display::clean(input, limits::MAX_DIALOG_TEXT_CHARS)
}

/// Who asks, as the agent established it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requester {
    /// A web origin the agent checked against its allowlist.
    Web(String),
    /// A program of the user's on this computer (`vss`, `vss-tray`, the extension's own page).
    Local(String),
}

/// The certificate whose key signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub holder: String,
    pub mst: Option<String>,
    /// Expiry date as users read it (dd/mm/yyyy).
    pub expiry: String,
}

/// What the agent itself read from one document (fields it could not read are `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentSummary {
    /// The file name, for a batch.
    pub name: Option<String>,
    pub form: String,
    pub unit: Option<String>,
    pub mst: Option<String>,
    pub bhxh_code: Option<String>,
    pub period: Option<String>,
    /// Embedded files of a BHXHDienTu envelope.
    pub files: Vec<String>,
}

/// What is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A hash the page computed: the agent cannot show the content.
    Hash {
        algorithm: String,
        fingerprint: String,
    },
    /// One or more documents the agent read itself.
    Documents(Vec<DocumentSummary>),
}

/// What the caller says it is signing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claim {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Given by the user at this computer (shown as given), not by a page or another program
    /// (shown as unverified).
    pub by_local_user: bool,
}

/// One consent dialog's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub requester: Requester,
    pub signer: Signer,
    pub content: Content,
    pub pin: PinState,
    /// PIN-pad token: the PIN is typed on the device.
    pub pinpad: bool,
    /// Further lines the agent itself states (e.g. the certificate's revocation status),
    /// already in the dialog's language.
    pub notices: Vec<String>,
    pub claim: Option<Claim>,
}

/// Outside text inside one of the agent's own lines (a certificate's holder, an origin, a
/// program name): sanitized and cut to `max_chars` characters and [`limits::MAX_DIALOG_NAME_BYTES`]
/// bytes, so the agent's lines always fit the dialog together.
fn name(input: &str, max_chars: usize) -> String {
    let mut out = vss_protocol::display::clean(input, max_chars);
    if out.len() > limits::MAX_DIALOG_NAME_BYTES {
        let mut end = limits::MAX_DIALOG_NAME_BYTES - '…'.len_utf8();
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push('…');
    }
    out
}

impl Consent {
    /// The dialog's text in `lang`, at most `budget` bytes as pinentry counts them (a newline
    /// is `%0A`, three bytes). The agent's lines are always whole; file and page text fill what
    /// is left, and a line that no longer fits is replaced by one "more not shown" line.
    ///
    /// Every value from outside — the certificate's holder and MST, the origin, what was read
    /// from a file, what a page claims — passes the one sanitizer first; values inside the
    /// agent's own lines are also cut to a fixed size, which is what keeps those lines whole.
    pub fn render(&self, lang: Lang, budget: usize) -> String {
        let t = |id: &str, args: &[(&str, String)]| text(lang, id, args);
        let unknown = t("dialog-unknown", &[]);
        let field = |v: &Option<String>| {
            v.as_deref()
                .map(sanitize_page_text)
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| unknown.clone())
        };
        let short = |v: &str| name(v, limits::MAX_DIALOG_CODE_CHARS);

        let mut own = vec![
            match &self.requester {
                Requester::Web(origin) => t(
                    "dialog-origin",
                    &[("origin", name(origin, limits::MAX_DIALOG_NAME_CHARS))],
                ),
                Requester::Local(program) => t(
                    "dialog-local",
                    &[("program", name(program, limits::MAX_DIALOG_NAME_CHARS))],
                ),
            },
            t(
                "dialog-holder",
                &[(
                    "holder",
                    name(&self.signer.holder, limits::MAX_DIALOG_NAME_CHARS),
                )],
            ),
            t(
                "dialog-mst",
                &[(
                    "mst",
                    self.signer
                        .mst
                        .as_deref()
                        .map(short)
                        .unwrap_or_else(|| unknown.clone()),
                )],
            ),
            t("dialog-expiry", &[("date", short(&self.signer.expiry))]),
        ];
        if self.pin.final_try {
            own.push(t("dialog-pin-final-try", &[]));
        } else if self.pin.count_low {
            own.push(t("dialog-pin-count-low", &[]));
        }
        if self.pinpad {
            own.push(t("dialog-pinpad", &[]));
        }
        own.extend(
            self.notices
                .iter()
                .map(|n| name(n, limits::MAX_DIALOG_TEXT_CHARS)),
        );

        let mut read = Vec::new();
        match &self.content {
            Content::Hash {
                algorithm,
                fingerprint,
            } => {
                own.push(t(
                    "dialog-hash",
                    &[
                        ("algorithm", short(algorithm)),
                        ("fingerprint", short(fingerprint)),
                    ],
                ));
                own.push(t("dialog-blind", &[]));
            }
            Content::Documents(documents) => {
                if documents.len() > 1 || documents.iter().any(|d| d.name.is_some()) {
                    // The count is the agent's own statement: never cut. The forms are read
                    // from the files: budgeted like the rest of their text.
                    own.push(t("dialog-batch", &[("count", documents.len().to_string())]));
                    let mut forms: Vec<(String, usize)> = Vec::new();
                    for d in documents {
                        let form = sanitize_page_text(&d.form);
                        match forms.iter_mut().find(|(f, _)| *f == form) {
                            Some((_, n)) => *n += 1,
                            None => forms.push((form, 1)),
                        }
                    }
                    forms.sort();
                    let forms: Vec<String> =
                        forms.iter().map(|(f, n)| format!("{f} ×{n}")).collect();
                    read.push(t("dialog-batch-forms", &[("forms", forms.join(", "))]));
                }
                if let [only] = documents.as_slice() {
                    read.push(t(
                        "dialog-xml-form",
                        &[("form", sanitize_page_text(&only.form))],
                    ));
                    read.push(t("dialog-xml-unit", &[("unit", field(&only.unit))]));
                    read.push(t("dialog-xml-mst", &[("mst", field(&only.mst))]));
                    if only.bhxh_code.is_some() {
                        read.push(t("dialog-xml-bhxh", &[("code", field(&only.bhxh_code))]));
                    }
                    if only.period.is_some() {
                        read.push(t("dialog-xml-period", &[("period", field(&only.period))]));
                    }
                    if !only.files.is_empty() {
                        let files: Vec<String> =
                            only.files.iter().map(|f| sanitize_page_text(f)).collect();
                        read.push(t(
                            "dialog-xml-files",
                            &[
                                ("count", only.files.len().to_string()),
                                ("files", files.join(", ")),
                            ],
                        ));
                    }
                }
                if documents.len() > 1 || documents.iter().any(|d| d.name.is_some()) {
                    for d in documents.iter().filter(|d| d.name.is_some()) {
                        read.push(t(
                            "dialog-batch-file",
                            &[
                                ("name", field(&d.name)),
                                ("form", sanitize_page_text(&d.form)),
                                ("unit", field(&d.unit)),
                                ("mst", field(&d.mst)),
                                ("period", field(&d.period)),
                            ],
                        ));
                    }
                }
            }
        }

        let mut claimed = Vec::new();
        if let Some(claim) = &self.claim {
            let title = claim.title.as_deref().map(sanitize_page_text);
            let description = claim.description.as_deref().map(sanitize_page_text);
            if let Some(title) = title.filter(|s| !s.is_empty()) {
                let id = if claim.by_local_user {
                    "dialog-document-local"
                } else {
                    "dialog-document"
                };
                claimed.push(t(id, &[("title", title)]));
            }
            if let Some(description) = description.filter(|s| !s.is_empty()) {
                claimed.push(t("dialog-description", &[("description", description)]));
            }
        }

        let cost = |line: &str| line.len() + 3;
        let mut out: Vec<String> = own;
        let mut used: usize = out.iter().map(|l| cost(l)).sum();
        // A line of file text is cut like page text: no single long field takes the whole
        // budget from the lines after it.
        let budgeted: Vec<String> = read
            .iter()
            .map(|l| sanitize_page_text(l))
            .chain(claimed)
            .collect();
        let total = budgeted.len();
        for (shown, line) in budgeted.into_iter().enumerate() {
            let more = t("dialog-more", &[("count", (total - shown).to_string())]);
            let last = shown + 1 == total;
            let reserve = if last { 0 } else { cost(&more) };
            if used + cost(&line) + reserve > budget {
                out.push(more);
                break;
            }
            used += cost(&line);
            out.push(line);
        }
        out.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consent(content: Content, claim: Option<Claim>) -> Consent {
        Consent {
            requester: Requester::Web("https://gddt.baohiemxahoi.gov.vn".into()),
            signer: Signer {
                holder: "CÔNG TY TNHH AN SINH".into(),
                mst: Some("0312345678-001".into()),
                expiry: "31/12/2027".into(),
            },
            content,
            pin: PinState {
                count_low: true,
                ..Default::default()
            },
            pinpad: false,
            notices: vec!["Chưa kiểm tra được tình trạng thu hồi".into()],
            claim,
        }
    }

    fn many_files(n: usize) -> Content {
        Content::Documents(
            (0..n)
                .map(|i| DocumentSummary {
                    name: Some(format!("ho-so-{i:03}-{}.xml", "x".repeat(60))),
                    form: "TK1-TS".into(),
                    unit: Some("CÔNG TY TNHH AN SINH".into()),
                    mst: Some("0312345678-001".into()),
                    period: Some("12/2026".into()),
                    ..Default::default()
                })
                .collect(),
        )
    }

    #[test]
    fn page_text_loses_bidi_zero_width_and_controls() {
        let evil = "Tờ khai\u{202E}cod.exe\u{200B}\u{0007}\nD02-TS";
        assert_eq!(sanitize_page_text(evil), "Tờ khaicod.exe D02-TS");
    }

    #[test]
    fn page_text_is_cut_to_200_characters() {
        let cut = sanitize_page_text(&"ệ".repeat(500));
        assert_eq!(cut.chars().count(), 201);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn the_agents_lines_survive_any_amount_of_file_and_page_text() {
        let claim = Claim {
            title: Some("T".repeat(5000)),
            description: Some("D".repeat(5000)),
            by_local_user: false,
        };
        let text = consent(many_files(400), Some(claim)).render(Lang::Vi, 1000);
        let escaped_len = text.len() + 2 * text.matches('\n').count();
        assert!(escaped_len <= 1000, "{escaped_len}");
        for must in [
            "https://gddt.baohiemxahoi.gov.vn",
            "CÔNG TY TNHH AN SINH",
            "0312345678-001",
            "31/12/2027",
            "số lần thử còn lại ít",
            "thu hồi",
            "400 tệp",
        ] {
            assert!(text.contains(must), "{must} missing from:\n{text}");
        }
        assert!(
            text.lines().last().unwrap().contains("không hiển thị"),
            "{text}"
        );
    }

    /// Every agent line at once (last PIN try, PIN pad, a notice, a blind hash), with the
    /// longest holder and origin a certificate or config could give, in 4-byte characters:
    /// still whole, in either language, within the budget, before any page text.
    #[test]
    fn the_agents_lines_fit_the_budget_in_the_worst_case() {
        for lang in [Lang::Vi, Lang::En] {
            let mut worst = consent(
                Content::Hash {
                    algorithm: "SHA-512".repeat(10),
                    fingerprint: "F".repeat(500),
                },
                Some(Claim {
                    title: Some("𝐓".repeat(500)),
                    description: Some("𝐃".repeat(500)),
                    by_local_user: false,
                }),
            );
            worst.requester = Requester::Web(format!("https://{}", "𝐨".repeat(500)));
            worst.signer.holder = "𝐇".repeat(500);
            worst.signer.mst = Some("9".repeat(500));
            worst.pin.final_try = true;
            worst.pinpad = true;
            let text = worst.render(lang, limits::MAX_CONSENT_BYTES);
            let escaped_len = text.len() + 2 * text.matches('\n').count();
            assert!(escaped_len <= limits::MAX_CONSENT_BYTES, "{escaped_len}");
            let own = ["dialog-pin-final-try", "dialog-pinpad", "dialog-blind"];
            for id in own {
                let line = text_of(lang, id);
                assert!(text.contains(&line), "{id} missing from:\n{text}");
            }
            assert!(text.contains("thu hồi"));
            assert!(text.contains(&"F".repeat(limits::MAX_DIALOG_CODE_CHARS)));
        }
    }

    fn text_of(lang: Lang, id: &str) -> String {
        text(lang, id, &[])
    }

    #[test]
    fn page_claims_come_last_and_marked_unverified() {
        let claim = Claim {
            title: Some("Tờ khai D02-TS".into()),
            description: None,
            by_local_user: false,
        };
        let text = consent(
            Content::Hash {
                algorithm: "SHA-256".into(),
                fingerprint: "AB12…CD34".into(),
            },
            Some(claim),
        )
        .render(Lang::En, 1000);
        let last = text.lines().last().unwrap();
        assert!(
            last.contains("Tờ khai D02-TS") && last.contains("unverified"),
            "{text}"
        );
        assert!(text.contains("cannot be shown"));
    }
}
