//! The one XML reader of this crate: a streaming pass over the original bytes that applies the
//! input rules (DOCTYPE policy, no external resolution, entity-expansion and size caps), resolves
//! namespaces and entities, and hands each node with its byte offsets to a [`Visitor`].
//!
//! Every consumer (canonicaliser, signer's scan, verifier, summary) is a visitor, so the rules
//! live here once. Nothing is built as a tree: memory stays near the input size.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use vss_protocol::{Error, ErrorCode};

use crate::Limits;

/// The XML namespace, bound to `xml` in every document.
pub(crate) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Nesting depth of entity references inside entity replacement text.
const MAX_ENTITY_NESTING: usize = 16;

/// How the input rules apply to one pass.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParseConfig {
    pub allow_doctype: bool,
    pub limits: Limits,
}

/// An attribute after value normalisation (XML 1.0 §3.3.3) and DTD typing.
#[derive(Debug, Clone)]
pub(crate) struct Attr {
    pub prefix: String,
    pub local: String,
    /// Namespace URI, empty for an unprefixed attribute.
    pub ns: String,
    pub value: String,
    /// Declared `ID` in the internal subset (besides the conventional `Id`/`ID`/`id` names).
    pub dtd_id: bool,
}

impl Attr {
    pub fn qname(&self) -> String {
        if self.prefix.is_empty() {
            self.local.clone()
        } else {
            format!("{}:{}", self.prefix, self.local)
        }
    }

    /// Whether this attribute identifies its element for `URI="#…"` references: the names
    /// XMLDSig implementations treat as IDs (xmlsec registers `Id`; forms use `ID`/`id`),
    /// `xml:id`, and anything the internal subset declares of type ID.
    pub fn is_id(&self) -> bool {
        self.dtd_id
            || (self.ns.is_empty() && matches!(self.local.as_str(), "Id" | "ID" | "id"))
            || (self.ns == XML_NS && self.local == "id")
    }
}

/// A start tag (or empty-element tag, which is followed by its own [`Node::End`]).
#[derive(Debug)]
pub(crate) struct Element<'a> {
    pub qname: &'a str,
    pub prefix: &'a str,
    pub local: &'a str,
    /// Namespace URI of the element, empty when none.
    pub ns: String,
    /// Namespace declarations on this element: (prefix, uri), `""` for the default namespace.
    pub ns_decls: Vec<(String, String)>,
    pub attrs: Vec<Attr>,
    /// Byte offset of `<` in the original input.
    pub start: usize,
    /// `<x/>`: the matching End follows immediately.
    pub empty: bool,
    /// 1 for the document element.
    pub depth: usize,
}

/// One node of the document in document order.
#[derive(Debug)]
pub(crate) enum Node<'a> {
    Start(Element<'a>),
    /// End of the element opened by the matching Start; `start..end` is the end tag's span
    /// (empty span at the `/>` for an empty-element tag).
    End {
        start: usize,
        end: usize,
    },
    /// Character data: references resolved, CDATA unwrapped, line ends normalised to LF.
    Text(Cow<'a, str>),
    /// Comment text, line ends normalised to LF.
    Comment(Cow<'a, str>),
    /// Processing instruction; `data` has its line ends normalised to LF.
    Pi {
        target: &'a str,
        data: Cow<'a, str>,
    },
}

/// Receives the nodes of one pass.
pub(crate) trait Visitor {
    fn node(&mut self, node: &Node<'_>) -> Result<(), Error>;

    /// The text of a CDATA section. Canonical forms and digests do not tell it from other text
    /// (the default), but many readers see it as a text node of its own, which the summary
    /// must know: `<MaSoThue>0312<![CDATA[345678]]></MaSoThue>` reads differently to each.
    fn cdata(&mut self, text: Cow<'_, str>) -> Result<(), Error> {
        self.node(&Node::Text(text))
    }
}

/// A map whose bindings are opened and closed with the elements: namespace prefixes in scope,
/// namespace declarations already output by the canonicaliser. Lookups are by hash and
/// closing an element undoes only its own bindings, so the cost is linear in the bindings made,
/// however many are in scope.
#[derive(Debug, Default)]
pub(crate) struct ScopedMap {
    /// Key → values bound to it, innermost last (never an empty list).
    bindings: HashMap<String, Vec<String>>,
    /// Keys bound, in order; `marks` holds each open element's first entry.
    log: Vec<String>,
    marks: Vec<usize>,
}

impl ScopedMap {
    /// Opens an element's scope.
    pub fn open(&mut self) {
        self.marks.push(self.log.len());
    }

    /// Binds `key` to `value` in the current scope.
    pub fn bind(&mut self, key: &str, value: &str) {
        self.bindings
            .entry(key.to_string())
            .or_default()
            .push(value.to_string());
        self.log.push(key.to_string());
    }

    /// Closes the innermost scope, undoing its bindings.
    pub fn close(&mut self) {
        let mark = self.marks.pop().unwrap_or(0);
        for key in self.log.drain(mark..) {
            if let Some(values) = self.bindings.get_mut(&key) {
                values.pop();
                if values.is_empty() {
                    self.bindings.remove(&key);
                }
            }
        }
    }

    /// The innermost value bound to `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.bindings
            .get(key)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    /// Every key in scope with its innermost value, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.bindings
            .iter()
            .filter_map(|(k, v)| v.last().map(|v| (k.as_str(), v.as_str())))
    }
}

/// Facts about the document as a whole.
#[derive(Debug, Default, Clone)]
pub(crate) struct DocInfo {
    pub has_doctype: bool,
    /// The first line end in the input is CRLF.
    pub crlf: bool,
}

pub(crate) fn malformed(reason: impl Into<String>) -> Error {
    Error::new(ErrorCode::XmlMalformed).arg("reason", reason)
}

/// A general entity declared in the internal subset.
#[derive(Debug, Clone)]
enum Entity {
    /// Replacement text, character references already expanded (XML 1.0 §4.5).
    Internal(String),
    /// SYSTEM/PUBLIC: declared but never fetched.
    External,
}

#[derive(Debug, Clone)]
struct AttDef {
    cdata: bool,
    id: bool,
    /// Default value (raw literal), from a plain or #FIXED default.
    default: Option<String>,
}

/// The attributes an ATTLIST declares for one element, in declaration order, and by name.
#[derive(Debug, Default)]
struct AttList {
    defs: Vec<(String, AttDef)>,
    index: HashMap<String, usize>,
}

impl AttList {
    fn get(&self, name: &str) -> Option<&AttDef> {
        self.index.get(name).map(|&i| &self.defs[i].1)
    }
}

#[derive(Debug, Default)]
struct Dtd {
    entities: HashMap<String, Entity>,
    /// element qname → its attribute definitions, first declaration wins.
    attlists: HashMap<String, AttList>,
    /// Full expansions of the entities used so far, in content (`false`) and in attributes
    /// (`true`): a later use is one copy, charged its length, instead of a walk down every
    /// nested reference again. Everything stored was charged when it was first made, so this
    /// holds no more than the expansion budget.
    expanded: RefCell<HashMap<(String, bool), String>>,
}

/// Checks the byte-level rules (size, encoding) and returns the text to parse and its BOM length.
/// Input that is not UTF-8 is accepted only when it declares ISO-8859-1 and `transcode` is set;
/// the signer never transcodes because it splices into the original bytes.
pub(crate) fn decode_input<'a>(
    xml: &'a [u8],
    limits: &Limits,
    transcode: bool,
) -> Result<(Cow<'a, str>, usize), Error> {
    if xml.len() > limits.max_size {
        return Err(malformed(format!(
            "the file is larger than {} bytes",
            limits.max_size
        )));
    }
    if xml.starts_with(&[0xFE, 0xFF]) || xml.starts_with(&[0xFF, 0xFE]) {
        return Err(malformed("UTF-16 is not accepted; save the file as UTF-8"));
    }
    let bom = if xml.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let body = &xml[bom..];
    let declared = declared_encoding(body)
        .unwrap_or_default()
        .to_ascii_uppercase();
    let ascii = body.is_ascii();
    match declared.as_str() {
        "" | "UTF-8" | "UTF8" => {}
        // ISO-8859-1 is read as ISO-8859-1 even when the bytes happen to be valid UTF-8 (every
        // verifier decodes by the declaration); the signer splices into the original bytes, so
        // it takes such a file only when it is ASCII, where both read the same.
        "ISO-8859-1" | "LATIN1" | "ISO_8859-1" | "L1" | "ISO-IR-100" | "CP819" | "IBM819"
        | "ISO_8859-1:1987" | "CSISOLATIN1" => {
            if bom != 0 {
                return Err(malformed(
                    "a UTF-8 byte order mark with an ISO-8859-1 declaration",
                ));
            }
            if ascii {
                return Ok((
                    Cow::Borrowed(std::str::from_utf8(body).unwrap_or_default()),
                    0,
                ));
            }
            if transcode {
                return Ok((Cow::Owned(body.iter().map(|&b| b as char).collect()), 0));
            }
            return Err(malformed(
                "the file declares ISO-8859-1; save the file as UTF-8 to sign it",
            ));
        }
        // ASCII-compatible single-byte encodings read an ASCII file as UTF-8 does.
        "US-ASCII" | "ASCII" => {
            if !ascii {
                return Err(malformed("a non-ASCII byte in a file declared US-ASCII"));
            }
        }
        e if ascii && bom == 0 && (e.starts_with("WINDOWS-125") || e.starts_with("ISO-8859-")) => {}
        e => {
            let shown: String = e.chars().take(40).collect();
            return Err(malformed(format!(
                "the encoding {shown} is not supported; save the file as UTF-8"
            )));
        }
    }
    match std::str::from_utf8(body) {
        Ok(s) => Ok((Cow::Borrowed(s), bom)),
        Err(e) => Err(malformed(format!(
            "not UTF-8 (invalid byte at offset {}); save the file as UTF-8",
            bom + e.valid_up_to()
        ))),
    }
}

/// The `encoding` pseudo-attribute of the XML declaration, if any.
fn declared_encoding(body: &[u8]) -> Option<String> {
    let head = body.get(..body.len().min(200))?;
    if !head.starts_with(b"<?xml") || !head.get(5).is_some_and(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = String::from_utf8_lossy(&head[..end]).into_owned();
    let at = decl.find("encoding")?;
    let rest = decl[at + 8..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(rest[..rest.find(quote)?].to_string())
}

/// Runs one pass over `text` (already decoded; offsets are reported relative to the original
/// input, i.e. shifted by `bom`).
pub(crate) fn walk(
    text: &str,
    bom: usize,
    cfg: &ParseConfig,
    visitor: &mut dyn Visitor,
) -> Result<DocInfo, Error> {
    check_chars(text, bom)?;
    let mut info = DocInfo::default();
    if let Some(i) = text.find('\n') {
        info.crlf = i > 0 && text.as_bytes()[i - 1] == b'\r';
    }
    let new_reader = |from: usize| {
        let mut reader = Reader::from_str(&text[from..]);
        let c = reader.config_mut();
        c.check_end_names = true;
        c.check_comments = true;
        c.expand_empty_elements = false;
        c.trim_text(false);
        reader
    };
    let mut reader = new_reader(0);
    // Offset in `text` where `reader` starts: the reader is started again after a DOCTYPE,
    // which is read here (quick-xml balances `<` and `>` in it, so a `<` inside a comment or a
    // literal of the internal subset would end it at the wrong place).
    let mut base = 0usize;
    let mut dtd = Dtd::default();
    // Namespace prefixes in scope, one scope per open element.
    let mut ns = ScopedMap::default();
    let mut open: usize = 0;
    let mut nodes: usize = 0;
    let mut seen_root = false;
    let mut root_closed = false;
    let mut first = true;
    // Characters produced by expanding declared entities, over the whole document.
    let mut budget = cfg.limits.max_entity_expansion;
    // Values of xml:id and of DTD-declared ID attributes: one element each (libxml2 refuses a
    // document that repeats one, and a repeated ID makes `URI="#…"` ambiguous).
    let mut ids: HashSet<String> = HashSet::new();

    loop {
        let start = base + reader.buffer_position() as usize;
        if text.as_bytes()[start..].starts_with(b"<!") {
            let head = &text.as_bytes()[start..];
            if head.len() >= 9 && head[2..9].eq_ignore_ascii_case(b"DOCTYPE") {
                first = false;
                nodes += 1;
                if !cfg.allow_doctype {
                    return Err(Error::new(ErrorCode::XmlDtdForbidden));
                }
                if seen_root || info.has_doctype || !head.starts_with(b"<!DOCTYPE") {
                    return Err(malformed("misplaced DOCTYPE"));
                }
                info.has_doctype = true;
                let (subset, len) = doctype_extent(&text[start..])
                    .map_err(|e| malformed(format!("{e} (near byte {})", bom + start)))?;
                dtd = parse_doctype(subset)?;
                base = start + len;
                reader = new_reader(base);
                continue;
            }
        }
        let event = reader
            .read_event()
            .map_err(|e| malformed(format!("{e} (near byte {})", bom + start)))?;
        let end = base + reader.buffer_position() as usize;
        let is_first = std::mem::replace(&mut first, false);
        nodes += 1;
        if nodes > cfg.limits.max_nodes {
            return Err(malformed(format!(
                "more than {} XML nodes",
                cfg.limits.max_nodes
            )));
        }
        let depth = open;
        match event {
            Event::Eof => break,
            Event::Decl(_) => {
                if !is_first || start != 0 {
                    return Err(malformed("the XML declaration must come first"));
                }
                check_xml_decl(&text[start..end])?;
            }
            // Read above, before quick-xml sees it.
            Event::DocType(_) => return Err(malformed("misplaced DOCTYPE")),
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                if depth == 0 {
                    if seen_root {
                        return Err(malformed("more than one document element"));
                    }
                    seen_root = true;
                }
                if depth + 1 > cfg.limits.max_depth {
                    return Err(malformed(format!(
                        "elements nested deeper than {}",
                        cfg.limits.max_depth
                    )));
                }
                ns.open();
                open += 1;
                let el = build_element(
                    text,
                    bom,
                    e,
                    &dtd,
                    &mut ns,
                    bom + start,
                    empty,
                    depth + 1,
                    &mut budget,
                    &cfg.limits,
                )?;
                nodes += el.attrs.len() + el.ns_decls.len();
                for a in &el.attrs {
                    if (a.dtd_id || (a.ns == XML_NS && a.local == "id"))
                        && !ids.insert(a.value.clone())
                    {
                        return Err(malformed(format!(
                            "the ID '{}' is used twice (near byte {})",
                            a.value,
                            bom + start
                        )));
                    }
                }
                visitor.node(&Node::Start(el))?;
                if empty {
                    visitor.node(&Node::End {
                        start: bom + end - 2,
                        end: bom + end - 2,
                    })?;
                    ns.close();
                    open -= 1;
                    root_closed = open == 0;
                }
            }
            Event::End(_) => {
                visitor.node(&Node::End {
                    start: bom + start,
                    end: bom + end,
                })?;
                ns.close();
                open = open.saturating_sub(1);
                root_closed = open == 0;
            }
            Event::Text(t) => {
                let raw = std::str::from_utf8(&t).map_err(|_| malformed("text is not UTF-8"))?;
                if raw.contains("]]>") {
                    return Err(malformed(format!(
                        "']]>' in text (near byte {}); write ']]&gt;'",
                        bom + start
                    )));
                }
                if depth == 0 {
                    if !raw.chars().all(is_xml_space) {
                        return Err(malformed("text outside the document element"));
                    }
                } else {
                    visitor.node(&Node::Text(normalize_line_ends(raw)))?;
                }
            }
            Event::CData(t) => {
                if depth == 0 {
                    return Err(malformed("CDATA outside the document element"));
                }
                let raw = std::str::from_utf8(&t).map_err(|_| malformed("CDATA is not UTF-8"))?;
                visitor.cdata(normalize_line_ends(raw))?;
            }
            Event::GeneralRef(r) => {
                if depth == 0 {
                    return Err(malformed("reference outside the document element"));
                }
                let name = std::str::from_utf8(&r).map_err(|_| malformed("bad reference"))?;
                let mut out = String::new();
                expand_reference(name, &dtd, &mut out, &mut budget, 0, RefContext::Content)?;
                visitor.node(&Node::Text(Cow::Owned(out)))?;
            }
            Event::Comment(c) => {
                let s = std::str::from_utf8(&c).map_err(|_| malformed("comment is not UTF-8"))?;
                if s.ends_with('-') {
                    return Err(malformed("a comment ends with '--->'"));
                }
                visitor.node(&Node::Comment(normalize_line_ends(s)))?;
            }
            Event::PI(p) => {
                let target = std::str::from_utf8(p.target())
                    .map_err(|_| malformed("processing instruction is not UTF-8"))?;
                if target.eq_ignore_ascii_case("xml") {
                    return Err(malformed("misplaced XML declaration"));
                }
                if !is_ncname(target) {
                    return Err(malformed(format!(
                        "invalid processing instruction target '{target}'"
                    )));
                }
                let data = std::str::from_utf8(p.content())
                    .map_err(|_| malformed("processing instruction is not UTF-8"))?;
                if !data.is_empty() && !data.starts_with(is_xml_space) {
                    return Err(malformed(format!(
                        "no space after the processing instruction target '{target}'"
                    )));
                }
                visitor.node(&Node::Pi {
                    target,
                    data: normalize_line_ends(data.trim_start_matches(is_xml_space)),
                })?;
            }
        }
    }
    if !seen_root {
        return Err(malformed("no document element"));
    }
    if !root_closed {
        return Err(malformed("the document ends inside an element"));
    }
    Ok(info)
}

/// XML 1.0 §2.8: `<?xml version="1.x" encoding="…" standalone="yes|no"?>`, in that order,
/// each pseudo-attribute once; `decl` is the whole declaration.
fn check_xml_decl(decl: &str) -> Result<(), Error> {
    let bad = |what: &str| malformed(format!("invalid XML declaration: {what}"));
    let mut rest = decl
        .strip_prefix("<?xml")
        .and_then(|r| r.strip_suffix("?>"))
        .ok_or_else(|| bad("not closed"))?;
    let mut seen: Vec<&str> = Vec::new();
    loop {
        let trimmed = rest.trim_start_matches(is_xml_space);
        if trimmed.is_empty() {
            break;
        }
        if trimmed.len() == rest.len() {
            return Err(bad("no space between pseudo-attributes"));
        }
        let eq = trimmed.find('=').ok_or_else(|| bad("expected '='"))?;
        let name = trimmed[..eq].trim_end_matches(is_xml_space);
        let after = trimmed[eq + 1..].trim_start_matches(is_xml_space);
        let quote = after
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(|| bad("expected a quoted value"))?;
        let close = after[1..]
            .find(quote)
            .ok_or_else(|| bad("unterminated value"))?;
        let value = &after[1..1 + close];
        rest = &after[close + 2..];
        let order = ["version", "encoding", "standalone"];
        let idx = order
            .iter()
            .position(|n| *n == name)
            .ok_or_else(|| bad(&format!("unknown pseudo-attribute '{name}'")))?;
        if seen
            .iter()
            .any(|s| order.iter().position(|n| n == s) >= Some(idx))
        {
            return Err(bad(&format!("'{name}' out of order or repeated")));
        }
        if seen.is_empty() && name != "version" {
            return Err(bad("version must come first"));
        }
        seen.push(order[idx]);
        let ok = match name {
            "version" => value
                .strip_prefix("1.")
                .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())),
            "encoding" => {
                let mut b = value.bytes();
                b.next().is_some_and(|c| c.is_ascii_alphabetic())
                    && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
            }
            _ => matches!(value, "yes" | "no"),
        };
        if !ok {
            return Err(bad(&format!("{name}=\"{value}\"")));
        }
    }
    if seen.is_empty() {
        return Err(bad("no version"));
    }
    Ok(())
}

/// The extent of the DOCTYPE declaration at the start of `s` (XML 1.0 §2.8): its internal
/// subset (between `[` and `]`) and its length up to and including the closing `>`. Literals,
/// comments and processing instructions are skipped whole, so markup characters inside them
/// never end the declaration.
fn doctype_extent(s: &str) -> Result<(&str, usize), &'static str> {
    let b = s.as_bytes();
    let mut i = "<!DOCTYPE".len();
    let mut subset: Option<(usize, usize)> = None;
    let skip_quoted = |i: usize| -> Result<usize, &'static str> {
        let q = b[i];
        b[i + 1..]
            .iter()
            .position(|&c| c == q)
            .map(|p| i + 1 + p + 1)
            .ok_or("unterminated literal in the DOCTYPE")
    };
    let skip_past = |i: usize, lit: &str| -> Result<usize, &'static str> {
        s[i..]
            .find(lit)
            .map(|p| i + p + lit.len())
            .ok_or("unterminated DOCTYPE")
    };
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' => i = skip_quoted(i)?,
            b'[' if subset.is_none() => {
                let open = i + 1;
                i = open;
                loop {
                    match b.get(i) {
                        None => return Err("unterminated DOCTYPE"),
                        Some(b']') => break,
                        Some(b'"' | b'\'') => i = skip_quoted(i)?,
                        Some(b'<') if s[i..].starts_with("<!--") => i = skip_past(i + 4, "-->")?,
                        Some(b'<') if s[i..].starts_with("<?") => i = skip_past(i + 2, "?>")?,
                        Some(_) => i += 1,
                    }
                }
                subset = Some((open, i));
                i += 1;
                let after = s[i..].trim_start_matches(is_xml_space);
                if !after.starts_with('>') {
                    return Err("expected '>' after the DOCTYPE's internal subset");
                }
                i = b.len() - after.len();
            }
            b'>' => {
                let inner = subset.map_or("", |(a, z)| &s[a..z]);
                return Ok((inner, i + 1));
            }
            b'[' | b'<' => return Err("unexpected character in the DOCTYPE"),
            _ => i += 1,
        }
    }
    Err("unterminated DOCTYPE")
}

/// XML 1.0 §2.2: a document holds only `Char`s — no NUL, no C0 control other than tab, LF and
/// CR, no U+FFFE or U+FFFF (UTF-8 text cannot hold surrogates; character references are checked
/// where they are expanded). Checked over the whole text at once, so text, attribute values,
/// comments, PIs and the DOCTYPE are covered alike: what is signed is XML any verifier parses.
fn check_chars(text: &str, bom: usize) -> Result<(), Error> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(off) = bytes[from..]
        .iter()
        .position(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xEF)
    {
        let at = from + off;
        let bad = match bytes[at] {
            0xEF => match (bytes.get(at + 1), bytes.get(at + 2)) {
                (Some(0xBF), Some(0xBE)) => Some(0xFFFE),
                (Some(0xBF), Some(0xBF)) => Some(0xFFFF),
                _ => None,
            },
            b => Some(u32::from(b)),
        };
        if let Some(c) = bad {
            return Err(malformed(format!(
                "character U+{c:04X} is not allowed in XML (byte {})",
                bom + at
            )));
        }
        from = at + 1;
    }
    Ok(())
}

pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// XML 1.0 §2.11: CRLF and lone CR become LF.
fn normalize_line_ends(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\r') {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
}

fn split_qname(qname: &str) -> Result<(&str, &str), Error> {
    let (prefix, local) = match qname.split_once(':') {
        Some((p, l)) => (p, l),
        None => ("", qname),
    };
    // A colon needs a prefix before it: `:xmlns` is no name (found by fuzzing: it was read as
    // an attribute `xmlns` with no prefix, which the canonical form then wrote as a namespace
    // declaration).
    let prefixed = qname.contains(':');
    if (prefixed && !is_ncname(prefix)) || !is_ncname(local) {
        return Err(malformed(format!("invalid name '{qname}'")));
    }
    Ok((prefix, local))
}

/// An XML NCName (a name without a colon), as XML Namespaces 1.0 defines it.
pub(crate) fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let start = |c: char| {
        c.is_ascii_alphabetic()
            || c == '_'
            || matches!(c as u32, 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x2FF | 0x370..=0x37D
                | 0x37F..=0x1FFF | 0x200C..=0x200D | 0x2070..=0x218F | 0x2C00..=0x2FEF
                | 0x3001..=0xD7FF | 0xF900..=0xFDCF | 0xFDF0..=0xFFFD | 0x10000..=0xEFFFF)
    };
    start(first)
        && chars.all(|c| {
            start(c)
                || c.is_ascii_digit()
                || c == '-'
                || c == '.'
                || matches!(c as u32, 0xB7 | 0x300..=0x36F | 0x203F..=0x2040)
        })
}

#[allow(clippy::too_many_arguments)]
fn build_element<'a>(
    text: &'a str,
    bom: usize,
    e: &BytesStart<'_>,
    dtd: &Dtd,
    ns: &mut ScopedMap,
    start: usize,
    empty: bool,
    depth: usize,
    budget: &mut usize,
    limits: &Limits,
) -> Result<Element<'a>, Error> {
    let qname = tag_name(text, start - bom, e)?;
    let (prefix, local) = split_qname(qname)?;
    let too_many = || {
        malformed(format!(
            "more than {} attributes in <{qname}>",
            limits.max_attributes
        ))
    };
    // quick-xml's own duplicate check compares each attribute with every earlier one (quadratic
    // in the attributes of a tag): names are checked here, by hash.
    check_attribute_spacing(e.attributes_raw(), qname)?;
    let mut raw_attrs: Vec<(String, String)> = Vec::new();
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(|err| malformed(format!("{err} in <{qname}>")))?;
        if raw_attrs.len() >= limits.max_attributes {
            return Err(too_many());
        }
        let key = std::str::from_utf8(a.key.as_ref())
            .map_err(|_| malformed("attribute name is not UTF-8"))?;
        let raw =
            std::str::from_utf8(&a.value).map_err(|_| malformed("attribute value is not UTF-8"))?;
        raw_attrs.push((key.to_string(), raw.to_string()));
    }
    let mut names: HashSet<&str> = HashSet::with_capacity(raw_attrs.len());
    for (key, _) in &raw_attrs {
        if !names.insert(key.as_str()) {
            return Err(malformed(format!(
                "duplicate attribute '{key}' in <{qname}>"
            )));
        }
    }
    let defs = dtd.attlists.get(qname);
    // Defaults from the internal subset are part of the document (C14N 1.0 §2.1). They are
    // text the DTD adds to every such element, so they are charged to the entity-expansion
    // budget like entity text: a few declarations cannot multiply a small file.
    let mut defaulted: Vec<(String, String)> = Vec::new();
    if let Some(defs) = defs {
        for (name, def) in &defs.defs {
            if let Some(d) = &def.default {
                if !names.contains(name.as_str()) {
                    if raw_attrs.len() + defaulted.len() >= limits.max_attributes {
                        return Err(too_many());
                    }
                    charge(budget, name.len() + d.len() + 1)?;
                    defaulted.push((name.clone(), d.clone()));
                }
            }
        }
    }
    drop(names);
    raw_attrs.extend(defaulted);
    let mut ns_decls = Vec::new();
    let mut plain = Vec::new();
    for (key, raw) in raw_attrs {
        let def = defs.and_then(|d| d.get(&key));
        let mut value = String::new();
        normalize_attr(&raw, dtd, &mut value, budget, 0)?;
        if def.is_some_and(|d| !d.cdata) {
            value = value
                .split(' ')
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
        }
        let is_decl = key == "xmlns" || key.starts_with("xmlns:");
        if is_decl && ns_decls.len() >= limits.max_namespace_decls {
            return Err(malformed(format!(
                "more than {} namespace declarations in <{qname}>",
                limits.max_namespace_decls
            )));
        }
        if key == "xmlns" {
            if value == XML_NS || value == XMLNS_NS {
                return Err(malformed("reserved namespace bound as default"));
            }
            if !value.is_empty() {
                check_namespace_name(&value)?;
            }
            ns_decls.push((String::new(), value));
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            if !is_ncname(p) || value.is_empty() || p == "xmlns" {
                return Err(malformed(format!("invalid namespace declaration '{key}'")));
            }
            check_namespace_name(&value)?;
            if (p == "xml") != (value == XML_NS) {
                return Err(malformed(
                    "the xml prefix is bound to its own namespace only",
                ));
            }
            if p != "xml" {
                ns_decls.push((p.to_string(), value));
            }
        } else {
            plain.push((key, value, def.is_some_and(|d| d.id)));
        }
    }
    for (p, uri) in &ns_decls {
        ns.bind(p, uri);
    }
    let resolve = |p: &str| -> Result<String, Error> {
        if p == "xml" {
            return Ok(XML_NS.to_string());
        }
        match ns.get(p) {
            Some(uri) => Ok(uri.to_string()),
            None if p.is_empty() => Ok(String::new()),
            None => Err(malformed(format!("undeclared namespace prefix '{p}'"))),
        }
    };
    let ns_uri = resolve(prefix)?;
    let mut attrs: Vec<Attr> = Vec::with_capacity(plain.len());
    for (key, value, dtd_id) in plain {
        let (p, l) = split_qname(&key)?;
        let ans = if p.is_empty() {
            String::new()
        } else {
            resolve(p)?
        };
        attrs.push(Attr {
            prefix: p.to_string(),
            local: l.to_string(),
            ns: ans,
            value,
            dtd_id,
        });
    }
    // Two prefixes bound to one namespace make two names one attribute (Namespaces §6.3).
    let mut expanded: HashSet<(&str, &str)> = HashSet::with_capacity(attrs.len());
    for a in &attrs {
        if !expanded.insert((a.ns.as_str(), a.local.as_str())) {
            return Err(malformed(format!(
                "duplicate attribute '{}' in <{qname}>",
                a.qname()
            )));
        }
    }
    drop(expanded);
    Ok(Element {
        qname,
        prefix,
        local,
        ns: ns_uri,
        ns_decls,
        attrs,
        start,
        empty,
        depth,
    })
}

/// XML 1.0 §3.1: attributes are separated by white space (`<a x="1"y="2">` is not XML).
/// `raw` is the tag's text after the element name.
fn check_attribute_spacing(raw: &[u8], qname: &str) -> Result<(), Error> {
    let mut quote: Option<u8> = None;
    for (i, &b) in raw.iter().enumerate() {
        match quote {
            Some(q) if b == q => {
                quote = None;
                if raw
                    .get(i + 1)
                    .is_some_and(|&n| !n.is_ascii_whitespace() && n != b'/')
                {
                    return Err(malformed(format!(
                        "no space between the attributes of <{qname}>"
                    )));
                }
            }
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None => {}
        }
    }
    Ok(())
}

/// A namespace name must be an absolute URI (Namespaces 1.0 §2; Canonical XML 1.0 fails on
/// relative ones, and libxml2 refuses what is not a URI): a scheme, then only characters a URI
/// may hold (non-ASCII must be percent-encoded), well-formed `%XX`, at most one `#`, no `&`.
fn check_namespace_name(uri: &str) -> Result<(), Error> {
    let bad = || {
        let shown: String = uri.chars().take(80).collect();
        malformed(format!(
            "the namespace name '{shown}' is not an absolute URI"
        ))
    };
    // '&' is a URI character, but libxml2's C14N writes namespace names unescaped (a bare `&`
    // in its output) where other implementations write `&amp;`: no two verifiers would agree
    // on the digest of such a document.
    if uri.contains('&') {
        return Err(malformed(
            "'&' in a namespace name: Canonical XML implementations disagree on it",
        ));
    }
    let (scheme, rest) = uri.split_once(':').ok_or_else(bad)?;
    let mut sb = scheme.bytes();
    if !sb.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !sb.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    {
        return Err(bad());
    }
    let b = rest.as_bytes();
    // `[` and `]` only around an IP literal host: `//[` … `]`.
    let host_end = rest
        .strip_prefix("//")
        .map(|a| 2 + a.find(['/', '?', '#']).unwrap_or(a.len()));
    let mut hashes = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let ok = match c {
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
                i += 2;
                hex
            }
            b'#' => {
                hashes += 1;
                hashes == 1
            }
            b'[' | b']' => host_end.is_some_and(|e| i < e),
            c if c.is_ascii_alphanumeric() => true,
            b'-' | b'.' | b'_' | b'~' | b':' | b'/' | b'?' | b'@' | b'!' | b'$' | b'&' | b'\''
            | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' => true,
            _ => false,
        };
        if !ok {
            return Err(bad());
        }
        i += 1;
    }
    Ok(())
}

/// The element name as a slice of the input text (the tag at `at` starts with `<` and the
/// name), so elements borrow their names instead of allocating them.
fn tag_name<'a>(text: &'a str, at: usize, e: &BytesStart<'_>) -> Result<&'a str, Error> {
    let len = e.name().as_ref().len();
    text.get(at + 1..at + 1 + len)
        .ok_or_else(|| Error::internal("element name outside the input"))
}

#[derive(Clone, Copy, PartialEq)]
enum RefContext {
    Content,
    Attribute,
}

/// Appends the expansion of `&name;` (name without `&`/`;`) to `out`, charging `budget`.
fn expand_reference(
    name: &str,
    dtd: &Dtd,
    out: &mut String,
    budget: &mut usize,
    nesting: usize,
    ctx: RefContext,
) -> Result<(), Error> {
    // Only text that comes out of declared entities is charged: everything else is bounded by
    // the input size already.
    let cost = usize::from(nesting > 0);
    if let Some(num) = name.strip_prefix('#') {
        out.push(char_ref(num)?);
        return charge(budget, cost);
    }
    let predefined = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    };
    if let Some(c) = predefined {
        out.push(c);
        return charge(budget, cost);
    }
    if nesting >= MAX_ENTITY_NESTING {
        return Err(malformed("entity references nested too deeply"));
    }
    match dtd.entities.get(name) {
        None => Err(malformed(format!("undeclared entity '{name}'"))),
        Some(Entity::External) => Err(malformed(format!(
            "external entity '{name}' is never resolved"
        ))),
        Some(Entity::Internal(text)) => {
            let key = (name.to_string(), ctx == RefContext::Attribute);
            if let Some(done) = dtd.expanded.borrow().get(&key) {
                charge(budget, done.len())?;
                out.push_str(done);
                return Ok(());
            }
            let mut done = String::new();
            match ctx {
                RefContext::Content => expand_text(text, dtd, &mut done, budget, nesting + 1)?,
                RefContext::Attribute => normalize_attr(text, dtd, &mut done, budget, nesting + 1)?,
            }
            out.push_str(&done);
            dtd.expanded.borrow_mut().insert(key, done);
            Ok(())
        }
    }
}

fn charge(budget: &mut usize, n: usize) -> Result<(), Error> {
    if n > *budget {
        return Err(malformed("entity expansion exceeds the limit"));
    }
    *budget -= n;
    Ok(())
}

/// Replacement text of an entity used in content. Markup inside entities is refused: forms
/// never need it and it would let an entity inject elements the signer does not see.
fn expand_text(
    text: &str,
    dtd: &Dtd,
    out: &mut String,
    budget: &mut usize,
    nesting: usize,
) -> Result<(), Error> {
    let mut rest = text;
    while let Some(i) = rest.find(['&', '<']) {
        if rest.as_bytes()[i] == b'<' {
            return Err(malformed("entities containing markup are not supported"));
        }
        push_charged(&rest[..i], out, budget)?;
        let after = &rest[i + 1..];
        let semi = after
            .find(';')
            .ok_or_else(|| malformed("unterminated reference"))?;
        expand_reference(
            &after[..semi],
            dtd,
            out,
            budget,
            nesting,
            RefContext::Content,
        )?;
        rest = &after[semi + 1..];
    }
    push_charged(rest, out, budget)
}

/// Replacement text is read as input again, line ends included: a `&#13;` in an entity's
/// literal becomes a line feed where the entity is used in content, as libxml2 reads it.
fn push_charged(s: &str, out: &mut String, budget: &mut usize) -> Result<(), Error> {
    charge(budget, s.len())?;
    out.push_str(&normalize_line_ends(s));
    Ok(())
}

/// Attribute-value normalisation (XML 1.0 §3.3.3) before any type-specific collapsing.
fn normalize_attr(
    raw: &str,
    dtd: &Dtd,
    out: &mut String,
    budget: &mut usize,
    nesting: usize,
) -> Result<(), Error> {
    let cost = usize::from(nesting > 0);
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '<' => return Err(malformed("'<' in an attribute value")),
            '&' => {
                let after = &raw[i + 1..];
                let semi = after
                    .find(';')
                    .ok_or_else(|| malformed("unterminated reference in an attribute"))?;
                expand_reference(
                    &after[..semi],
                    dtd,
                    out,
                    budget,
                    nesting,
                    RefContext::Attribute,
                )?;
                for _ in 0..after[..semi].chars().count() + 1 {
                    chars.next();
                }
            }
            '\r' => {
                // A CRLF of the document is one line end; in replacement text (whose line ends
                // were normalised at the declaration) a CR is a `&#13;` and a space of its own.
                if nesting == 0 && matches!(chars.peek(), Some((_, '\n'))) {
                    chars.next();
                }
                out.push(' ');
                charge(budget, cost)?;
            }
            '\n' | '\t' => {
                out.push(' ');
                charge(budget, cost)?;
            }
            c => {
                out.push(c);
                charge(budget, cost)?;
            }
        }
    }
    Ok(())
}

fn char_ref(num: &str) -> Result<char, Error> {
    let value = match num.strip_prefix('x') {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => num.parse::<u32>(),
    }
    .map_err(|_| malformed(format!("bad character reference '&#{num};'")))?;
    char::from_u32(value)
        .filter(|&c| is_xml_char(c))
        .ok_or_else(|| malformed(format!("character reference '&#{num};' is not allowed")))
}

fn is_xml_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// Reads the internal subset of `<!DOCTYPE …>` (between `[` and `]`): entity and
/// attribute-list declarations. External subsets and external entities are never fetched.
fn parse_doctype(subset: &str) -> Result<Dtd, Error> {
    let mut dtd = Dtd::default();
    let mut s = DtdScanner { s: subset, pos: 0 };
    loop {
        s.skip_space();
        if s.eof() {
            break;
        }
        if s.eat("<!--") {
            let from = s.pos;
            s.skip_past("-->")?;
            let body = &subset[from..s.pos - 3];
            if body.contains("--") || body.ends_with('-') {
                return Err(malformed("'--' inside a comment in the DOCTYPE"));
            }
        } else if s.eat("<?") {
            let from = s.pos;
            s.skip_past("?>")?;
            let pi = &subset[from..s.pos - 2];
            let target_len = pi.find(is_xml_space).unwrap_or(pi.len());
            let target = &pi[..target_len];
            if !is_ncname(target) || target.eq_ignore_ascii_case("xml") {
                return Err(malformed(format!(
                    "invalid processing instruction target '{target}' in the DOCTYPE"
                )));
            }
        } else if s.eat("<!ENTITY") {
            s.entity(&mut dtd)?;
        } else if s.eat("<!ATTLIST") {
            s.attlist(&mut dtd)?;
        } else if s.eat("<!ELEMENT") || s.eat("<!NOTATION") {
            s.skip_decl()?;
        } else if s.peek() == Some('%') {
            return Err(malformed(
                "parameter entity references in the DOCTYPE are not supported",
            ));
        } else {
            return Err(malformed("unexpected content in the DOCTYPE"));
        }
    }
    Ok(dtd)
}

struct DtdScanner<'a> {
    s: &'a str,
    pos: usize,
}

impl DtdScanner<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }
    fn eof(&self) -> bool {
        self.pos >= self.s.len()
    }
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    fn eat(&mut self, lit: &str) -> bool {
        if self.rest().starts_with(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }
    fn skip_space(&mut self) {
        let r = self.rest();
        self.pos += r.len() - r.trim_start_matches(is_xml_space).len();
    }
    fn skip_past(&mut self, lit: &str) -> Result<(), Error> {
        let i = self
            .rest()
            .find(lit)
            .ok_or_else(|| malformed("unterminated declaration in the DOCTYPE"))?;
        self.pos += i + lit.len();
        Ok(())
    }
    fn name(&mut self) -> Result<String, Error> {
        self.skip_space();
        let r = self.rest();
        let n = r
            .find(|c: char| is_xml_space(c) || matches!(c, '>' | '"' | '\'' | '(' | '|' | ')'))
            .unwrap_or(r.len());
        if n == 0 {
            return Err(malformed("expected a name in the DOCTYPE"));
        }
        let name = r[..n].to_string();
        self.pos += n;
        Ok(name)
    }
    fn quoted(&mut self) -> Result<String, Error> {
        self.skip_space();
        let q = self
            .peek()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(|| malformed("expected a quoted value in the DOCTYPE"))?;
        self.pos += 1;
        let r = self.rest();
        let end = r
            .find(q)
            .ok_or_else(|| malformed("unterminated literal in the DOCTYPE"))?;
        let v = r[..end].to_string();
        self.pos += end + 1;
        Ok(v)
    }
    fn close(&mut self) -> Result<(), Error> {
        self.skip_space();
        if self.eat(">") {
            Ok(())
        } else {
            Err(malformed("expected '>' in the DOCTYPE"))
        }
    }
    /// Skips to the end of a declaration, honouring quoted literals.
    fn skip_decl(&mut self) -> Result<(), Error> {
        let mut quote: Option<char> = None;
        for (i, c) in self.rest().char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '>') => {
                    self.pos += i + 1;
                    return Ok(());
                }
                _ => {}
            }
        }
        Err(malformed("unterminated declaration in the DOCTYPE"))
    }

    fn entity(&mut self, dtd: &mut Dtd) -> Result<(), Error> {
        self.skip_space();
        if self.eat("%") {
            // Parameter entities are recorded nowhere: references to them are refused above.
            return self.skip_decl();
        }
        let name = self.name()?;
        self.skip_space();
        let entity = if self.eat("SYSTEM") || self.eat("PUBLIC") {
            self.skip_decl()?;
            dtd.entities.entry(name).or_insert(Entity::External);
            return Ok(());
        } else {
            let literal = self.quoted()?;
            if literal.contains('%') {
                return Err(malformed(
                    "parameter entity references in the DOCTYPE are not supported",
                ));
            }
            // Character references are replaced when the entity is declared (XML 1.0 §4.5);
            // general entity references stay for expansion where the entity is used.
            // The literal's line ends are the document's (normalised before anything else),
            // then character references are replaced.
            let literal = normalize_line_ends(&literal).into_owned();
            let mut text = String::with_capacity(literal.len());
            let mut rest = literal.as_str();
            while let Some(i) = rest.find("&#") {
                text.push_str(&rest[..i]);
                let after = &rest[i + 2..];
                let semi = after
                    .find(';')
                    .ok_or_else(|| malformed("unterminated character reference"))?;
                text.push(char_ref(&after[..semi])?);
                rest = &after[semi + 1..];
            }
            text.push_str(rest);
            Entity::Internal(text)
        };
        self.close()?;
        // The first declaration of an entity binds (XML 1.0 §4.2).
        dtd.entities.entry(name).or_insert(entity);
        Ok(())
    }

    fn attlist(&mut self, dtd: &mut Dtd) -> Result<(), Error> {
        let element = self.name()?;
        loop {
            self.skip_space();
            if self.eat(">") {
                return Ok(());
            }
            let attr = self.name()?;
            self.skip_space();
            let (cdata, id) = if self.peek() == Some('(') {
                self.skip_group()?;
                (false, false)
            } else {
                let ty = self.name()?;
                if ty == "NOTATION" {
                    self.skip_space();
                    self.skip_group()?;
                }
                (ty == "CDATA", ty == "ID")
            };
            self.skip_space();
            let default = if self.eat("#REQUIRED") || self.eat("#IMPLIED") {
                None
            } else {
                self.eat("#FIXED");
                Some(self.quoted()?)
            };
            let list = dtd.attlists.entry(element.clone()).or_default();
            if !list.index.contains_key(&attr) {
                list.index.insert(attr.clone(), list.defs.len());
                list.defs.push((attr, AttDef { cdata, id, default }));
            }
        }
    }

    fn skip_group(&mut self) -> Result<(), Error> {
        if !self.eat("(") {
            return Err(malformed("expected '(' in the DOCTYPE"));
        }
        self.skip_past(")")
    }
}
