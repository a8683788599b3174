//! Chunk reassembly (crates/vss-agent/src/native_host/chunking.rs) on any sequence of chunks:
//! gaps, repeats, wrong totals, wrong digests, a result that is not an object, non-JSON
//! payloads. Whatever it returns must be what the chunks carried: reassembling is never
//! fooled into a response whose payload the last chunk's digest does not cover.
//!
//! The source file is included by path, as in `native_frame`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use vss_protocol::Chunk;

#[allow(dead_code)]
#[path = "../../crates/vss-agent/src/native_host/chunking.rs"]
mod chunking;

fuzz_target!(|data: &[u8]| {
    let Ok(chunks) = serde_json::from_slice::<Vec<Chunk>>(data) else {
        return;
    };
    if let Some(response) = chunking::reassemble(&chunks) {
        let payload: String = chunks.iter().map(|c| c.data.as_str()).collect();
        let last = chunks.last().expect("a response comes from chunks");
        assert_eq!(
            last.chunk.sha256.as_deref(),
            Some(hex::encode(Sha256::digest(payload.as_bytes())).as_str())
        );
        assert_eq!(response.id, last.id);
        assert!(response.ok);
        // What the host sends for this response reassembles to it again.
        let frames = chunking::frames(&response);
        if frames.len() > 1 {
            let again: Vec<Chunk> = frames
                .iter()
                .map(|f| serde_json::from_slice(f).expect("own chunk parses"))
                .collect();
            assert_eq!(chunking::reassemble(&again).as_ref(), Some(&response));
        }
    }
});
