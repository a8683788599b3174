//! The JSON envelope shared by native messaging and HTTP: requests, responses and the chunks of
//! a reply too large for one native-messaging frame.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ErrorBody;

/// `{"id", "command", "origin", "lang", "arguments"}`. `origin` is filled in by the browser side
/// (service worker) or the HTTP layer, never trusted from a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    #[serde(default)]
    pub id: String,
    pub command: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default)]
    pub arguments: Value,
}

/// One logical reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub id: String,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

impl Response {
    pub fn success(id: impl Into<String>, result: Value) -> Self {
        Response {
            id: id.into(),
            ok: true,
            result: Some(result),
            error: None,
        }
    }

    pub fn failure(id: impl Into<String>, error: ErrorBody) -> Self {
        Response {
            id: id.into(),
            ok: false,
            result: None,
            error: Some(error),
        }
    }
}

/// Part `seq` of `total` of a large base64 field of a successful result.
///
/// The reply `{"id","ok":true,"result":{..., field: <huge>}}` travels as `total` messages
/// `{"id","chunk":{"seq","total","field"},"data"}`; the last one (seq = total-1) also carries
/// `chunk.sha256` (hex SHA-256 of the whole field) and `result` (the other fields). The receiver
/// discards the reply on a gap, a duplicate, a digest mismatch, a disconnect or a timeout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chunk {
    pub id: String,
    pub chunk: ChunkHeader,
    pub data: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkHeader {
    pub seq: usize,
    pub total: usize,
    /// Which field of `result` the data belongs to.
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}
