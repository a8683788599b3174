//! Canonicalises many documents over one pipe, for the differential test against libxml2
//! (`tests/c14n-diff/diff.py`): spawning `vss c14n` per document would cost more than the test.
//!
//! Input, repeated until EOF: one mode byte (0 = `c14n10`, 1 = `c14n10-comments`,
//! 2 = `exc-c14n`, 3 = `exc-c14n-comments`), a 4-byte big-endian length, the document.
//! Output for each: a status byte (0 = canonical form follows, 1 = refused: the error code and
//! reason follow as `code: reason`), a 4-byte big-endian length, the bytes.

use std::io::{Read, Write};

use vss_xml::{canonicalize, C14nMode};

fn main() -> std::io::Result<()> {
    let mut input = std::io::stdin().lock();
    let mut output = std::io::BufWriter::new(std::io::stdout().lock());
    loop {
        let mut head = [0u8; 5];
        match input.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        }
        let mode = *C14nMode::ALL
            .get(usize::from(head[0]))
            .ok_or_else(|| std::io::Error::other("bad mode byte"))?;
        let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        let mut doc = vec![0u8; len];
        input.read_exact(&mut doc)?;
        let (status, body) = match canonicalize(&doc, mode) {
            Ok(c) => (0u8, c),
            Err(e) => {
                let reason = e
                    .args
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                (1u8, format!("{}: {reason}", e.code.as_str()).into_bytes())
            }
        };
        output.write_all(&[status])?;
        output.write_all(&(body.len() as u32).to_be_bytes())?;
        output.write_all(&body)?;
        output.flush()?;
    }
    Ok(())
}
