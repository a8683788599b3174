//! Replies above Chrome's 1 MiB host-message limit travel as chunks of their largest string
//! field (the base64 payload), as `vss_protocol::Chunk` describes.

use serde_json::Value;
use sha2::{Digest, Sha256};
use vss_protocol::limits::{CHUNK_BYTES, MAX_HOST_MESSAGE_BYTES};
use vss_protocol::wire::ChunkHeader;
use vss_protocol::{Chunk, Error, Response};

/// Room kept for the envelope around a chunk's data.
const ENVELOPE_MARGIN: usize = 16 * 1024;

/// The frames carrying `response`: one, or several chunks.
pub fn frames(response: &Response) -> Vec<Vec<u8>> {
    let whole = serialize(response);
    if whole.len() <= MAX_HOST_MESSAGE_BYTES - ENVELOPE_MARGIN {
        return vec![whole];
    }
    match split(response) {
        Some(chunks) => chunks.iter().map(serialize).collect(),
        None => {
            // Nothing to split (no large string field): answer an error rather than a frame
            // Chrome would kill the port for.
            let err = Error::internal("reply too large and not chunkable");
            vec![serialize(&Response::failure(
                response.id.clone(),
                err.localize(vss_protocol::Lang::Vi),
            ))]
        }
    }
}

fn serialize<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|_| b"{\"ok\":false}".to_vec())
}

/// Splits the largest string field of a successful result into chunks.
pub fn split(response: &Response) -> Option<Vec<Chunk>> {
    let result = response.result.as_ref()?.as_object()?;
    let (field, payload) = result
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s)))
        .max_by_key(|(_, s)| s.len())?;
    if !payload.is_ascii() {
        return None; // base64 payloads only: split points must fall on character boundaries
    }
    let mut rest = result.clone();
    rest.remove(&field);
    let parts: Vec<&str> = payload
        .as_bytes()
        .chunks(CHUNK_BYTES)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    let total = parts.len();
    let digest = hex::encode(Sha256::digest(payload.as_bytes()));
    Some(
        parts
            .into_iter()
            .enumerate()
            .map(|(seq, data)| {
                let last = seq + 1 == total;
                Chunk {
                    id: response.id.clone(),
                    chunk: ChunkHeader {
                        seq,
                        total,
                        field: field.clone(),
                        sha256: last.then(|| digest.clone()),
                    },
                    data: data.to_string(),
                    result: last.then(|| Value::Object(rest.clone())),
                }
            })
            .collect(),
    )
}

/// Reassembles chunks into the response (used by tests and by the CLI's own client code).
pub fn reassemble(chunks: &[Chunk]) -> Option<Response> {
    let last = chunks.last()?;
    let total = last.chunk.total;
    if chunks.len() != total
        || chunks
            .iter()
            .enumerate()
            .any(|(i, c)| c.chunk.seq != i || c.chunk.total != total)
    {
        return None;
    }
    let payload: String = chunks.iter().map(|c| c.data.as_str()).collect();
    if hex::encode(Sha256::digest(payload.as_bytes())) != *last.chunk.sha256.as_ref()? {
        return None;
    }
    let mut result = last.result.clone()?.as_object()?.clone();
    result.insert(last.chunk.field.clone(), Value::String(payload));
    Some(Response::success(last.id.clone(), Value::Object(result)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn small_replies_are_one_frame() {
        let r = Response::success("a", json!({"x": "y"}));
        assert_eq!(frames(&r).len(), 1);
    }

    #[test]
    fn a_3_mib_payload_is_chunked_below_the_limit_and_reassembles() {
        let payload = "QUJD".repeat(3 * 1024 * 1024 / 4);
        let r = Response::success("big", json!({"xml": payload, "other": 1}));
        let frames = frames(&r);
        assert_eq!(frames.len(), 4);
        assert!(frames.iter().all(|f| f.len() < MAX_HOST_MESSAGE_BYTES));
        let chunks: Vec<Chunk> = frames
            .iter()
            .map(|f| serde_json::from_slice(f).unwrap())
            .collect();
        assert_eq!(reassemble(&chunks).unwrap(), r);
        let mut gap = chunks.clone();
        gap.remove(1);
        assert!(reassemble(&gap).is_none());
        let mut tampered = chunks;
        tampered[0].data.replace_range(0..1, "Z");
        assert!(reassemble(&tampered).is_none());
    }
}
