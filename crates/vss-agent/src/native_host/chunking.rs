//! Replies above Chrome's 1 MiB host-message limit travel as chunks, as `vss_protocol::Chunk`
//! describes, in one of two forms:
//! - one large top-level string field (`xml` of the single `sign-xml`): `chunk.field` names
//!   it, the parts are its text, and the last part carries the rest of the result;
//! - anything else (a batch reply holds several `documents[i].xml`): `chunk.field` is
//!   [`WHOLE_RESULT`] (`"$"`), the parts are the serialized JSON of the whole result, split on
//!   character boundaries, and the last part carries no `result`.
//!
//! In both, the last part carries the SHA-256 (hex) of the reassembled UTF-8 text.

use serde_json::Value;
use sha2::{Digest, Sha256};
use vss_protocol::limits::{CHUNK_BYTES, MAX_HOST_MESSAGE_BYTES};
use vss_protocol::wire::ChunkHeader;
use vss_protocol::{Chunk, Error, Response};

/// Room kept for the envelope around a chunk's data.
const ENVELOPE_MARGIN: usize = 16 * 1024;

/// `chunk.field` of a reply whose parts are the serialized result as a whole.
pub const WHOLE_RESULT: &str = "$";

/// Bytes of serialized JSON per part of a whole-result reply: JSON text embedded in a JSON
/// string at most doubles (`"` and `\` are escaped, control characters are already escaped),
/// so each part stays below [`CHUNK_BYTES`] on the wire.
const WHOLE_RESULT_CHUNK_BYTES: usize = CHUNK_BYTES / 2;

/// The frames carrying `response`: one, or several chunks.
pub fn frames(response: &Response) -> Vec<Vec<u8>> {
    let whole = serialize(response);
    if whole.len() <= MAX_HOST_MESSAGE_BYTES - ENVELOPE_MARGIN {
        return vec![whole];
    }
    let fits = |frames: &Vec<Vec<u8>>| frames.iter().all(|f| f.len() <= MAX_HOST_MESSAGE_BYTES);
    let by_field = split(response).map(|chunks| chunks.iter().map(serialize).collect());
    let chunked = match by_field {
        Some(frames) if fits(&frames) => Some(frames),
        _ => split_whole(response)
            .map(|chunks| chunks.iter().map(serialize).collect::<Vec<_>>())
            .filter(fits),
    };
    match chunked {
        Some(frames) => frames,
        None => {
            // Nothing to split (a failure, or parts still too large): answer an error rather
            // than a frame Chrome would kill the port for.
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

/// Splits the serialized result as a whole into chunks (field [`WHOLE_RESULT`]).
pub fn split_whole(response: &Response) -> Option<Vec<Chunk>> {
    let text = serde_json::to_string(response.result.as_ref()?).ok()?;
    let mut parts: Vec<&str> = Vec::new();
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let mut end = rest.len().min(WHOLE_RESULT_CHUNK_BYTES);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (part, tail) = rest.split_at(end);
        parts.push(part);
        rest = tail;
    }
    let total = parts.len();
    let digest = hex::encode(Sha256::digest(text.as_bytes()));
    Some(
        parts
            .into_iter()
            .enumerate()
            .map(|(seq, data)| Chunk {
                id: response.id.clone(),
                chunk: ChunkHeader {
                    seq,
                    total,
                    field: WHOLE_RESULT.to_string(),
                    sha256: (seq + 1 == total).then(|| digest.clone()),
                },
                data: data.to_string(),
                result: None,
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
    if last.chunk.field == WHOLE_RESULT {
        let result: Value = serde_json::from_str(&payload).ok()?;
        return Some(Response::success(last.id.clone(), result));
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

    #[test]
    fn a_batch_reply_with_several_large_documents_travels_whole_and_reassembles() {
        let doc = |i: usize| {
            json!({"name": format!("hồ sơ {i}.xml"), "ok": true, "form": "TK1-TS",
                   "xml": "PD94".repeat(700 * 1024 / 4)})
        };
        let r = Response::success(
            "batch",
            json!({"documents": [doc(0), doc(1), doc(2), {"name": "lỗi \"x\".xml", "ok": false,
                   "error": {"code": "xml_malformed", "message": "Tệp hỏng", "hint": "Xuất lại"}}]}),
        );
        let frames = frames(&r);
        assert!(frames.len() >= 3, "{} frames", frames.len());
        assert!(frames.iter().all(|f| f.len() < MAX_HOST_MESSAGE_BYTES));
        let chunks: Vec<Chunk> = frames
            .iter()
            .map(|f| serde_json::from_slice(f).unwrap())
            .collect();
        assert!(chunks.iter().all(|c| c.chunk.field == WHOLE_RESULT));
        assert!(chunks.iter().all(|c| c.result.is_none()));
        assert_eq!(reassemble(&chunks).unwrap(), r);
        let mut tampered = chunks.clone();
        tampered[1].data.replace_range(0..1, "Z");
        assert!(reassemble(&tampered).is_none());
        let mut short = chunks;
        short.pop();
        assert!(reassemble(&short).is_none());
    }

    #[test]
    fn whole_result_parts_split_on_character_boundaries() {
        // Multi-byte text straddling every part boundary, and quotes that double when escaped.
        let r = Response::success(
            "vi",
            json!({"documents": [{"name": "ắ\"".repeat(400_000)}]}),
        );
        let chunks = split_whole(&r).unwrap();
        assert!(chunks.len() > 1);
        for f in chunks.iter().map(serialize) {
            assert!(f.len() < MAX_HOST_MESSAGE_BYTES);
        }
        assert_eq!(reassemble(&chunks).unwrap(), r);
    }
}
