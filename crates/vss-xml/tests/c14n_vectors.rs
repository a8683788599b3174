//! Canonical XML 1.0: the W3C Recommendation's examples (as packaged by libxml2's test suite,
//! see tests/vectors/README.md) must come out byte for byte, with and without comments.

use std::path::PathBuf;

use vss_xml::{canonicalize, C14nMode};

fn vectors(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors/c14n")
        .join(dir)
}

fn check_all(dir: &str, mode: C14nMode) {
    let mut names: Vec<PathBuf> = std::fs::read_dir(vectors(dir))
        .expect("vector directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 5, "every example of {dir} is present");
    let mut failures = Vec::new();
    for input in names {
        let expected = std::fs::read(input.with_extension("expected")).expect("expected file");
        let xml = std::fs::read(&input).expect("input");
        match canonicalize(&xml, mode) {
            Ok(got) if got == expected => {}
            Ok(got) => failures.push(format!(
                "{}:\n--- got\n{}\n--- expected\n{}",
                input.display(),
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&expected)
            )),
            Err(e) => failures.push(format!("{}: {e}", input.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn canonical_xml_examples_without_comments() {
    check_all("c14n10", C14nMode::C14n10);
}

#[test]
fn canonical_xml_examples_with_comments() {
    check_all("c14n10-comments", C14nMode::C14n10Comments);
}
