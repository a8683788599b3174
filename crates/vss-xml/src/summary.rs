//! What the consent dialog shows about a dossier, read by the agent itself (never taken from the
//! page): the form, the unit, its tax and social-insurance codes, the period, and for a
//! BHXHDienTu envelope the files embedded in it. Plus the MST check that must come before any
//! PIN (`identity_mismatch`).

use std::borrow::Cow;

use serde::Serialize;
use vss_protocol::{Error, ErrorCode};

use crate::crypto::DSIG_NS;
use crate::parse::{self, Node, ParseConfig, Visitor};
use crate::Limits;

/// Longest field value kept for a dialog.
use vss_protocol::limits::MAX_SUMMARY_FIELD_CHARS as MAX_FIELD_CHARS;

/// Known forms: each field at a fixed path below the document element (DESIGN §4). Values are
/// read only there; zero matches leave the field unknown, several (or mixed content) unclear.
const KNOWN_FORMS: &[(&str, &[(&str, &str)])] = &[
    (
        "TK1-TS",
        &[
            ("procedure", "ThongTinChung/MaThuTuc"),
            ("unit", "ThongTinChung/TenDoiTuong"),
            ("tax", "ThongTinChung/MaSoThue"),
            ("bhxh", "ThongTinChung/MaDVi"),
            ("period", "ThongTinChung/KyKeKhai"),
        ],
    ),
    (
        "D02-TS",
        &[
            ("unit", "ThongTinDonVi/TenDVi"),
            ("tax", "ThongTinDonVi/MaSoThue"),
            ("bhxh", "ThongTinDonVi/MaDVi"),
            ("period", "ThongTinDonVi/KyKeKhai"),
        ],
    ),
    (
        "BHXHDienTu",
        &[
            ("unit", "ThongTinDonVi/TenDoiTuong"),
            ("tax", "ThongTinDonVi/MaSoThue"),
            ("bhxh", "ThongTinDonVi/MaSoBHXH"),
            ("procedure", "HoSoKeKhai/MaThuTuc"),
            ("period", "HoSoKeKhai/KyKeKhai"),
        ],
    ),
];

/// Other documents: where each summary field is read from: element local names, anywhere outside
/// signatures and outside embedded file contents. A field is known only when exactly one such
/// element exists and holds plain text (one text node: no child element, comment, PI or CDATA
/// split); several candidates or mixed content leave it unknown and listed as unclear
/// ([`FormSummary::unclear`]), so a crafted document cannot show one value and sign another.
const UNIT_NAME: &[&str] = &["TenDoiTuong", "TenDVi", "TenDonVi"];
const TAX_CODE: &[&str] = &["MaSoThue"];
const BHXH_CODE: &[&str] = &["MaSoBHXH", "MaDVi", "MaDonVi"];
const PERIOD: &[&str] = &["KyKeKhai"];
/// The procedure code of an envelope (e.g. 600) comes before a form's own code.
const PROCEDURE_CODE: &[&str] = &["MaThuTuc"];
const FORM_CODE: &[&str] = &["MaToKhai", "MauToKhai"];
/// An embedded file of a BHXHDienTu envelope: its name, and its base64 content (skipped).
const FILE_NAME: &str = "TenFile";
const FILE_CONTENT: &str = "NoiDungFile";

/// The consent summary of a dossier XML.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FormSummary {
    /// Local name of the document element (e.g. `BHXHDienTu`, `TK1-TS`).
    pub root: String,
    /// The procedure code (MaThuTuc) or form code (MaToKhai) when the document states exactly
    /// one, else the root name.
    pub form_code: String,
    /// TenDoiTuong / TenDVi.
    pub unit_name: Option<String>,
    /// MaSoThue.
    pub tax_code: Option<String>,
    /// MaSoBHXH / MaDVi.
    pub bhxh_code: Option<String>,
    /// KyKeKhai.
    pub period: Option<String>,
    /// The embedded files of a BHXHDienTu envelope, by name.
    pub embedded_files: Vec<EmbeddedFile>,
    /// Signatures already in the document.
    pub signatures: usize,
    /// Fields the document holds but not in one plain reading, shown as unknown: an unclear
    /// MaSoThue refuses the signature before any PIN ([`check_identity`]).
    pub unclear: Vec<UnclearField>,
}

/// A summary field the document holds in a way readers may read differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnclearField {
    /// `unit`, `tax`, `bhxh`, `period`, `procedure` or `form`.
    pub field: &'static str,
    /// Why: `several` (more than one candidate element), `mixed_content` (child elements,
    /// comments, processing instructions or several text nodes, CDATA sections included, in the
    /// element), `hidden_characters` (a code with characters the dialog would not show).
    pub why: &'static str,
    /// What was found, as a dialog may show it: the values read, `/`-separated (a mixed
    /// element's text pieces, or each candidate's value).
    pub found: String,
}

/// One file carried (base64) inside an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmbeddedFile {
    pub name: String,
    /// Size of the base64 content, in characters.
    pub encoded_size: usize,
}

/// One element that may hold a field.
#[derive(Debug, Clone)]
struct Candidate {
    field: &'static str,
    /// The pieces of text the element holds, cleaned (one when it is plain).
    pieces: Vec<String>,
    /// Child elements, comments, PIs or several text nodes.
    mixed: bool,
    /// The text has characters the cleaned value does not show.
    hidden: bool,
}

/// An open element (outside signatures and file contents).
#[derive(Debug)]
struct Open {
    local: String,
    /// A child element, comment or PI was seen in it.
    mixed: bool,
    /// Its own text (not its children's).
    text: TextNodes,
}

/// Text of an element, as DOM text nodes: consecutive text and references make one node; a
/// CDATA section, and text after a child element, comment or PI, start another.
#[derive(Debug, Default)]
struct TextNodes {
    nodes: Vec<String>,
    /// The next piece starts a new node.
    split: bool,
    chars: usize,
}

impl TextNodes {
    fn push(&mut self, t: &str, cdata: bool) {
        if t.is_empty() {
            return;
        }
        if cdata || self.split || self.nodes.is_empty() {
            self.split = cdata;
            if self.nodes.len() > 8 {
                // Enough to say the content is mixed; the rest would only cost memory.
                return;
            }
            self.nodes.push(String::new());
        }
        // Keep a little more than a field may show, so that a cut is still seen as one.
        let room = (MAX_FIELD_CHARS + 8).saturating_sub(self.chars);
        if room > 0 {
            let take: String = t.chars().take(room).collect();
            self.chars += take.chars().count();
            if let Some(last) = self.nodes.last_mut() {
                last.push_str(&take);
            }
        }
    }

    /// Something other than text came: the next text is another node.
    fn split(&mut self) {
        self.split = true;
    }
}

#[derive(Default)]
struct Reader {
    root: Option<String>,
    /// The fixed field paths when the root is a known form.
    known: Option<&'static [(&'static str, &'static str)]>,
    /// Open elements, from the document element down.
    path: Vec<Open>,
    /// Depth at which a Signature or a file content started: nothing below is read.
    skip_depth: Option<usize>,
    candidates: Vec<Candidate>,
    files: Vec<EmbeddedFile>,
    content_size: usize,
    signatures: usize,
}

const FIELDS: &[(&str, &[&str])] = &[
    ("unit", UNIT_NAME),
    ("tax", TAX_CODE),
    ("bhxh", BHXH_CODE),
    ("period", PERIOD),
    ("procedure", PROCEDURE_CODE),
    ("form", FORM_CODE),
];

impl Reader {
    /// The fields the element just closed (`local`, below `self.path`) may hold.
    fn fields_of(&self, local: &str) -> Vec<&'static str> {
        match self.known {
            Some(paths) => paths
                .iter()
                .filter(|(_, path)| {
                    // `path` is below the document element: compare it with the open elements
                    // after the root, then `local`, segment by segment.
                    let mut want = path.split('/');
                    self.path
                        .iter()
                        .skip(1)
                        .map(|o| o.local.as_str())
                        .chain(std::iter::once(local))
                        .all(|seg| want.next() == Some(seg))
                        && want.next().is_none()
                        && !self.path.is_empty()
                })
                .map(|(field, _)| *field)
                .collect(),
            None => FIELDS
                .iter()
                .filter(|(_, names)| names.contains(&local))
                .map(|(field, _)| *field)
                .collect(),
        }
    }

    /// Marks the innermost open element as holding more than text.
    fn mark_mixed(&mut self) {
        if self.skip_depth.is_none() {
            if let Some(open) = self.path.last_mut() {
                open.mixed = true;
                open.text.split();
            }
        }
    }

    fn text(&mut self, t: &str, cdata: bool) {
        if self.path.last().is_some_and(|o| o.local == FILE_CONTENT) {
            self.content_size += t.trim().len();
        } else if self.skip_depth.is_none() {
            if let Some(open) = self.path.last_mut() {
                open.text.push(t, cdata);
            }
        }
    }
}

impl Visitor for Reader {
    fn node(&mut self, node: &Node<'_>) -> Result<(), Error> {
        match node {
            Node::Start(el) => {
                if self.root.is_none() {
                    self.root = Some(el.local.to_string());
                    self.known = KNOWN_FORMS
                        .iter()
                        .find(|(root, _)| *root == el.local)
                        .map(|(_, paths)| *paths);
                }
                if el.local == "Signature" && el.ns == DSIG_NS {
                    self.signatures += 1;
                }
                self.mark_mixed();
                let skip =
                    (el.local == "Signature" && el.ns == DSIG_NS) || el.local == FILE_CONTENT;
                if self.skip_depth.is_none() && skip {
                    self.skip_depth = Some(self.path.len());
                }
                if el.local == FILE_CONTENT {
                    self.content_size = 0;
                }
                self.path.push(Open {
                    local: el.local.to_string(),
                    mixed: false,
                    text: TextNodes::default(),
                });
            }
            Node::Text(t) => self.text(t, false),
            Node::Comment(_) | Node::Pi { .. } => self.mark_mixed(),
            Node::End { .. } => {
                let Some(open) = self.path.pop() else {
                    return Ok(());
                };
                let local = open.local;
                if local == FILE_CONTENT {
                    match self.files.last_mut() {
                        Some(f) if f.encoded_size == 0 => f.encoded_size = self.content_size,
                        _ => self.files.push(EmbeddedFile {
                            name: String::new(),
                            encoded_size: self.content_size,
                        }),
                    }
                }
                if self.skip_depth == Some(self.path.len()) {
                    self.skip_depth = None;
                } else if self.skip_depth.is_none() {
                    let nodes = &open.text.nodes;
                    let mixed = open.mixed || nodes.len() > 1;
                    let raw = nodes.first().map(String::as_str).unwrap_or("");
                    let text = clean(raw);
                    if local == FILE_NAME && !mixed && !text.is_empty() {
                        self.files.push(EmbeddedFile {
                            name: text.clone(),
                            encoded_size: 0,
                        });
                    }
                    for field in self.fields_of(&local) {
                        let hidden =
                            field == "tax" && text != raw.trim_matches(parse::is_xml_space);
                        self.candidates.push(Candidate {
                            field,
                            pieces: nodes.iter().map(|t| clean(t)).collect(),
                            mixed,
                            hidden,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    fn cdata(&mut self, text: Cow<'_, str>) -> Result<(), Error> {
        self.text(&text, true);
        Ok(())
    }
}

/// What the document says for `field`: `Ok(Some(value))` when exactly one element holds it as
/// plain text, `Ok(None)` when no element (or one empty element) does, `Err` when it is there
/// but unclear.
fn read_field(
    candidates: &[Candidate],
    field: &'static str,
) -> Result<Option<String>, UnclearField> {
    let found: Vec<&Candidate> = candidates.iter().filter(|c| c.field == field).collect();
    let shown = |c: &Candidate| {
        let pieces: Vec<&str> = c
            .pieces
            .iter()
            .map(String::as_str)
            .filter(|p| !p.is_empty())
            .collect();
        if pieces.is_empty() {
            "\u{2014}".to_string()
        } else {
            pieces.join(" / ")
        }
    };
    let unclear = |why: &'static str, found: String| UnclearField {
        field,
        why,
        found: clean(&found),
    };
    match found.as_slice() {
        [] => Ok(None),
        [one] if one.mixed => Err(unclear("mixed_content", shown(one))),
        [one] if one.hidden => Err(unclear("hidden_characters", shown(one))),
        [one] => Ok(one.pieces.first().filter(|v| !v.is_empty()).cloned()),
        several => Err(unclear(
            "several",
            several
                .iter()
                .map(|c| shown(c))
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

/// The value as a dialog may show it (the one sanitizer of outside text).
fn clean(s: &str) -> String {
    vss_protocol::display::clean(s, MAX_FIELD_CHARS)
}

/// Reads the consent summary of `xml`. No DOCTYPE is accepted (the agent reads what pages
/// send); limits are the defaults.
pub fn summarize(xml: &[u8]) -> Result<FormSummary, Error> {
    let limits = Limits::default();
    let (text, bom) = parse::decode_input(xml, &limits, false)?;
    let cfg = ParseConfig {
        allow_doctype: false,
        limits,
    };
    let mut r = Reader::default();
    parse::walk(&text, bom, &cfg, &mut r)?;
    let mut unclear = Vec::new();
    let mut field = |name: &'static str| match read_field(&r.candidates, name) {
        Ok(v) => v,
        Err(u) => {
            unclear.push(u);
            None
        }
    };
    let procedure = field("procedure");
    let form = field("form");
    let unit_name = field("unit");
    let tax_code = field("tax");
    let bhxh_code = field("bhxh");
    let period = field("period");
    let root = r.root.clone().unwrap_or_default();
    Ok(FormSummary {
        form_code: procedure.or(form).unwrap_or_else(|| root.clone()),
        root,
        unit_name,
        tax_code,
        bhxh_code,
        period,
        embedded_files: r.files,
        signatures: r.signatures,
        unclear,
    })
}

/// `identity_mismatch` when the form names a MaSoThue and the certificate's MST is another one.
/// Exact comparison (spaces ignored), as the token layer does: a branch `0101234567-001` is a
/// unit of its own. Nothing to compare (no MaSoThue in the dossier, or none on the
/// certificate) passes: the dialog shows both. A MaSoThue the dossier holds but not plainly
/// (mixed content, several candidates, hidden characters) is refused whatever the
/// certificate: it could read one way in the dialog and another to the portal.
pub fn check_identity(summary: &FormSummary, certificate_mst: Option<&str>) -> Result<(), Error> {
    if let Some(u) = summary.unclear.iter().find(|u| u.field == "tax") {
        return Err(Error::new(ErrorCode::IdentityMismatch)
            .arg("kind", "dossier_unreadable")
            .arg("found", u.found.clone())
            .arg("expected", u.found.clone())
            .arg("actual", certificate_mst.unwrap_or("\u{2014}").to_string())
            .detail("kind", "dossier_unreadable")
            .detail("why", u.why)
            .detail("found", u.found.clone())
            .detail("actual", certificate_mst.unwrap_or_default()));
    }
    let (Some(expected), Some(actual)) = (summary.tax_code.as_deref(), certificate_mst) else {
        return Ok(());
    };
    if vss_cert::mst_matches(actual, expected) {
        Ok(())
    } else {
        Err(vss_cert::identity_mismatch(expected, &[actual]))
    }
}
