//! The extension speaks with the agent's texts and limits: `extension/src/generated/*.js` are
//! generated from the Fluent catalogues (`crates/vss-protocol/i18n`) and `vss_protocol::limits`,
//! and this test fails when they drift. Regenerate with
//! `VSS_UPDATE_GENERATED=1 cargo test -p vss-core --test extension_sync`.
//! The page-world script and the content relay (classic scripts that cannot import) repeat the
//! "extension not ready" text; they are checked against the catalogue too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fluent_syntax::ast::{self, Expression, InlineExpression, PatternElement};
use fluent_syntax::parser;
use vss_protocol::{limits, HashAlgorithm};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Message id → pattern, with `{ $name }` placeholders kept as `{name}`. Messages with
/// selectors (e.g. `pin_incorrect`'s tries left) are left out: only the agent raises those, and
/// they reach the extension already localised.
fn catalogue(lang: &str) -> BTreeMap<String, String> {
    let path = repo().join(format!("crates/vss-protocol/i18n/{lang}/vss.ftl"));
    let source = std::fs::read_to_string(&path).unwrap();
    let resource = parser::parse(source.as_str()).expect("catalogue parses");
    let mut out = BTreeMap::new();
    for entry in resource.body {
        let ast::Entry::Message(message) = entry else {
            continue;
        };
        let Some(value) = message.value else { continue };
        let mut text = String::new();
        let mut simple = true;
        for element in value.elements {
            match element {
                PatternElement::TextElement { value } => text.push_str(value),
                PatternElement::Placeable {
                    expression: Expression::Inline(InlineExpression::VariableReference { id }),
                } => {
                    text.push('{');
                    text.push_str(id.name);
                    text.push('}');
                }
                _ => simple = false,
            }
        }
        if simple {
            out.insert(message.id.name.to_string(), text);
        }
    }
    out
}

/// Every message id of a catalogue.
fn ids(lang: &str) -> std::collections::BTreeSet<String> {
    let path = repo().join(format!("crates/vss-protocol/i18n/{lang}/vss.ftl"));
    let source = std::fs::read_to_string(&path).unwrap();
    let resource = parser::parse(source.as_str()).expect("catalogue parses");
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

/// The texts the extension shows: every agent error, the extension's own errors and reasons.
fn wanted(id: &str) -> bool {
    ["err-", "hint-", "ext-", "reason-", "capability-", "wait-"]
        .iter()
        .any(|p| id.starts_with(p))
}

fn catalogue_module() -> String {
    let mut js = String::from(
        "// Generated from crates/vss-protocol/i18n/*/vss.ftl by crates/vss-core/tests/extension_sync.rs;\n\
         // do not edit. Regenerate: VSS_UPDATE_GENERATED=1 cargo test -p vss-core --test extension_sync\n\n\
         /** Message patterns by language; `{name}` marks an argument. */\n\
         export const CATALOGUE = Object.freeze({\n",
    );
    for lang in ["vi", "en"] {
        js.push_str(&format!("  {lang}: Object.freeze({{\n"));
        for (id, text) in catalogue(lang).into_iter().filter(|(id, _)| wanted(id)) {
            js.push_str(&format!(
                "    {}: {},\n",
                serde_json::to_string(&id).unwrap(),
                serde_json::to_string(&text).unwrap()
            ));
        }
        js.push_str("  }),\n");
    }
    js.push_str("});\n");
    js
}

fn limits_module() -> String {
    let hashes: Vec<String> = [
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ]
    .iter()
    .map(|h| format!("  \"{}\": {},", h.name(), h.digest_len()))
    .collect();
    let origins: Vec<String> = vss_config::policy::DEFAULT_ORIGINS
        .iter()
        .map(|o| format!("  \"{o}\","))
        .collect();
    format!(
        "// Generated from crates/vss-protocol/src/limits.rs and the protocol's names by\n\
         // crates/vss-core/tests/extension_sync.rs; do not edit. Regenerate:\n\
         // VSS_UPDATE_GENERATED=1 cargo test -p vss-core --test extension_sync\n\n\
         /** Name under which the agent is registered with the browser (DESIGN §6). */\n\
         export const NATIVE_HOST_NAME = \"{host}\";\n\n\
         /** The extension's fixed id, from the `key` in manifest.json. */\n\
         export const EXTENSION_ID = \"{id}\";\n\n\
         /** Origins that get the page APIs without any administrator setting (DESIGN §3). */\n\
         export const DEFAULT_ALLOWED_ORIGINS = Object.freeze([\n{origins}\n]);\n\n\
         /** Largest request the agent accepts, serialized (MAX_REQUEST_BYTES). */\n\
         export const MAX_AGENT_REQUEST_BYTES = {request};\n\n\
         /** Size of each part of a chunked reply (CHUNK_BYTES). */\n\
         export const CHUNK_BYTES = {chunk};\n\n\
         /** How long the agent's PIN dialog waits, in milliseconds (DIALOG_TIMEOUT). */\n\
         export const DIALOG_TIMEOUT_MS = {dialog};\n\n\
         /** Longest page text the agent shows in its dialog (MAX_DIALOG_TEXT_CHARS). */\n\
         export const MAX_DIALOG_TEXT_CHARS = {text};\n\n\
         /** Longest request id echoed back (MAX_REQUEST_ID_CHARS). */\n\
         export const MAX_REQUEST_ID_CHARS = {reqid};\n\n\
         /** Days before expiry from which a certificate is shown with a warning. */\n\
         export const EXPIRY_WARNING_DAYS = {expiry};\n\n\
         /** Documents in one batch signing, and their total size (MAX_BATCH_*). */\n\
         export const MAX_BATCH_DOCUMENTS = {batch};\n\
         export const MAX_BATCH_XML_BYTES = {batch_bytes};\n\
         export const MAX_DOCUMENT_NAME_CHARS = {name};\n\n\
         /** Hash algorithms the agent signs and their digest lengths in bytes (SHA-1 only where\n\
          * the admin allows it). */\n\
         export const HASH_LENGTHS = Object.freeze({{\n{hashes}\n}});\n",
        host = vss_protocol::NATIVE_HOST_NAME,
        id = vss_protocol::EXTENSION_ID,
        origins = origins.join("\n"),
        request = limits::MAX_REQUEST_BYTES,
        chunk = limits::CHUNK_BYTES,
        dialog = limits::DIALOG_TIMEOUT.as_millis(),
        text = limits::MAX_DIALOG_TEXT_CHARS,
        reqid = limits::MAX_REQUEST_ID_CHARS,
        expiry = limits::EXPIRY_WARNING_DAYS,
        batch = limits::MAX_BATCH_DOCUMENTS,
        batch_bytes = limits::MAX_BATCH_XML_BYTES,
        name = limits::MAX_DOCUMENT_NAME_CHARS,
        hashes = hashes.join("\n"),
    )
}

fn check(relative: &str, expected: &str) {
    let path = repo().join(relative);
    if std::env::var_os("VSS_UPDATE_GENERATED").is_some() {
        std::fs::write(&path, expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{relative} drifted from its source; regenerate with \
         VSS_UPDATE_GENERATED=1 cargo test -p vss-core --test extension_sync"
    );
}

#[test]
fn the_extension_shows_the_catalogue_texts() {
    check("extension/src/generated/catalogue.js", &catalogue_module());
}

#[test]
fn the_extension_uses_the_protocol_limits() {
    check("extension/src/generated/limits.js", &limits_module());
}

#[test]
fn classic_scripts_repeat_the_catalogue_exactly() {
    for lang in ["vi", "en"] {
        let texts = catalogue(lang);
        let message = &texts["ext-err-extension_unavailable"];
        let hint = &texts["ext-hint-extension_unavailable"];
        let page = std::fs::read_to_string(repo().join("extension/src/page/page-api.js")).unwrap();
        for text in [message, hint] {
            assert!(
                page.contains(&serde_json::to_string(text).unwrap()),
                "page-api.js must say {text:?} ({lang})"
            );
        }
        let locales = repo().join(format!("extension/_locales/{lang}/messages.json"));
        let locales: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(locales).unwrap()).unwrap();
        assert_eq!(&locales["errExtensionUnavailable"]["message"], message);
        assert_eq!(&locales["hintExtensionUnavailable"]["message"], hint);
    }
}

/// The content relay measures a page's request against the agent's limit before carrying it.
#[test]
fn classic_scripts_repeat_the_limits_exactly() {
    let relay = std::fs::read_to_string(repo().join("extension/src/content/relay.js")).unwrap();
    assert!(
        relay.contains(&format!(
            "const MAX_REQUEST_BYTES = {};",
            limits::MAX_REQUEST_BYTES
        )),
        "relay.js must repeat MAX_REQUEST_BYTES"
    );
}

/// Every catalogue id a crate names in a string literal exists in both languages (a missing id
/// would show as the bare id).
#[test]
fn every_text_id_the_code_uses_exists() {
    let (vi, en) = (ids("vi"), ids("en"));
    let prefixes = [
        "reason-",
        "capability-",
        "dialog-",
        "cli-",
        "doctor-",
        "wait-",
        "readiness-",
        "ext-",
        "caller-",
    ];
    let mut files = Vec::new();
    let mut dirs = vec![repo().join("crates")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() && !path.ends_with("tests") {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut checked = 0;
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for literal in source.split('"').skip(1).step_by(2) {
            let is_id = prefixes.iter().any(|p| literal.starts_with(p))
                && literal.len() > 5
                && literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            if is_id {
                checked += 1;
                assert!(
                    vi.contains(literal) && en.contains(literal),
                    "{} names {literal:?}, missing from a catalogue",
                    file.display()
                );
            }
        }
    }
    assert!(checked > 50, "only {checked} ids found");
}
