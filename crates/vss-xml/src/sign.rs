//! Enveloped signing in the BHXH house style (DESIGN §4): one streaming pass digests the
//! canonical document and finds the parent element, then the `<Signature>` text is built, its
//! SignedInfo signed by the [`XmlSigner`], and spliced into the original bytes.

use std::collections::{BTreeMap, HashSet};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vss_protocol::{Error, ErrorCode, HashAlgorithm};

use crate::c14n::{C14nMode, Canonicalizer, Output, Scope};
use crate::cert::{parse_cert, rfc4514};
use crate::crypto::{self, Hasher, DSIG_NS, ENVELOPED};
use crate::parse::{self, Node, ParseConfig, Visitor};
use crate::{KeyKind, Limits};

/// Signature elements of the known forms, in the order they are looked for when no parent is
/// named: `Cky` (TK1-TS, D02-TS, …), `CKy_Dvi` (BHXHDienTu envelope), `CKyDTu` (tax).
pub const DEFAULT_PARENTS: [&str; 3] = ["Cky", "CKy_Dvi", "CKyDTu"];

/// The `Id` of the Signature element unless asked otherwise.
pub const DEFAULT_SIGNATURE_ID: &str = "sigid";

/// The boundary to the key: the token layer implements it over PKCS#11, tests over software keys.
pub trait XmlSigner {
    /// The key type, which selects the SignatureMethod.
    fn key(&self) -> KeyKind;
    /// The signer certificate (DER), written to KeyInfo.
    fn certificate_der(&self) -> &[u8];
    /// Signs a digest computed with `alg` and returns the SignatureValue bytes as XMLDSig wants
    /// them: the PKCS#1 v1.5 signature for RSA, raw `r || s` (each the curve's field length) for
    /// ECDSA.
    fn sign_digest(&mut self, alg: HashAlgorithm, digest: &[u8]) -> Result<Vec<u8>, Error>;
}

/// How to sign. `Default` is the BHXH house style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOptions {
    /// Local name of the element that receives the Signature; `None` looks for
    /// [`DEFAULT_PARENTS`] in order, then takes the document element. It must be unique.
    pub parent: Option<String>,
    /// DigestMethod and the hash of the SignatureMethod (SHA-256; SHA-1 only when asked).
    pub digest: HashAlgorithm,
    /// CanonicalizationMethod and the Reference's canonicalisation transform.
    pub c14n: C14nMode,
    /// `Id` of the Signature: a valid NCName not used as an ID elsewhere in the document.
    pub signature_id: String,
    /// SigningTime (RFC 3339) written to the Object; `None` writes no Object.
    pub signing_time: Option<String>,
    /// Add a second Reference covering the SignatureProperties (Id `<signature_id>-props`), so
    /// SigningTime becomes signed rather than a claim. Off in the house style.
    pub sign_signing_time: bool,
    /// Accept a DOCTYPE (local files only: never for XML from a page or HTTP). Even then
    /// nothing external is resolved.
    pub allow_doctype: bool,
    /// Add a signature to a parent that already holds one. The new signature covers the
    /// earlier ones; an earlier house-style signature (`URI=""`, which excludes only itself)
    /// stops verifying once anything is added, as XMLDSig defines it, so co-signing suits
    /// earlier signatures that reference a subtree (`#id`) not containing the new one.
    pub co_sign: bool,
    pub limits: Limits,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            parent: None,
            digest: HashAlgorithm::Sha256,
            c14n: C14nMode::C14n10,
            signature_id: DEFAULT_SIGNATURE_ID.to_string(),
            signing_time: None,
            sign_signing_time: false,
            allow_doctype: false,
            co_sign: false,
            limits: Limits::default(),
        }
    }
}

/// An element that may receive the signature, with what splicing and SignedInfo need.
struct Site {
    local: String,
    qname: String,
    /// Offset of the end tag (or of the `/>` of an empty-element tag).
    end_start: usize,
    empty: bool,
    /// Namespaces and `xml:*` attributes in scope inside the element.
    namespaces: BTreeMap<String, String>,
    xml_attrs: BTreeMap<String, String>,
    has_signature: bool,
}

/// The signer's single pass: canonical digest plus the facts needed to place the signature.
struct Scan {
    c14n: Canonicalizer,
    wanted: Vec<String>,
    sites: Vec<Site>,
    /// Per open element: index into `sites` when it is a candidate.
    stack: Vec<Option<usize>>,
    /// Local names of the sites seen.
    site_names: HashSet<String>,
    ids: HashSet<String>,
}

impl Visitor for Scan {
    fn node(&mut self, node: &Node<'_>) -> Result<(), Error> {
        self.c14n.node(node)?;
        match node {
            Node::Start(el) => {
                for a in el.attrs.iter().filter(|a| a.is_id()) {
                    self.ids.insert(a.value.clone());
                }
                if el.local == "Signature" && el.ns == DSIG_NS {
                    if let Some(Some(i)) = self.stack.last() {
                        self.sites[*i].has_signature = true;
                    }
                }
                let candidate = el.depth == 1 || self.wanted.iter().any(|w| w == el.local);
                let idx = if candidate {
                    // A second element of a name makes the parent ambiguous (refused), so only
                    // the first one's scope is copied: thousands of `<Cky/>` under many
                    // namespaces cost no more than their bytes.
                    let first = self.site_names.insert(el.local.to_string());
                    self.sites.push(Site {
                        local: el.local.to_string(),
                        qname: el.qname.to_string(),
                        end_start: 0,
                        empty: el.empty,
                        namespaces: if first {
                            self.c14n.in_scope_namespaces()
                        } else {
                            BTreeMap::new()
                        },
                        xml_attrs: if first {
                            self.c14n.in_scope_xml_attrs()
                        } else {
                            BTreeMap::new()
                        },
                        has_signature: false,
                    });
                    Some(self.sites.len() - 1)
                } else {
                    None
                };
                self.stack.push(idx);
            }
            Node::End { start, .. } => {
                if let Some(Some(i)) = self.stack.pop() {
                    self.sites[i].end_start = *start;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Every check [`sign`] makes before it needs the key — well-formed, no forbidden DOCTYPE, a
/// unique parent without a signature, a free signature id — so a batch can refuse a document
/// before any PIN.
pub fn check_signable(xml: &[u8], opts: &SignOptions) -> Result<(), Error> {
    scan_for_signing(xml, opts).map(|_| ())
}

/// What the scan before signing learned about the document.
struct Scanned {
    sites: Vec<Site>,
    site: usize,
    doc_digest: Vec<u8>,
    crlf: bool,
}

fn scan_for_signing(xml: &[u8], opts: &SignOptions) -> Result<Scanned, Error> {
    if !parse::is_ncname(&opts.signature_id) {
        return Err(Error::bad_request("reason-signature-id-invalid")
            .arg("id", opts.signature_id.chars().take(64).collect::<String>()));
    }
    if let Some(t) = &opts.signing_time {
        OffsetDateTime::parse(t, &Rfc3339)
            .map_err(|_| Error::bad_request("reason-signing-time"))?;
    }
    let (text, bom) = parse::decode_input(xml, &opts.limits, false)?;
    let cfg = ParseConfig {
        allow_doctype: opts.allow_doctype,
        limits: opts.limits,
    };
    let wanted: Vec<String> = match &opts.parent {
        Some(p) => vec![p.clone()],
        None => DEFAULT_PARENTS.iter().map(|s| s.to_string()).collect(),
    };
    // URI="" selects the document without comments (XMLDSig §4.3.3.3), whatever the mode.
    let c14n = Canonicalizer::new(
        opts.c14n,
        Scope::Document,
        None,
        Output::Digest(Hasher::new(opts.digest)),
    )
    .without_comments();
    let mut scan = Scan {
        c14n,
        wanted: wanted.clone(),
        sites: Vec::new(),
        stack: Vec::new(),
        site_names: HashSet::new(),
        ids: HashSet::new(),
    };
    let info = parse::walk(&text, bom, &cfg, &mut scan)?;
    let Output::Digest(hasher) = scan.c14n.into_output() else {
        return Err(Error::internal("document digest went to a buffer"));
    };
    let doc_digest = hasher.finish();

    let site = choose_site(&scan.sites, &opts.parent)?;
    if site.has_signature && !opts.co_sign {
        return Err(Error::new(ErrorCode::XmlAlreadySigned).arg("parent", site.local.clone()));
    }
    let props_id = format!("{}-props", opts.signature_id);
    for id in [&opts.signature_id, &props_id] {
        if scan.ids.contains(id) {
            return Err(Error::bad_request("reason-signature-id-used").arg("id", id.clone()));
        }
    }
    let site = scan
        .sites
        .iter()
        .position(|s| std::ptr::eq(s, site))
        .ok_or_else(|| Error::internal("signature site lost"))?;
    Ok(Scanned {
        sites: scan.sites,
        site,
        doc_digest,
        crlf: info.crlf,
    })
}

/// Signs `xml` (UTF-8) and returns the signed document: the input bytes with one `<Signature>`
/// inserted just before the parent's end tag.
pub fn sign(xml: &[u8], opts: &SignOptions, signer: &mut dyn XmlSigner) -> Result<Vec<u8>, Error> {
    let scanned = scan_for_signing(xml, opts)?;
    let site = &scanned.sites[scanned.site];
    let doc_digest = scanned.doc_digest;
    let props_id = format!("{}-props", opts.signature_id);
    let nl = if scanned.crlf { "\r\n" } else { "\n" };
    let cert = signer.certificate_der().to_vec();
    let parsed = parse_cert(&cert)?;
    let key = signer.key();
    let mut parts = SignatureParts {
        id: &opts.signature_id,
        c14n: opts.c14n,
        method: crypto::signature_method_uri(key, opts.digest),
        digest_method: crypto::digest_uri(opts.digest),
        digest_value: B64.encode(&doc_digest),
        subject: rfc4514(parsed.subject()),
        certificate: B64.encode(&cert),
        signing_time: opts.signing_time.as_deref(),
        props: None,
        nl,
    };
    if opts.sign_signing_time && opts.signing_time.is_some() {
        parts.props = Some((props_id.clone(), String::new()));
        let object = parts.object();
        let canonical =
            canonical_in_place(&object, "<SignatureProperties", site, opts.c14n, &parts)?;
        parts.props = Some((
            props_id,
            B64.encode(crypto::digest(opts.digest, &canonical)),
        ));
    }
    let signed_info = parts.signed_info();
    let canonical = canonical_in_place(&signed_info, "<SignedInfo", site, opts.c14n, &parts)?;
    let si_digest = crypto::digest(opts.digest, &canonical);
    let value = signer.sign_digest(opts.digest, &si_digest)?;
    check_signature_len(key, &value)?;
    let signature = parts.signature(&signed_info, &B64.encode(&value));

    let mut out = Vec::with_capacity(xml.len() + signature.len() + site.qname.len() + 8);
    if site.empty {
        // `<Cky/>` becomes `<Cky>…</Cky>`: the same element to every canonicaliser.
        out.extend_from_slice(&xml[..site.end_start]);
        out.push(b'>');
        out.extend_from_slice(signature.as_bytes());
        out.extend_from_slice(format!("</{}>", site.qname).as_bytes());
        out.extend_from_slice(&xml[site.end_start + 2..]);
    } else {
        out.extend_from_slice(&xml[..site.end_start]);
        out.extend_from_slice(signature.as_bytes());
        out.extend_from_slice(&xml[site.end_start..]);
    }
    Ok(out)
}

fn choose_site<'s>(sites: &'s [Site], parent: &Option<String>) -> Result<&'s Site, Error> {
    let named = |name: &str| -> Result<Option<&'s Site>, Error> {
        let found: Vec<&Site> = sites.iter().filter(|s| s.local == name).collect();
        match found.len() {
            0 => Ok(None),
            1 => Ok(Some(found[0])),
            n => Err(Error::new(ErrorCode::XmlParentAmbiguous)
                .arg("parent", name)
                .arg("count", n.to_string())
                .detail("count", n)),
        }
    };
    match parent {
        Some(p) => named(p)?
            .ok_or_else(|| Error::new(ErrorCode::XmlParentNotFound).arg("parent", p.clone())),
        None => {
            for p in DEFAULT_PARENTS {
                if let Some(s) = named(p)? {
                    return Ok(s);
                }
            }
            sites
                .first()
                .ok_or_else(|| Error::internal("no document element seen"))
        }
    }
}

fn check_signature_len(key: KeyKind, value: &[u8]) -> Result<(), Error> {
    let expected = match key {
        KeyKind::Rsa { bits } => (bits as usize).div_ceil(8),
        KeyKind::Ec { curve } => 2 * curve.field_len(),
    };
    if value.len() == expected {
        Ok(())
    } else {
        Err(Error::internal(format!(
            "the key returned a {}-byte signature, expected {expected}",
            value.len()
        )))
    }
}

struct SignatureParts<'a> {
    id: &'a str,
    c14n: C14nMode,
    method: &'a str,
    digest_method: &'a str,
    digest_value: String,
    subject: String,
    certificate: String,
    signing_time: Option<&'a str>,
    /// Id and digest of the SignatureProperties when a Reference covers them.
    props: Option<(String, String)>,
    nl: &'a str,
}

impl SignatureParts<'_> {
    fn open(&self) -> String {
        format!(
            "<Signature xmlns=\"{DSIG_NS}\" Id=\"{}\">{}",
            escape(self.id),
            self.nl
        )
    }

    fn signed_info(&self) -> String {
        let nl = self.nl;
        let c14n = self.c14n.uri();
        format!(
            "<SignedInfo>{nl}\
             <CanonicalizationMethod Algorithm=\"{c14n}\"/>{nl}\
             <SignatureMethod Algorithm=\"{}\"/>{nl}\
             <Reference URI=\"\">{nl}\
             <Transforms>{nl}\
             <Transform Algorithm=\"{ENVELOPED}\"/>{nl}\
             <Transform Algorithm=\"{c14n}\"/>{nl}\
             </Transforms>{nl}\
             <DigestMethod Algorithm=\"{}\"/>{nl}\
             <DigestValue>{}</DigestValue>{nl}\
             </Reference>{nl}\
             {}</SignedInfo>",
            self.method,
            self.digest_method,
            self.digest_value,
            self.props_reference()
        )
    }

    /// The Reference that signs SigningTime, when asked for.
    fn props_reference(&self) -> String {
        let Some((id, digest)) = &self.props else {
            return String::new();
        };
        let nl = self.nl;
        format!(
            "<Reference URI=\"#{}\">{nl}\
             <Transforms>{nl}\
             <Transform Algorithm=\"{}\"/>{nl}\
             </Transforms>{nl}\
             <DigestMethod Algorithm=\"{}\"/>{nl}\
             <DigestValue>{digest}</DigestValue>{nl}\
             </Reference>{nl}",
            escape(id),
            self.c14n.uri(),
            self.digest_method
        )
    }

    fn object(&self) -> String {
        let nl = self.nl;
        let Some(t) = self.signing_time else {
            return String::new();
        };
        let props_id = match &self.props {
            Some((id, _)) => format!(" Id=\"{}\"", escape(id)),
            None => String::new(),
        };
        format!(
            "<Object>{nl}\
             <SignatureProperties{props_id}>{nl}\
             <SignatureProperty Target=\"#{}\">{nl}\
             <SigningTime>{}</SigningTime>{nl}\
             </SignatureProperty>{nl}\
             </SignatureProperties>{nl}\
             </Object>{nl}",
            escape(self.id),
            escape(t)
        )
    }

    fn signature(&self, signed_info: &str, value: &str) -> String {
        let nl = self.nl;
        let mut s = self.open();
        s.push_str(signed_info);
        s.push_str(nl);
        s.push_str(&format!(
            "<SignatureValue>{value}</SignatureValue>{nl}\
             <KeyInfo>{nl}\
             <X509Data>{nl}\
             <X509SubjectName>{}</X509SubjectName>{nl}\
             <X509Certificate>{}</X509Certificate>{nl}\
             </X509Data>{nl}\
             </KeyInfo>{nl}",
            escape(&self.subject),
            self.certificate
        ));
        s.push_str(&self.object());
        s.push_str("</Signature>");
        s
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The canonical form of `fragment` (SignedInfo or the Object, starting with `apex`) as it will
/// read inside the Signature in the document: inclusive C14N pulls in the namespaces and
/// `xml:*` attributes in scope at the parent, so they are reproduced on a stand-in parent.
fn canonical_in_place(
    fragment: &str,
    apex: &str,
    site: &Site,
    mode: C14nMode,
    parts: &SignatureParts<'_>,
) -> Result<Vec<u8>, Error> {
    let mut doc = String::from("<p");
    for (prefix, uri) in &site.namespaces {
        if prefix.is_empty() {
            doc.push_str(" xmlns=\"");
        } else {
            doc.push_str(&format!(" xmlns:{prefix}=\""));
        }
        doc.push_str(&escape(uri));
        doc.push('"');
    }
    for (local, value) in &site.xml_attrs {
        doc.push_str(&format!(" xml:{local}=\"{}\"", escape(value)));
    }
    doc.push('>');
    doc.push_str(&parts.open());
    let apex = doc.len()
        + fragment
            .find(apex)
            .ok_or_else(|| Error::internal("fragment without its apex"))?;
    doc.push_str(fragment);
    doc.push_str("</Signature></p>");
    let cfg = ParseConfig {
        allow_doctype: false,
        limits: Limits::default(),
    };
    let mut c = Canonicalizer::new(mode, Scope::Subtree(apex), None, Output::Buffer(Vec::new()));
    parse::walk(&doc, 0, &cfg, &mut c)?;
    match c.into_output() {
        Output::Buffer(v) => Ok(v),
        Output::Digest(_) => Err(Error::internal("fragment went to a digest")),
    }
}
