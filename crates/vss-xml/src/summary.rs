//! What the consent dialog shows about a dossier, read by the agent itself (never taken from the
//! page): the form, the unit, its tax and social-insurance codes, the period, and for a
//! BHXHDienTu envelope the files embedded in it. Plus the MST check that must come before any
//! PIN (`identity_mismatch`).

use serde::Serialize;
use vss_protocol::Error;

use crate::crypto::DSIG_NS;
use crate::parse::{self, Node, ParseConfig, Visitor};
use crate::Limits;

/// Longest field value kept for a dialog.
use vss_protocol::limits::MAX_SUMMARY_FIELD_CHARS as MAX_FIELD_CHARS;

/// Known forms: each field at a fixed path below the document element (DESIGN §4). Values are
/// read only there; zero or several matches leave the field unknown.
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
/// signatures and outside embedded file contents. A field is known only when exactly one such element with
/// text exists; zero or several matches leave it unknown (`None`), so a crafted document cannot
/// show one value and sign another.
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
}

/// One file carried (base64) inside an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmbeddedFile {
    pub name: String,
    /// Size of the base64 content, in characters.
    pub encoded_size: usize,
}

#[derive(Default)]
struct Reader {
    root: Option<String>,
    /// The fixed field paths when the root is a known form.
    known: Option<&'static [(&'static str, &'static str)]>,
    /// Local names of open elements; `None` once inside a Signature or file content.
    path: Vec<String>,
    skip_depth: Option<usize>,
    current_text: String,
    fields: Vec<(&'static str, String)>,
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
                let skip =
                    (el.local == "Signature" && el.ns == DSIG_NS) || el.local == FILE_CONTENT;
                if self.skip_depth.is_none() && skip {
                    self.skip_depth = Some(self.path.len());
                }
                if el.local == FILE_CONTENT {
                    self.content_size = 0;
                }
                self.path.push(el.local.to_string());
                self.current_text.clear();
            }
            Node::Text(t) => {
                if self.path.last().is_some_and(|l| l == FILE_CONTENT) {
                    self.content_size += t.trim().len();
                } else if self.skip_depth.is_none()
                    && self.current_text.chars().count() < MAX_FIELD_CHARS
                {
                    self.current_text.push_str(t);
                }
            }
            Node::End { .. } => {
                let Some(local) = self.path.pop() else {
                    return Ok(());
                };
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
                    let text = clean(&self.current_text);
                    if local == FILE_NAME && !text.is_empty() {
                        self.files.push(EmbeddedFile {
                            name: text.clone(),
                            encoded_size: 0,
                        });
                    }
                    if !text.is_empty() && !self.path.is_empty() {
                        match self.known {
                            Some(paths) => {
                                let mut rel: Vec<&str> =
                                    self.path[1..].iter().map(String::as_str).collect();
                                rel.push(local.as_str());
                                let rel = rel.join("/");
                                for (field, path) in paths {
                                    if *path == rel {
                                        self.fields.push((field, text.clone()));
                                    }
                                }
                            }
                            None => {
                                for (field, names) in FIELDS {
                                    if names.contains(&local.as_str()) {
                                        self.fields.push((field, text.clone()));
                                    }
                                }
                            }
                        }
                    }
                }
                self.current_text.clear();
            }
            _ => {}
        }
        Ok(())
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
    let unique = |field: &str| -> Option<String> {
        let mut values = r.fields.iter().filter(|(f, _)| *f == field);
        match (values.next(), values.next()) {
            (Some((_, v)), None) => Some(v.clone()),
            _ => None,
        }
    };
    let root = r.root.clone().unwrap_or_default();
    Ok(FormSummary {
        form_code: unique("procedure")
            .or_else(|| unique("form"))
            .unwrap_or_else(|| root.clone()),
        root,
        unit_name: unique("unit"),
        tax_code: unique("tax"),
        bhxh_code: unique("bhxh"),
        period: unique("period"),
        embedded_files: r.files,
        signatures: r.signatures,
    })
}

/// `identity_mismatch` when the form names a MaSoThue and the certificate's MST is another one.
/// Exact comparison (spaces ignored), as the token layer does: a branch `0101234567-001` is a
/// unit of its own. Nothing to compare (either side unknown) passes: the dialog shows both.
pub fn check_identity(summary: &FormSummary, certificate_mst: Option<&str>) -> Result<(), Error> {
    let (Some(expected), Some(actual)) = (summary.tax_code.as_deref(), certificate_mst) else {
        return Ok(());
    };
    if vss_cert::mst_matches(actual, expected) {
        Ok(())
    } else {
        Err(vss_cert::identity_mismatch(expected, &[actual]))
    }
}
