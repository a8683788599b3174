//! The XML reader and the canonicaliser on any document, in every mode, and the checks the
//! agent makes on a page's document before any PIN (summary, signing scan). Canonicalising the
//! canonical form again must give the same bytes (Canonical XML is idempotent).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vss_xml::{canonicalize, check_signable, summarize, C14nMode, SignOptions};

fuzz_target!(|data: &[u8]| {
    for mode in C14nMode::ALL {
        if let Ok(canonical) = canonicalize(data, mode) {
            let again = canonicalize(&canonical, mode)
                .unwrap_or_else(|e| panic!("canonical form refused: {:?} {:?}", e.code, e.args));
            assert_eq!(again, canonical, "C14N is not idempotent in {mode:?}");
        }
    }
    let _ = summarize(data);
    let _ = check_signable(data, &SignOptions::default());
});
