// How large a request is as the agent will read it (UTF-8 bytes of its JSON), and the answer
// when it is too large: the extension refuses such a request itself, under the caller's id, at
// once — rather than sending it to an agent that could only refuse it (DESIGN §2).

import { MAX_AGENT_REQUEST_BYTES } from "../config.js";
import { extensionError } from "./errors.js";

const encoder = new TextEncoder();

/** The UTF-8 size of `message` serialized as JSON. */
export function serializedSize(message) {
  return encoder.encode(JSON.stringify(message)).length;
}

/** Whether `size` bytes exceed what the agent accepts. */
export const isTooLarge = (size) => size > MAX_AGENT_REQUEST_BYTES;

/** The failure envelope for a request of `size` bytes, in `lang` (the agent's own texts). */
export function tooLargeReply(size, lang) {
  const limit = MAX_AGENT_REQUEST_BYTES;
  return { ok: false, error: extensionError("message_too_large", lang, { limit, size }, { size, limit }) };
}
