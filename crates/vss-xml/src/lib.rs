//! XMLDSig for BHXH dossier XML (DESIGN §4): enveloped signing with a key that lives elsewhere
//! (a PKCS#11 token behind [`XmlSigner`]), verification of every signature in a document,
//! Canonical XML for `vss c14n`, and the consent summary the agent shows before a PIN.
//!
//! # How it works, and why not libxml2
//!
//! [`sign`] never rebuilds the document. It streams once over the original bytes with a pull
//! parser (`quick-xml`), feeding the Canonical XML of the document straight into the digest —
//! the document without the signature is exactly what the enveloped-signature transform
//! yields — and then splices the `<Signature>` text in just before the parent's end tag. The
//! output is byte-identical to the input outside the signature (BOM, CRLF line ends, entity
//! references, CDATA sections, attribute quoting and order all kept), and memory stays near
//! input + output size: a 50 MB BHXHDienTu envelope is never copied into a DOM.
//!
//! Measured on the project machine (2 cores, release build, `sign_bench` example): a 50 MB
//! envelope signs in 0.24 s (≈210 MB/s) and verifies in 0.17 s, peaking 100 MB above the start
//! — the input and the output, once each; the `large_envelope` test (debug build) asserts the
//! peak stays under three times the input. Small forms (4.7 KB average) sign at ≈400 forms/s
//! with a software RSA-2048 key, most of it the RSA operation itself.
//!
//! The canonicaliser (`src/c14n.rs`) is written here, on top of the parser, which
//! DEVELOPERS.md asks to justify. Options checked on 2026-11-23:
//! - libxml2 through the `libxml` crate: needs bindgen/libclang at build time and a libxml2 DLL
//!   to ship in the Windows MSI (cross-built with mingw), needs Rust 1.88 (workspace MSRV is
//!   1.85), and its C14N works on a full DOM — several times the input size for a 50 MB
//!   envelope, plus a second copy of the canonical form as one string; splicing into original
//!   bytes still needs byte offsets, which libxml2 does not give.
//! - `bergshamra` 0.11: pure Rust but DOM-based, Rust 1.88, a large dependency tree, and it does
//!   not fill KeyInfo certificates for an external key (FIELD-NOTES).
//! - `xml_c14n` 0.3: a thin wrapper over the same libxml2 (string in, string out), so the same
//!   build, Windows and memory costs, and still no byte offsets.
//!
//! The price is owning a canonicaliser, so it is held to the W3C Canonical XML examples byte for
//! byte (`tests/vectors/c14n`, with and without comments) and every signature it makes is
//! checked by `xmlsec1` (libxml2's C14N) in the tests.
//!
//! Certificates found in KeyInfo are described by `vss-token`'s own reader (identity from
//! `UID` entries, holder, key), so the agent and the verifier never disagree about an MST.
//! This crate therefore sits above `vss-token`: a token-backed [`XmlSigner`] belongs in the
//! agent or CLI (or a crate above both), not in `vss-token`.
//!
//! # Input rules
//!
//! Nothing external is ever fetched: SYSTEM/PUBLIC entities are never expanded (a document that
//! uses one is refused), parameter entities are refused, internal entities are expanded under a
//! budget ([`Limits::max_entity_expansion`], which stops "billion laughs"; attribute defaults
//! from an internal subset are charged to it too), and depth, node count, size, attributes and
//! namespace declarations per element are capped ([`Limits`]). Work stays linear in the input
//! (hashed duplicate checks, scoped namespace maps; `examples/xml_linear.rs` measures it).
//! Characters XML forbids (NUL, C0 controls but tab/LF/CR, U+FFFE/U+FFFF; through references
//! also surrogates) are `xml_malformed` anywhere. A DOCTYPE is refused unless the caller allows it
//! (`xml_dtd_forbidden`; the agent never allows it for pages). Input must be UTF-8 (a BOM is
//! fine); the declared encoding decides how the bytes are read, as in every verifier: a file
//! declaring ISO-8859-1 is read as ISO-8859-1 (even when its bytes happen to be valid UTF-8)
//! for canonicalisation and verification only, and signed only when it is ASCII; any other
//! declared encoding is refused unless the file is ASCII. What is not well-formed XML is
//! refused, never canonicalised, and namespace names must be absolute URIs without `&`; a
//! repeated `xml:id` or DTD-declared ID value is refused. All of this is held against libxml2
//! by a differential test (`tests/c14n-diff`, docs/fuzzing.md).
//!
//! # Line ends
//!
//! Parsing turns CRLF into LF (XML 1.0 §2.11), so canonical forms and digests never see CR.
//! The output of [`sign`] keeps the input's bytes, CRLF included, and the inserted Signature
//! uses the line end of the input's first line, so a CRLF file stays CRLF throughout. Either
//! way the signature verifies, since every verifier normalises line ends before canonicalising.

mod c14n;
mod cert;
mod crypto;
mod finding;
mod parse;
mod sign;
mod summary;
mod verify;

pub use c14n::C14nMode;
pub use cert::SignerCertificate;
pub use finding::{Finding, FindingCode};
pub use sign::{
    check_signable, sign, SignOptions, XmlSigner, DEFAULT_PARENTS, DEFAULT_SIGNATURE_ID,
};
pub use summary::{check_identity, summarize, EmbeddedFile, FormSummary};
pub use verify::{
    verify, ReferenceReport, SignatureReport, SigningTimeReport, VerifyOptions, VerifyReport,
};
pub use vss_protocol::HashAlgorithm;

use serde::{Deserialize, Serialize};
use vss_protocol::Error;

/// The key behind an [`XmlSigner`]: decides the SignatureMethod and the SignatureValue format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "algorithm")]
pub enum KeyKind {
    #[serde(rename = "RSA")]
    Rsa { bits: u32 },
    #[serde(rename = "EC")]
    Ec { curve: EcCurve },
}

/// NIST curves the tokens carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EcCurve {
    #[serde(rename = "P-256")]
    P256,
    #[serde(rename = "P-384")]
    P384,
    #[serde(rename = "P-521")]
    P521,
}

impl EcCurve {
    /// Bytes of one coordinate (r and s are each this long in a raw signature).
    pub fn field_len(self) -> usize {
        match self {
            EcCurve::P256 => 32,
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
        }
    }
}

/// Caps applied to every input. The defaults take a 50 MB BHXHDienTu envelope with room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Deepest element nesting.
    pub max_depth: usize,
    /// Most nodes (elements, attributes, text runs, comments, PIs).
    pub max_nodes: usize,
    /// Largest input, in bytes.
    pub max_size: usize,
    /// Most characters that references to declared entities may expand to, in one document,
    /// attribute defaults added from the DTD included.
    pub max_entity_expansion: usize,
    /// Most attributes on one element (namespace declarations and DTD defaults included).
    pub max_attributes: usize,
    /// Most namespace declarations on one element.
    pub max_namespace_decls: usize,
}

impl Default for Limits {
    fn default() -> Self {
        use vss_protocol::limits;
        Limits {
            max_depth: limits::XML_MAX_DEPTH,
            max_nodes: limits::XML_MAX_NODES,
            max_size: limits::XML_MAX_BYTES,
            max_entity_expansion: limits::XML_MAX_ENTITY_EXPANSION,
            max_attributes: limits::XML_MAX_ATTRIBUTES,
            max_namespace_decls: limits::XML_MAX_NAMESPACE_DECLS,
        }
    }
}

/// Canonicalises a whole document (`vss c14n`). DOCTYPE is allowed here, as for local files;
/// nothing external is resolved.
pub fn canonicalize(xml: &[u8], mode: C14nMode) -> Result<Vec<u8>, Error> {
    canonicalize_with(xml, mode, &Limits::default())
}

/// [`canonicalize`] with explicit limits.
pub fn canonicalize_with(xml: &[u8], mode: C14nMode, limits: &Limits) -> Result<Vec<u8>, Error> {
    let (text, bom) = parse::decode_input(xml, limits, true)?;
    let cfg = parse::ParseConfig {
        allow_doctype: true,
        limits: *limits,
    };
    let mut c = c14n::Canonicalizer::new(
        mode,
        c14n::Scope::Document,
        None,
        c14n::Output::Buffer(Vec::with_capacity(xml.len())),
    );
    parse::walk(&text, bom, &cfg, &mut c)?;
    match c.into_output() {
        c14n::Output::Buffer(v) => Ok(v),
        c14n::Output::Digest(_) => Err(Error::internal("canonical form went to a digest")),
    }
}
