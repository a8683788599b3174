// Reassembly of a reply the agent split into parts because it was too large for one native
// message (DESIGN §2): `{"id", "chunk": {"seq", "total", "field", "sha256"?}, "data", "result"?}`.
// Parts must arrive in order, without gaps or duplicates; the last one carries the SHA-256 of
// the whole field and the rest of the result. Anything else discards the reply.
// When `field` is "$" (WHOLE_RESULT: a batch reply, several documents' XML), the parts are the
// serialized JSON of the whole result and the last part carries no `result`.

import { MAX_CHUNKED_REPLY_CHARS, MAX_CHUNKS } from "../config.js";

/** `chunk.field` of a reply chunked as its whole serialized result. */
export const WHOLE_RESULT = "$";

/** Why a chunked reply was thrown away (becomes `reply_corrupt` for the page). */
export class ChunkError extends Error {}

/** Hex SHA-256 of the UTF-8 bytes of `text`, with the Web Crypto API (service worker and node). */
export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** True when `message` is a part of a chunked reply rather than a whole reply. */
export function isChunk(message) {
  return message !== null && typeof message === "object" && "chunk" in message;
}

/** Collects the parts of one reply. `add` returns the complete `{id, ok, result}` after the
 * last part, `null` before it, and throws ChunkError on any inconsistency. */
export class ChunkAssembler {
  constructor(id, { maxChars = MAX_CHUNKED_REPLY_CHARS, maxChunks = MAX_CHUNKS } = {}) {
    this.id = id;
    this.maxChars = maxChars;
    this.maxChunks = maxChunks;
    this.parts = [];
    this.size = 0;
    this.total = null;
    this.field = null;
  }

  async add(message) {
    const { chunk, data } = message;
    if (chunk === null || typeof chunk !== "object" || typeof data !== "string") {
      throw new ChunkError("malformed part");
    }
    const { seq, total, field } = chunk;
    if (!Number.isInteger(total) || total < 1 || total > this.maxChunks) {
      throw new ChunkError(`bad total ${total}`);
    }
    if (typeof field !== "string" || field === "") throw new ChunkError("missing field");
    if (this.total === null) {
      this.total = total;
      this.field = field;
    } else if (total !== this.total || field !== this.field) {
      throw new ChunkError("parts disagree on total or field");
    }
    if (seq !== this.parts.length) {
      throw new ChunkError(seq < this.parts.length ? `duplicate part ${seq}` : `gap before part ${seq}`);
    }
    this.size += data.length;
    if (this.size > this.maxChars) throw new ChunkError(`reply over ${this.maxChars} characters`);
    this.parts.push(data);
    if (seq < total - 1) return null;

    const value = this.parts.join("");
    this.parts = [];
    if (typeof chunk.sha256 !== "string" || (await sha256Hex(value)) !== chunk.sha256.toLowerCase()) {
      throw new ChunkError("digest mismatch");
    }
    if (field === WHOLE_RESULT) {
      let result;
      try {
        result = JSON.parse(value);
      } catch {
        throw new ChunkError("whole result is not JSON");
      }
      if (result === null || typeof result !== "object") throw new ChunkError("whole result is not an object");
      return { id: this.id, ok: true, result };
    }
    const rest = message.result !== null && typeof message.result === "object" ? message.result : {};
    return { id: this.id, ok: true, result: { ...rest, [field]: value } };
  }
}
