//! The JSON envelope shared by native messaging and HTTP: requests, responses and the chunks of
//! a reply too large for one native-messaging frame.

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
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

/// The `id` of a request of which only `prefix`, its first bytes, was read (it was too large
/// to take whole, see [`crate::limits::MAX_ID_PREFIX_BYTES`]): the value of the top-level
/// `"id"` key when it is a string that ends inside the prefix (the last one, as for a whole
/// request). Anything else — not an object, no `id`, an `id` cut off or not a string — gives
/// `None`. The parse stops at the first thing it cannot read, so it never needs the rest.
pub fn request_id_in_prefix(prefix: &[u8]) -> Option<String> {
    let mut found = None;
    let mut de = serde_json::Deserializer::from_slice(prefix);
    // Truncation ends the parse with an error; whatever was found before it counts.
    let _ = IdFinder(&mut found).deserialize(&mut de);
    found
}

/// Walks the top-level object, keeping each `"id"` string seen, ignoring every other value.
struct IdFinder<'a>(&'a mut Option<String>);

impl<'de> DeserializeSeed<'de> for IdFinder<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for IdFinder<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a request object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "id" {
                *self.0 = Some(map.next_value::<String>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::request_id_in_prefix as id;

    #[test]
    fn the_id_of_a_cut_off_request_is_read_where_it_is_whole() {
        assert_eq!(
            id(br#"{"id":"r1","command":"sign-xml","arguments":{"xml":"PD94"#).as_deref(),
            Some("r1")
        );
        assert_eq!(id(br#"{"command":"x","lang":"vi","arguments":{"a":[1,{"b":"c"}]},"id":"late","pad":"AAAA"#).as_deref(), Some("late"));
        assert_eq!(
            id(br#"{"\u0069d":"escaped","pad":"#).as_deref(),
            Some("escaped")
        );
        assert_eq!(
            id(br#"{"id":"one","id":"two","x":"#).as_deref(),
            Some("two"),
            "last wins, as for a whole request"
        );
        assert_eq!(
            id(br#"{"command":"x","arguments":{"id":"inner"},"pad":"AAA"#),
            None,
            "only the top-level id"
        );
    }

    #[test]
    fn no_id_when_it_is_missing_cut_off_or_not_a_string() {
        assert_eq!(id(br#"{"command":"x","pad":"AAAA"#), None);
        assert_eq!(
            id(br#"{"pad":"AAAA","id":"beyond"#),
            None,
            "the id itself is cut off"
        );
        assert_eq!(id(br#"{"id":42,"pad":"A"#), None);
        assert_eq!(id(b"[\"id\",\"x\"]"), None);
        assert_eq!(id(b"   "), None);
        assert_eq!(id(&[0xff, 0xfe, b'{']), None);
        assert_eq!(
            id(&b"[".repeat(100_000)),
            None,
            "deep nesting is refused, not recursed"
        );
    }
}
