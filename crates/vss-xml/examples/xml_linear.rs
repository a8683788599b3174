//! Parse + Canonical XML time per MiB of input for adversarial shapes, from 1 KiB to the
//! agent's 6 MiB batch cap (issue 17: the work must stay linear in the input). For each shape
//! and size it canonicalises the document (`vss c14n`: parse, input rules, C14N 1.0) and runs
//! the checks the agent makes before a PIN (summary + signing scan, as a page's document), and
//! prints milliseconds per MiB of input. Refused documents are timed up to their refusal.
//!
//! ```text
//! cargo run --release -p vss-xml --example xml_linear            # the table
//! cargo run --release -p vss-xml --example xml_linear -- --quick --check
//! ```
//!
//! `--quick` stops at 1 MiB; `--check` exits 1 when a size costs more per MiB than
//! [`FLAT_FACTOR`] times a smaller size of the same shape (a quadratic cost shows as a factor
//! of hundreds between 1 KiB and 6 MiB). Shapes that expand (entities, DTD defaults) cost more
//! per MiB at small sizes: their expansion is bounded by the entity budget
//! (`XML_MAX_ENTITY_EXPANSION`, 1 MiB per document), not by the input, so for them `--check`
//! asks that no size takes more than [`FLAT_FACTOR`] times as long in all as the largest.

use std::time::{Duration, Instant};

use vss_protocol::limits;
use vss_xml::{canonicalize, check_signable, summarize, C14nMode, SignOptions};

/// Largest allowed ratio between the most and the least expensive size (per MiB) of a shape.
const FLAT_FACTOR: f64 = 6.0;

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;

/// Repeats `unit(i)` inside `open`/`close` until the document is at least `size` bytes.
fn fill(size: usize, open: &str, close: &str, mut unit: impl FnMut(usize) -> String) -> Vec<u8> {
    let mut doc = String::with_capacity(size + 4 * KIB);
    doc.push_str(open);
    let mut i = 0;
    while doc.len() + close.len() < size {
        doc.push_str(&unit(i));
        i += 1;
    }
    doc.push_str(close);
    doc.into_bytes()
}

/// Elements carrying the most attributes allowed, plain and namespaced.
fn many_attributes(size: usize) -> Vec<u8> {
    let n = limits::XML_MAX_ATTRIBUTES;
    let attrs: String = (0..n)
        .map(|i| {
            if i % 2 == 0 {
                format!(" a{i}=\"v{i}\"")
            } else {
                format!(" p:a{i}=\"v{i}\"")
            }
        })
        .collect();
    fill(size, "<r xmlns:p=\"urn:p\"><Cky/>", "</r>", |_| {
        format!("<e{attrs}/>")
    })
}

/// Nesting as deep as allowed, each level declaring the most namespaces allowed (so the
/// deepest elements see over 16,000 bindings), then elements using them.
fn many_namespaces(size: usize) -> Vec<u8> {
    let per = limits::XML_MAX_NAMESPACE_DECLS;
    let depth = limits::XML_MAX_DEPTH - 2;
    let mut doc = String::from("<r><Cky/>");
    let mut levels = 0;
    while levels < depth && doc.len() + 2 * KIB < size / 2 {
        doc.push_str("<n");
        for k in 0..per {
            doc.push_str(&format!(" xmlns:p{levels}x{k}=\"urn:{levels}:{k}\""));
        }
        doc.push('>');
        levels += 1;
    }
    let close: String = "</n>".repeat(levels) + "</r>";
    let uses = levels.max(1);
    let mut i = 0;
    while doc.len() + close.len() + 200 < size {
        let l = i % uses;
        let p = if levels == 0 {
            String::new()
        } else {
            format!("p{l}x{}:", i % per)
        };
        if levels == 0 {
            doc.push_str("<x a=\"1\"/>");
        } else {
            doc.push_str(&format!("<{p}x {p}a=\"1\" b=\"2\"/>"));
        }
        i += 1;
    }
    doc.push_str(&close);
    doc.into_bytes()
}

/// Subtrees nested to the depth cap, one after the other, with a little text at each level.
fn deep_nesting(size: usize) -> Vec<u8> {
    let depth = limits::XML_MAX_DEPTH - 2;
    let chain = format!("{}t{}", "<d>".repeat(depth), "</d>".repeat(depth));
    fill(size, "<r><Cky/>", "</r>", |_| chain.clone())
}

/// An internal DTD giving many default attributes to an element, used over and over
/// (`vss c14n` allows a DOCTYPE; a page's document never may).
fn many_defaults(size: usize) -> Vec<u8> {
    let mut dtd = String::from("<!DOCTYPE r [<!ATTLIST e");
    for i in 0..20 {
        dtd.push_str(&format!(" d{i} CDATA \"default {i}\""));
    }
    dtd.push_str(">]>");
    fill(size, &format!("{dtd}<r><Cky/>"), "</r>", |_| "<e/>".into())
}

/// Entity references, each expanding a small entity (charged to the expansion budget).
fn many_entities(size: usize) -> Vec<u8> {
    let dtd = format!(
        "<!DOCTYPE r [<!ENTITY k \"{}\"><!ENTITY j \"&k;&k;&k;&k;\">]>",
        "x".repeat(64)
    );
    fill(size, &format!("{dtd}<r><Cky/>"), "</r>", |_| {
        "<v>&j;</v>".into()
    })
}

/// Every attribute on one element: refused at the cap, whatever the size.
fn one_element_attributes(size: usize) -> Vec<u8> {
    fill(size, "<r><Cky/><e", "/></r>", |i| format!(" a{i}=\"{i}\""))
}

/// Every namespace declaration on one element: refused at the cap.
fn one_element_namespaces(size: usize) -> Vec<u8> {
    fill(size, "<r><Cky/><e", "/></r>", |i| {
        format!(" xmlns:p{i}=\"urn:{i}\"")
    })
}

/// Plain text, the baseline (a base64 file inside an envelope looks like this).
fn text_baseline(size: usize) -> Vec<u8> {
    fill(size, "<r><Cky/><t>", "</t></r>", |_| {
        "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MTIzNDU2Nzg5MA==".into()
    })
}

/// A shape: its name, how to make a document of a size, and whether it expands (entities, DTD
/// defaults): the work of those is bounded by the expansion budget, not by the input, so their
/// total time must stay flat instead of their time per MiB.
type Shape = (&'static str, fn(usize) -> Vec<u8>, bool);

const SHAPES: &[Shape] = &[
    ("text (baseline)", text_baseline, false),
    ("attributes: 256 per element", many_attributes, false),
    ("namespaces: 64 per level, 254 deep", many_namespaces, false),
    ("deep nesting: 254 levels", deep_nesting, false),
    ("DTD defaults: 20 per element", many_defaults, true),
    ("entity references", many_entities, true),
    (
        "one element, every attribute",
        one_element_attributes,
        false,
    ),
    (
        "one element, every namespace",
        one_element_namespaces,
        false,
    ),
];

/// Runs `f` until at least `min` has passed (three runs at least) and returns the fastest run:
/// the machine is shared, and other work only ever adds time.
fn time(min: Duration, mut f: impl FnMut()) -> Duration {
    let started = Instant::now();
    let mut best = Duration::MAX;
    let mut runs = 0u32;
    while runs < 3 || started.elapsed() < min {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed());
        runs += 1;
    }
    best
}

fn outcome<T>(r: &Result<T, vss_protocol::Error>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => e.code.to_string(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let check = args.iter().any(|a| a == "--check");
    let mut sizes = vec![KIB, 16 * KIB, 256 * KIB, MIB];
    if !quick {
        sizes.push(limits::MAX_BATCH_XML_BYTES);
    }
    let min = Duration::from_millis(if quick { 40 } else { 150 });
    let label = |s: usize| {
        if s >= MIB {
            format!("{} MiB", s / MIB)
        } else {
            format!("{} KiB", s / KIB)
        }
    };

    println!("Parse + C14N (`vss c14n`) and the agent's pre-PIN checks (summary + signing scan),");
    println!("milliseconds per MiB of input; the outcome is the largest size's.\n");
    let head: Vec<String> = sizes.iter().map(|s| label(*s)).collect();
    println!("| shape | pass | {} | outcome |", head.join(" | "));
    println!("|---|---|{}---|", "---:|".repeat(sizes.len()));
    let mut failed = Vec::new();
    for (name, make, expands) in SHAPES {
        let docs: Vec<Vec<u8>> = sizes.iter().map(|s| make(*s)).collect();
        for pass in ["c14n", "pre-PIN"] {
            let mut per_mib = Vec::new();
            let mut total_ms = Vec::new();
            let mut last = String::new();
            for doc in &docs {
                let t = match pass {
                    "c14n" => time(min, || {
                        last = outcome(&canonicalize(doc, C14nMode::C14n10));
                    }),
                    _ => time(min, || {
                        let summary = summarize(doc);
                        last = match summary {
                            Ok(_) => outcome(&check_signable(doc, &SignOptions::default())),
                            Err(e) => e.code.to_string(),
                        };
                    }),
                };
                total_ms.push(t.as_secs_f64() * 1000.0);
                per_mib.push(t.as_secs_f64() * 1000.0 * MIB as f64 / doc.len() as f64);
            }
            let cells: Vec<String> = per_mib.iter().map(|ms| format!("{ms:.1}")).collect();
            println!("| {name} | {pass} | {} | {last} |", cells.join(" | "));
            if *expands {
                // Bounded by the budget: no size may take much longer than the largest, which
                // spends the whole budget.
                let largest = *total_ms.last().unwrap_or(&0.0);
                for (i, ms) in total_ms.iter().enumerate() {
                    if *ms > FLAT_FACTOR * largest.max(1.0) {
                        failed.push(format!(
                            "{name} ({pass}): {ms:.1} ms at {}, {largest:.1} ms at the largest size",
                            label(sizes[i])
                        ));
                    }
                }
                continue;
            }
            // A size may cost less per MiB than a smaller one (fixed costs), never much more.
            for (i, hi) in per_mib.iter().enumerate() {
                let lo = per_mib[..=i].iter().cloned().fold(f64::INFINITY, f64::min);
                if *hi > FLAT_FACTOR * lo {
                    failed.push(format!(
                        "{name} ({pass}): {hi:.1} ms/MiB at {}, {lo:.1} at a smaller size",
                        label(sizes[i])
                    ));
                }
            }
        }
    }
    if check && !failed.is_empty() {
        eprintln!("not linear (more than {FLAT_FACTOR}x between sizes):");
        for f in &failed {
            eprintln!("  {f}");
        }
        std::process::exit(1);
    }
}
