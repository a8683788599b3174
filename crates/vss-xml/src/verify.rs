//! Verification of every XMLDSig signature in a document (DESIGN §4): the signature (value and
//! every Reference digest) is valid or not; the signer's chain is trusted or not, reported
//! beside it. Two streaming passes: the first collects the Signature elements and the IDs, the
//! second computes every canonical form the signatures need at once.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vss_protocol::{Error, HashAlgorithm, Lang};

use crate::c14n::{C14nMode, Canonicalizer, Output, Scope};
use crate::cert::{parse_cert, SignerCertificate};
use crate::crypto::{self, Hasher, PublicKey, DSIG_NS, ENVELOPED};
use crate::finding::{Finding, FindingCode as F};
use crate::parse::{self, Node, ParseConfig, Visitor};
use crate::Limits;

/// Longest text kept from one element of a Signature (certificates are a few KB).
const MAX_CAPTURED_TEXT: usize = 1024 * 1024;
/// Elements of a Signature whose text the verifier reads.
const CAPTURED: &[&str] = &[
    "DigestValue",
    "SignatureValue",
    "X509Certificate",
    "X509SubjectName",
    "SigningTime",
];
const EXC_NS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// What to verify against.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Trust anchors (DER certificates), e.g. the Vietnam National Root CA.
    pub trust_anchors: Vec<Vec<u8>>,
    /// Accept a DOCTYPE (local files). Nothing external is resolved either way.
    pub allow_doctype: bool,
    pub limits: Limits,
    /// Language of the findings' messages.
    pub lang: Lang,
    /// SHA-1 signatures and digests are invalid (admin setting `[verify] reject_sha1`);
    /// otherwise they are valid and marked weak with a warning.
    pub reject_sha1: bool,
}

/// The answer for a whole document.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// At least one signature, every signature valid, and no duplicate IDs.
    pub valid: bool,
    /// Every signature found and valid chains to a trust anchor.
    pub trusted: bool,
    pub signatures: Vec<SignatureReport>,
    /// Problems of the document as a whole (no signature, duplicate IDs).
    pub problems: Vec<Finding>,
    /// Some signature or reference uses SHA-1 (see each signature's `warnings`).
    pub weak: bool,
}

/// One Signature element.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureReport {
    pub id: Option<String>,
    /// Local name of the element holding the Signature (`None` for the document element).
    pub parent: Option<String>,
    /// SignatureValue and every Reference digest check out.
    pub valid: bool,
    pub signature_value_valid: bool,
    pub canonicalization: String,
    pub signature_method: String,
    pub references: Vec<ReferenceReport>,
    /// The KeyInfo certificate whose key made the SignatureValue (or the chain's leaf).
    pub certificate: Option<SignerCertificate>,
    /// The signer's chain reaches a trust anchor (path validation passes now).
    pub trusted: bool,
    /// The signer's certification path: the answer now and at the claimed signing time, the
    /// path built, and why it is not trusted (`vss_cert::validate_path`).
    pub chain: Option<vss_cert::PathReport>,
    /// The signer's revocation status: `None` here (this crate does no I/O); the service fills
    /// it in (`vss_core::commands::verify_xml`).
    pub revocation: Option<vss_cert::revocation::Revocation>,
    /// The KeyInfo certificates (DER), signer included: what revocation is checked with.
    #[serde(skip)]
    pub key_info_certificates: Vec<Vec<u8>>,
    pub signing_time: Option<SigningTimeReport>,
    pub problems: Vec<Finding>,
    /// The SignatureMethod or a Reference's DigestMethod is SHA-1.
    pub weak: bool,
    /// What holds but deserves attention (a weak algorithm the admin does not reject).
    pub warnings: Vec<Finding>,
}

/// One Reference of a SignedInfo.
#[derive(Debug, Clone, Serialize)]
pub struct ReferenceReport {
    pub uri: String,
    /// What the digest covers (a code, and in words); `None` when it could not be followed.
    pub covers: Option<Finding>,
    pub transforms: Vec<String>,
    pub digest_method: String,
    pub digest_valid: bool,
    /// The DigestMethod is SHA-1.
    pub weak: bool,
    pub problem: Option<Finding>,
}

/// The SigningTime property.
#[derive(Debug, Clone, Serialize)]
pub struct SigningTimeReport {
    pub value: String,
    /// A valid Reference covers it; otherwise it is only the signer's unsigned claim.
    pub signed: bool,
}

/// A small tree of one Signature element (only what verification reads).
#[derive(Debug, Default)]
struct MiniEl {
    ns: String,
    local: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<MiniEl>,
    start: usize,
    end: usize,
}

impl MiniEl {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn child(&self, local: &str) -> Option<&MiniEl> {
        self.children
            .iter()
            .find(|c| c.local == local && c.ns == DSIG_NS)
    }
    fn children_named<'a>(&'a self, local: &'a str) -> impl Iterator<Item = &'a MiniEl> + 'a {
        self.children
            .iter()
            .filter(move |c| c.local == local && c.ns == DSIG_NS)
    }
    fn find_all<'a>(&'a self, local: &str, out: &mut Vec<&'a MiniEl>) {
        for c in &self.children {
            if c.local == local {
                out.push(c);
            }
            c.find_all(local, out);
        }
    }
}

struct FoundSignature {
    tree: MiniEl,
    parent: Option<String>,
}

#[derive(Default)]
struct Scan {
    /// Open elements: local name, and the index of a Signature being captured.
    stack: Vec<(String, Option<usize>)>,
    /// Signatures being captured: element path from the Signature root.
    open: Vec<(usize, Vec<MiniEl>)>,
    found: Vec<FoundSignature>,
    /// ID value → element ranges carrying it.
    ids: HashMap<String, Vec<(usize, usize)>>,
    id_stack: Vec<Vec<String>>,
    id_starts: Vec<usize>,
}

impl Visitor for Scan {
    fn node(&mut self, node: &Node<'_>) -> Result<(), Error> {
        match node {
            Node::Start(el) => {
                let mini = MiniEl {
                    ns: el.ns.clone(),
                    local: el.local.to_string(),
                    attrs: el
                        .attrs
                        .iter()
                        .map(|a| (a.qname(), a.value.clone()))
                        .collect(),
                    start: el.start,
                    ..MiniEl::default()
                };
                for (_, path) in self.open.iter_mut() {
                    path.push(MiniEl {
                        ns: mini.ns.clone(),
                        local: mini.local.clone(),
                        attrs: mini.attrs.clone(),
                        start: mini.start,
                        ..MiniEl::default()
                    });
                }
                let mut sig_idx = None;
                if el.local == "Signature" && el.ns == DSIG_NS {
                    let parent = self.stack.last().map(|(l, _)| l.clone());
                    self.found.push(FoundSignature {
                        tree: MiniEl::default(),
                        parent,
                    });
                    let idx = self.found.len() - 1;
                    self.open.push((idx, vec![mini]));
                    sig_idx = Some(idx);
                }
                self.stack.push((el.local.to_string(), sig_idx));
                self.id_stack.push(
                    el.attrs
                        .iter()
                        .filter(|a| a.is_id())
                        .map(|a| a.value.clone())
                        .collect(),
                );
                self.id_starts.push(el.start);
            }
            Node::End { end, .. } => {
                let closing = self.stack.pop();
                if let (Some(ids), Some(start)) = (self.id_stack.pop(), self.id_starts.pop()) {
                    for id in ids {
                        self.ids.entry(id).or_default().push((start, *end));
                    }
                }
                for (_, path) in self.open.iter_mut() {
                    if path.len() > 1 {
                        if let Some(mut done) = path.pop() {
                            done.end = *end;
                            if let Some(parent) = path.last_mut() {
                                parent.children.push(done);
                            }
                        }
                    }
                }
                if let Some((_, Some(idx))) = closing {
                    if let Some(pos) = self.open.iter().position(|(i, _)| *i == idx) {
                        let (_, mut path) = self.open.remove(pos);
                        if let Some(mut root) = path.pop() {
                            root.end = *end;
                            self.found[idx].tree = root;
                        }
                    }
                }
            }
            Node::Text(t) => {
                for (_, path) in self.open.iter_mut() {
                    if let Some(cur) = path.last_mut() {
                        if CAPTURED.contains(&cur.local.as_str())
                            && cur.text.len() + t.len() <= MAX_CAPTURED_TEXT
                        {
                            cur.text.push_str(t);
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Runs several canonicalisers over one pass.
struct Many(Vec<Canonicalizer>);

impl Visitor for Many {
    fn node(&mut self, node: &Node<'_>) -> Result<(), Error> {
        for c in &mut self.0 {
            c.node(node)?;
        }
        Ok(())
    }
}

/// A Reference resolved to a canonicalisation job.
struct RefPlan {
    report: ReferenceReport,
    job: Option<usize>,
    expected: Vec<u8>,
    /// Byte range covered, minus the excluded Signature when enveloped.
    range: (usize, usize),
    excluded: Option<(usize, usize)>,
}

struct SigPlan {
    report: SignatureReport,
    signed_info_job: Option<usize>,
    refs: Vec<RefPlan>,
}

fn decode_b64(s: &str) -> Option<Vec<u8>> {
    let clean: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    B64.decode(clean).ok()
}

/// Verifies every Signature in `xml`. Errors only when the document cannot be read under the
/// input rules; a bad signature is a report with `valid: false`.
pub fn verify(xml: &[u8], opts: &VerifyOptions) -> Result<VerifyReport, Error> {
    let (text, bom) = parse::decode_input(xml, &opts.limits, true)?;
    let cfg = ParseConfig {
        allow_doctype: opts.allow_doctype,
        limits: opts.limits,
    };
    let mut scan = Scan::default();
    parse::walk(&text, bom, &cfg, &mut scan)?;

    let mut problems = Vec::new();
    let mut duplicates: Vec<&String> = scan
        .ids
        .iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, _)| k)
        .collect();
    duplicates.sort();
    for d in &duplicates {
        problems.push(Finding::new(F::DuplicateId).arg("id", d.as_str()));
    }
    if scan.found.is_empty() {
        problems.push(Finding::new(F::NoSignature));
    }

    let mut jobs: Vec<Canonicalizer> = Vec::new();
    let plans: Vec<SigPlan> = scan
        .found
        .iter()
        .map(|f| plan_signature(f, &scan.ids, xml.len(), &mut jobs))
        .collect();

    let mut many = Many(jobs);
    if !many.0.is_empty() {
        parse::walk(&text, bom, &cfg, &mut many)?;
    }
    let outputs: Vec<Output> = many.0.into_iter().map(Canonicalizer::into_output).collect();

    let mut signatures = Vec::new();
    for (plan, found) in plans.into_iter().zip(&scan.found) {
        signatures.push(finish_signature(plan, found, &outputs, opts));
    }
    let valid = problems.is_empty() && signatures.iter().all(|s| s.valid);
    let trusted = valid && signatures.iter().all(|s| s.trusted);
    let weak = signatures.iter().any(|s| s.weak);
    let mut report = VerifyReport {
        valid,
        trusted,
        signatures,
        problems,
        weak,
    };
    report.localize(opts.lang);
    Ok(report)
}

impl VerifyReport {
    /// Every finding's message in `lang` (the report is built in the options' language; a
    /// door may render it again in its caller's).
    pub fn localize(&mut self, lang: Lang) {
        let sigs = self.signatures.iter_mut().flat_map(|s| {
            let refs = s
                .references
                .iter_mut()
                .flat_map(|r| r.covers.iter_mut().chain(r.problem.iter_mut()));
            s.problems
                .iter_mut()
                .chain(s.warnings.iter_mut())
                .chain(refs)
        });
        for finding in self.problems.iter_mut().chain(sigs) {
            finding.localize(lang);
        }
    }
}

/// SHA-1 (in a SignatureMethod or DigestMethod) is weak: collisions are practical.
fn is_weak(alg: HashAlgorithm) -> bool {
    alg == HashAlgorithm::Sha1
}

fn plan_signature(
    found: &FoundSignature,
    ids: &HashMap<String, Vec<(usize, usize)>>,
    doc_len: usize,
    jobs: &mut Vec<Canonicalizer>,
) -> SigPlan {
    let sig = &found.tree;
    let mut report = SignatureReport {
        id: sig.attr("Id").map(str::to_string),
        parent: found.parent.clone(),
        valid: false,
        signature_value_valid: false,
        canonicalization: String::new(),
        signature_method: String::new(),
        references: Vec::new(),
        certificate: None,
        trusted: false,
        chain: None,
        revocation: None,
        key_info_certificates: Vec::new(),
        signing_time: None,
        problems: Vec::new(),
        weak: false,
        warnings: Vec::new(),
    };
    // Exactly one of each: a second SignedInfo or SignatureValue is a wrapping attempt, and
    // which one a verifier reads must never be a question.
    let single = |name: &str| sig.children_named(name).count() == 1;
    let si = sig.child("SignedInfo").filter(|_| single("SignedInfo"));
    let Some(si) = si.filter(|_| single("SignatureValue")) else {
        report.problems.push(Finding::new(F::SignatureStructure));
        return SigPlan {
            report,
            signed_info_job: None,
            refs: Vec::new(),
        };
    };
    let cm = si.child("CanonicalizationMethod");
    report.canonicalization = cm
        .and_then(|c| c.attr("Algorithm"))
        .unwrap_or_default()
        .to_string();
    report.signature_method = si
        .child("SignatureMethod")
        .and_then(|c| c.attr("Algorithm"))
        .unwrap_or_default()
        .to_string();
    let signed_info_job = match C14nMode::from_uri(&report.canonicalization) {
        Some(mode) => {
            let mut c = Canonicalizer::new(
                mode,
                Scope::Subtree(si.start),
                None,
                Output::Buffer(Vec::new()),
            );
            if let Some(list) = cm.and_then(prefix_list) {
                c = c.with_inclusive_prefixes(&list);
            }
            jobs.push(c);
            Some(jobs.len() - 1)
        }
        None => {
            report.problems.push(
                Finding::new(F::UnsupportedCanonicalization)
                    .arg("algorithm", report.canonicalization.as_str()),
            );
            None
        }
    };
    let refs = si
        .children_named("Reference")
        .map(|r| plan_reference(r, sig, ids, doc_len, jobs))
        .collect::<Vec<_>>();
    if refs.is_empty() {
        report.problems.push(Finding::new(F::NoReference));
    }
    SigPlan {
        report,
        signed_info_job,
        refs,
    }
}

fn prefix_list(el: &MiniEl) -> Option<String> {
    el.children
        .iter()
        .find(|c| c.local == "InclusiveNamespaces" && c.ns == EXC_NS)
        .and_then(|c| c.attr("PrefixList"))
        .map(str::to_string)
}

fn plan_reference(
    r: &MiniEl,
    sig: &MiniEl,
    ids: &HashMap<String, Vec<(usize, usize)>>,
    doc_len: usize,
    jobs: &mut Vec<Canonicalizer>,
) -> RefPlan {
    // An absent URI means "the application knows": nothing this verifier can check.
    let has_uri = r.attr("URI").is_some();
    let uri = r.attr("URI").unwrap_or_default().to_string();
    let digest_method = r
        .child("DigestMethod")
        .and_then(|d| d.attr("Algorithm"))
        .unwrap_or_default()
        .to_string();
    let transforms: Vec<&MiniEl> = r
        .child("Transforms")
        .map(|t| t.children_named("Transform").collect())
        .unwrap_or_default();
    let mut plan = RefPlan {
        report: ReferenceReport {
            uri: uri.clone(),
            covers: None,
            transforms: transforms
                .iter()
                .map(|t| t.attr("Algorithm").unwrap_or_default().to_string())
                .collect(),
            digest_method: digest_method.clone(),
            digest_valid: false,
            weak: false,
            problem: None,
        },
        job: None,
        expected: r
            .child("DigestValue")
            .and_then(|d| decode_b64(&d.text))
            .unwrap_or_default(),
        range: (0, 0),
        excluded: None,
    };
    let fail = |mut plan: RefPlan, why: Finding| {
        plan.report.problem = Some(why);
        plan
    };
    let alg = match crypto::digest_from_uri(&digest_method) {
        Ok(a) => a,
        Err(_) => {
            let why = Finding::new(F::UnsupportedDigestMethod).arg("algorithm", digest_method);
            return fail(plan, why);
        }
    };
    plan.report.weak = is_weak(alg);

    // Same-document references only: nothing outside the document is ever fetched. What is
    // covered: (whole document, with comments, the ID of the element).
    let (scope, keep_comments, what) = if !has_uri {
        return fail(plan, Finding::new(F::ReferenceWithoutUri));
    } else if uri.is_empty() {
        plan.range = (0, doc_len);
        (Scope::Document, false, None)
    } else if uri == "#xpointer(/)" {
        plan.range = (0, doc_len);
        (Scope::Document, true, None)
    } else if let Some(id) = uri
        .strip_prefix("#xpointer(id('")
        .and_then(|s| s.strip_suffix("'))"))
        .map(|s| (s, true))
        .or_else(|| {
            uri.strip_prefix('#')
                .filter(|s| !s.starts_with("xpointer("))
                .map(|s| (s, false))
        })
    {
        let (id, comments) = id;
        match ids.get(id).map(Vec::as_slice) {
            Some([range]) => {
                plan.range = *range;
                (Scope::Subtree(range.0), comments, Some(id.to_string()))
            }
            Some(_) => return fail(plan, Finding::new(F::IdNotUnique).arg("id", id)),
            None => return fail(plan, Finding::new(F::IdNotFound).arg("id", id)),
        }
    } else {
        return fail(plan, Finding::new(F::ExternalReference).arg("uri", uri));
    };

    let mut exclude = None;
    let mut mode = None;
    let mut prefixes = None;
    for (i, t) in transforms.iter().enumerate() {
        let a = t.attr("Algorithm").unwrap_or_default();
        if a == ENVELOPED {
            exclude = Some(sig.start);
            plan.excluded = Some((sig.start, sig.end));
        } else if let Some(m) = C14nMode::from_uri(a) {
            if i + 1 != transforms.len() {
                return fail(plan, Finding::new(F::C14nNotLast));
            }
            mode = Some(m);
            prefixes = prefix_list(t);
        } else {
            return fail(
                plan,
                Finding::new(F::UnsupportedTransform).arg("algorithm", a),
            );
        }
    }
    // A node-set left without a canonicalisation transform becomes octets by C14N 1.0.
    let mode = mode.unwrap_or(C14nMode::C14n10);
    let mut c = Canonicalizer::new(mode, scope, exclude, Output::Digest(Hasher::new(alg)));
    if !keep_comments {
        c = c.without_comments();
    }
    if let Some(p) = prefixes {
        c = c.with_inclusive_prefixes(&p);
    }
    let enveloped = exclude.is_some();
    plan.report.covers = Some(match (what, keep_comments, enveloped) {
        (Some(id), _, false) => Finding::new(F::CoversElement).arg("id", id),
        (Some(id), _, true) => Finding::new(F::CoversElementEnveloped).arg("id", id),
        (None, false, false) => Finding::new(F::CoversDocument),
        (None, false, true) => Finding::new(F::CoversDocumentEnveloped),
        (None, true, false) => Finding::new(F::CoversDocumentWithComments),
        (None, true, true) => Finding::new(F::CoversDocumentWithCommentsEnveloped),
    });
    jobs.push(c);
    plan.job = Some(jobs.len() - 1);
    plan
}

fn finish_signature(
    plan: SigPlan,
    found: &FoundSignature,
    outputs: &[Output],
    opts: &VerifyOptions,
) -> SignatureReport {
    let mut report = plan.report;
    let sig = &found.tree;

    let mut refs_ok = !plan.refs.is_empty();
    let mut covered: Vec<(Span, Option<Span>)> = Vec::new();
    for r in plan.refs {
        let mut rr = r.report;
        if let Some(Output::Digest(h)) = r.job.and_then(|j| outputs.get(j)) {
            rr.digest_valid = !r.expected.is_empty() && h.clone().finish() == r.expected;
            if !rr.digest_valid {
                rr.problem = Some(Finding::new(F::DigestMismatch));
            }
        }
        if rr.digest_valid {
            covered.push((r.range, r.excluded));
        }
        refs_ok &= rr.digest_valid;
        report.references.push(rr);
    }

    let signing_time = {
        let mut found_times = Vec::new();
        sig.find_all("SigningTime", &mut found_times);
        found_times.first().map(|t| {
            let at = t.start;
            let signed = covered.iter().any(|((s, e), ex)| {
                at >= *s && at < *e && !ex.is_some_and(|(xs, xe)| at >= xs && at < xe)
            });
            SigningTimeReport {
                value: t.text.trim().to_string(),
                signed,
            }
        })
    };
    let claimed_time = signing_time
        .as_ref()
        .and_then(|t| OffsetDateTime::parse(&t.value, &Rfc3339).ok());
    report.signing_time = signing_time;

    let certs: Vec<Vec<u8>> = {
        let mut texts = Vec::new();
        sig.find_all("X509Certificate", &mut texts);
        texts.iter().filter_map(|t| decode_b64(&t.text)).collect()
    };
    let signature_value = sig
        .child("SignatureValue")
        .and_then(|v| decode_b64(&v.text))
        .unwrap_or_default();
    let canonical_si = match plan.signed_info_job.and_then(|j| outputs.get(j)) {
        Some(Output::Buffer(b)) => Some(b.as_slice()),
        _ => None,
    };
    let method = crypto::signature_method_from_uri(&report.signature_method);
    if method.is_err() {
        report.problems.push(
            Finding::new(F::UnsupportedSignatureMethod)
                .arg("algorithm", report.signature_method.as_str()),
        );
    }
    let weak = weak_findings(&report, method.as_ref().ok().map(|(_, alg)| *alg));
    report.weak = !weak.is_empty();
    if opts.reject_sha1 {
        for finding in &weak {
            let algorithm = finding.args.get("algorithm").cloned().unwrap_or_default();
            report
                .problems
                .push(Finding::new(F::WeakAlgorithmRejected).arg("algorithm", algorithm));
        }
    } else {
        report.warnings.extend(weak);
    }

    // The signer is the KeyInfo certificate whose key checks the SignatureValue; with a chain
    // and no match, the leaf (a certificate that issued none of the others) is reported.
    let mut signer: Option<(usize, PublicKey)> = None;
    if let (Some(si), Ok((scheme, alg))) = (canonical_si, &method) {
        let hash = crypto::digest(*alg, si);
        for (i, der) in certs.iter().enumerate() {
            let Ok(cert) = parse_cert(der) else { continue };
            let Ok(key) = PublicKey::from_spki(cert.public_key()) else {
                continue;
            };
            if key.verify(*scheme, *alg, &hash, &signature_value, true) {
                signer = Some((i, key));
                break;
            }
        }
    }
    report.signature_value_valid = signer.is_some();
    if !report.signature_value_valid {
        report.problems.push(Finding::new(F::SignatureValueInvalid));
    }
    let leaf = signer
        .as_ref()
        .map(|(i, _)| *i)
        .or_else(|| leaf_index(&certs));
    if let Some(i) = leaf {
        report.certificate = SignerCertificate::describe(&certs[i], claimed_time);
        let path = vss_cert::validate_path(
            &certs[i],
            &certs,
            &opts.trust_anchors,
            OffsetDateTime::now_utc(),
            claimed_time,
        );
        report.trusted = report.signature_value_valid && path.trusted;
        report.chain = Some(path);
        report.key_info_certificates = certs.clone();
    } else {
        report.problems.push(Finding::new(F::NoCertificate));
    }
    let weak_rejected = opts.reject_sha1 && report.weak;
    report.valid = report.signature_value_valid && refs_ok && method.is_ok() && !weak_rejected;
    report
}

/// A finding for the SHA-1 SignatureMethod and for each SHA-1 DigestMethod of `report`.
fn weak_findings(report: &SignatureReport, method: Option<HashAlgorithm>) -> Vec<Finding> {
    let mut found = Vec::new();
    if method.is_some_and(is_weak) {
        found.push(
            Finding::new(F::WeakSignatureMethod).arg("algorithm", report.signature_method.as_str()),
        );
    }
    for reference in report.references.iter().filter(|r| r.weak) {
        found.push(
            Finding::new(F::WeakDigestMethod)
                .arg("algorithm", reference.digest_method.as_str())
                .arg("uri", reference.uri.as_str()),
        );
    }
    found
}

/// The certificate that is nobody's issuer among `certs`.
fn leaf_index(certs: &[Vec<u8>]) -> Option<usize> {
    let parsed: Vec<_> = certs.iter().map(|c| parse_cert(c).ok()).collect();
    (0..certs.len()).find(|&i| {
        let Some(Some(c)) = parsed.get(i) else {
            return false;
        };
        !parsed.iter().enumerate().any(|(j, o)| {
            j != i
                && o.as_ref()
                    .is_some_and(|o| o.issuer().as_raw() == c.subject().as_raw())
        })
    })
}

/// A byte range `(start, end)` in the document.
type Span = (usize, usize);
