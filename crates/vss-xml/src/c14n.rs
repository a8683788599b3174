//! Canonical XML 1.0 (with and without comments) and Exclusive XML Canonicalization 1.0, as a
//! streaming [`Visitor`]: the canonical form goes straight into a buffer or a digest, never into
//! a tree. It covers the node-sets XMLDSig needs here: the whole document, one element's
//! subtree (`#id` references, `SignedInfo`), either minus one element's subtree (the
//! enveloped-signature transform).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use vss_protocol::{Error, ErrorCode};

use crate::crypto::Hasher;
use crate::parse::{Attr, Node, ScopedMap, Visitor, XML_NS};

/// Which canonicalisation to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum C14nMode {
    /// Canonical XML 1.0 without comments (the BHXH default).
    #[default]
    C14n10,
    /// Canonical XML 1.0 with comments.
    C14n10Comments,
    /// Exclusive XML Canonicalization 1.0 without comments.
    ExcC14n,
    /// Exclusive XML Canonicalization 1.0 with comments.
    ExcC14nComments,
}

impl C14nMode {
    /// Every mode, for tests and help texts.
    pub const ALL: [C14nMode; 4] = [
        C14nMode::C14n10,
        C14nMode::C14n10Comments,
        C14nMode::ExcC14n,
        C14nMode::ExcC14nComments,
    ];

    /// The algorithm URI used in `CanonicalizationMethod` and `Transform`.
    pub fn uri(self) -> &'static str {
        match self {
            C14nMode::C14n10 => "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
            C14nMode::C14n10Comments => {
                "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
            }
            C14nMode::ExcC14n => "http://www.w3.org/2001/10/xml-exc-c14n#",
            C14nMode::ExcC14nComments => "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        }
    }

    pub fn from_uri(uri: &str) -> Option<C14nMode> {
        C14nMode::ALL.into_iter().find(|m| m.uri() == uri)
    }

    /// The short names the CLI and the protocol use: `c14n10`, `c14n10-comments`, `exc-c14n`,
    /// `exc-c14n-comments`.
    pub fn name(self) -> &'static str {
        match self {
            C14nMode::C14n10 => "c14n10",
            C14nMode::C14n10Comments => "c14n10-comments",
            C14nMode::ExcC14n => "exc-c14n",
            C14nMode::ExcC14nComments => "exc-c14n-comments",
        }
    }

    /// Reads a short name; anything else is `unsupported_algorithm`.
    pub fn parse(s: &str) -> Result<C14nMode, Error> {
        C14nMode::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let shown: String = s.chars().take(40).collect();
                Error::new(ErrorCode::UnsupportedAlgorithm).arg("algorithm", shown)
            })
    }

    pub fn exclusive(self) -> bool {
        matches!(self, C14nMode::ExcC14n | C14nMode::ExcC14nComments)
    }

    pub fn with_comments(self) -> bool {
        matches!(self, C14nMode::C14n10Comments | C14nMode::ExcC14nComments)
    }
}

/// Where the canonical bytes go. (The hasher's state is large but there is one per
/// canonicalisation, so boxing it would only add an allocation.)
#[allow(clippy::large_enum_variant)]
pub(crate) enum Output {
    Buffer(Vec<u8>),
    Digest(Hasher),
}

impl Output {
    fn put(&mut self, b: &[u8]) {
        match self {
            Output::Buffer(v) => v.extend_from_slice(b),
            Output::Digest(h) => h.update(b),
        }
    }
}

/// The node-set to canonicalise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The whole document (comments outside the root included when the mode keeps comments).
    Document,
    /// The element starting at this byte offset, with its descendants.
    Subtree(usize),
}

struct Frame {
    /// This element is output.
    visible: bool,
    /// This element or an ancestor is removed (enveloped transform).
    excluded: bool,
    xml_mark: usize,
    qname: String,
}

pub(crate) struct Canonicalizer {
    exclusive: bool,
    comments: bool,
    scope: Scope,
    /// Start offset of an element removed with its subtree.
    exclude: Option<usize>,
    /// Exclusive C14N's InclusiveNamespaces PrefixList (`""` for `#default`).
    inclusive_prefixes: HashSet<String>,
    out: Output,
    frames: Vec<Frame>,
    /// The namespace bindings in scope.
    ns_in_scope: ScopedMap,
    /// Declarations output by visible ancestors.
    rendered: ScopedMap,
    /// `xml:*` attributes in scope (local name, value), innermost last.
    xml_attrs: Vec<(String, String)>,
    after_root: bool,
}

impl Canonicalizer {
    pub fn new(mode: C14nMode, scope: Scope, exclude: Option<usize>, out: Output) -> Self {
        Canonicalizer {
            exclusive: mode.exclusive(),
            comments: mode.with_comments(),
            scope,
            exclude,
            inclusive_prefixes: HashSet::new(),
            out,
            frames: Vec::new(),
            ns_in_scope: ScopedMap::default(),
            rendered: ScopedMap::default(),
            xml_attrs: Vec::new(),
            after_root: false,
        }
    }

    /// Sets exclusive C14N's InclusiveNamespaces PrefixList (whitespace-separated).
    pub fn with_inclusive_prefixes(mut self, list: &str) -> Self {
        self.inclusive_prefixes = list
            .split_ascii_whitespace()
            .map(|p| if p == "#default" { "" } else { p }.to_string())
            .collect();
        self
    }

    /// Forces comments off whatever the mode says (XMLDSig: `URI=""` and `#id` node-sets
    /// contain no comments).
    pub fn without_comments(mut self) -> Self {
        self.comments = false;
        self
    }

    pub fn into_output(self) -> Output {
        self.out
    }

    /// The namespaces in scope at the current element: (prefix, uri), `""` for the default.
    pub fn in_scope_namespaces(&self) -> BTreeMap<String, String> {
        self.ns_in_scope
            .iter()
            .map(|(p, u)| (p.to_string(), u.to_string()))
            .collect()
    }

    /// The `xml:*` attributes in scope at the current element (local name → value).
    pub fn in_scope_xml_attrs(&self) -> BTreeMap<String, String> {
        self.xml_attrs.iter().cloned().collect()
    }

    fn parent_visible(&self) -> bool {
        match self.frames.last() {
            Some(f) => f.visible,
            None => self.scope == Scope::Document,
        }
    }

    fn rendered_value(&self, prefix: &str) -> &str {
        self.rendered.get(prefix).unwrap_or("")
    }

    /// Comments and PIs outside the document element get a line break on the side facing it.
    fn top_level(&mut self, node: &[u8]) {
        if self.frames.is_empty() {
            if self.after_root {
                self.out.put(b"\n");
                self.out.put(node);
            } else {
                self.out.put(node);
                self.out.put(b"\n");
            }
        } else {
            self.out.put(node);
        }
    }

    fn start(&mut self, el: &crate::parse::Element<'_>) {
        let parent_visible = self.parent_visible();
        let parent_excluded = self.frames.last().is_some_and(|f| f.excluded);
        let excluded = parent_excluded || self.exclude == Some(el.start);
        let visible = !excluded && (parent_visible || self.scope == Scope::Subtree(el.start));
        let frame = Frame {
            visible,
            excluded,
            xml_mark: self.xml_attrs.len(),
            qname: if visible {
                el.qname.to_string()
            } else {
                String::new()
            },
        };
        self.ns_in_scope.open();
        for (p, uri) in &el.ns_decls {
            self.ns_in_scope.bind(p, uri);
        }
        self.rendered.open();
        // xml:* attributes are inherited by an apex whose ancestors are not output (C14N 1.0).
        let inherited: Vec<(String, String)> = if visible && !parent_visible && !self.exclusive {
            self.in_scope_xml_attrs()
                .into_iter()
                .filter(|(l, _)| !el.attrs.iter().any(|a| a.ns == XML_NS && a.local == *l))
                .collect()
        } else {
            Vec::new()
        };
        self.xml_attrs.extend(
            el.attrs
                .iter()
                .filter(|a| a.ns == XML_NS)
                .map(|a| (a.local.clone(), a.value.clone())),
        );
        self.frames.push(frame);
        if !visible {
            return;
        }

        // Below a visible parent, every namespace in scope there was either output by it (or
        // an ancestor) or, in exclusive C14N, is output where it is used: only this element's
        // own declarations and used prefixes can differ from what is rendered. Only the apex of
        // a subtree looks at everything in scope, once, so the work stays linear in the input.
        let apex = !parent_visible;
        let declared = || el.ns_decls.iter().map(|(p, _)| p.clone());
        let candidates: Vec<String> = if self.exclusive {
            let mut used: Vec<String> = vec![el.prefix.to_string()];
            used.extend(
                el.attrs
                    .iter()
                    .filter(|a| !a.prefix.is_empty())
                    .map(|a| a.prefix.clone()),
            );
            if apex {
                used.extend(
                    self.inclusive_prefixes
                        .iter()
                        .filter(|p| p.is_empty() || self.ns_in_scope.get(p).is_some())
                        .cloned(),
                );
            } else {
                used.extend(declared().filter(|p| self.inclusive_prefixes.contains(p)));
            }
            used.sort();
            used.dedup();
            used
        } else if apex {
            let mut all: Vec<String> = self
                .ns_in_scope
                .iter()
                .map(|(p, _)| p.to_string())
                .collect();
            if !all.iter().any(|p| p.is_empty()) {
                all.push(String::new());
            }
            all
        } else {
            declared().collect()
        };
        let mut decls: Vec<(String, String)> = Vec::new();
        for p in candidates {
            if p == "xml" {
                continue;
            }
            let v = self.ns_in_scope.get(&p).unwrap_or("");
            if v != self.rendered_value(&p) {
                decls.push((p, v.to_string()));
            }
        }
        decls.sort();

        let mut attrs: Vec<&Attr> = el.attrs.iter().collect();
        let extra: Vec<Attr> = inherited
            .into_iter()
            .map(|(local, value)| Attr {
                prefix: "xml".into(),
                local,
                ns: XML_NS.into(),
                value,
                dtd_id: false,
            })
            .collect();
        attrs.extend(extra.iter());
        attrs.sort_by(|a, b| (&a.ns, &a.local).cmp(&(&b.ns, &b.local)));

        let mut buf = String::with_capacity(64);
        buf.push('<');
        buf.push_str(el.qname);
        for (p, v) in &decls {
            buf.push_str(if p.is_empty() { " xmlns" } else { " xmlns:" });
            buf.push_str(p);
            buf.push_str("=\"");
            escape_attr(v, &mut buf);
            buf.push('"');
        }
        for a in attrs {
            buf.push(' ');
            buf.push_str(&a.qname());
            buf.push_str("=\"");
            escape_attr(&a.value, &mut buf);
            buf.push('"');
        }
        buf.push('>');
        self.out.put(buf.as_bytes());
        for (p, v) in &decls {
            self.rendered.bind(p, v);
        }
    }

    fn end(&mut self) {
        if let Some(f) = self.frames.pop() {
            self.ns_in_scope.close();
            self.rendered.close();
            self.xml_attrs.truncate(f.xml_mark);
            if f.visible {
                self.out.put(b"</");
                self.out.put(f.qname.as_bytes());
                self.out.put(b">");
            }
        }
        if self.frames.is_empty() {
            self.after_root = true;
        }
    }
}

impl Visitor for Canonicalizer {
    fn node(&mut self, node: &Node<'_>) -> Result<(), Error> {
        match node {
            Node::Start(el) => self.start(el),
            Node::End { .. } => self.end(),
            Node::Text(t) => {
                if self.parent_visible() && !self.frames.is_empty() {
                    put_text(t, &mut self.out);
                }
            }
            Node::Comment(c) => {
                if self.comments && self.parent_visible() {
                    let s = format!("<!--{c}-->");
                    self.top_level(s.as_bytes());
                }
            }
            Node::Pi { target, data } => {
                if self.parent_visible() {
                    let s = if data.is_empty() {
                        format!("<?{target}?>")
                    } else {
                        format!("<?{target} {data}?>")
                    };
                    self.top_level(s.as_bytes());
                }
            }
        }
        Ok(())
    }
}

/// Escapes character data straight into the output, slice by slice: a 50 MB base64 text node
/// is never copied.
fn put_text(s: &str, out: &mut Output) {
    let bytes = s.as_bytes();
    let mut from = 0;
    for (i, b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#xD;",
            _ => continue,
        };
        out.put(&bytes[from..i]);
        out.put(esc);
        from = i + 1;
    }
    out.put(&bytes[from..]);
}

fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}
