// Errors the extension itself raises (the agent's own errors arrive already localised), in the
// words of the one catalogue (generated/catalogue.js), and the mapping of every code to the
// chrome-token-signing error names that window.TokenSigning rejects with.

import { DEFAULT_LANGUAGE } from "../config.js";
import { CATALOGUE } from "../generated/catalogue.js";

/** Codes the extension raises itself (texts `ext-err-<code>` / `ext-hint-<code>`); any other
 * code it raises is an agent code and uses the agent's own text (`err-<code>` / `hint-<code>`). */
const OWN_CODES = new Set([
  "native_unavailable",
  "native_disconnected",
  "timeout",
  "reply_corrupt",
  "certificate_not_issued",
  "extension_unavailable",
]);

/** Fills `{name}` in a catalogue pattern; a missing argument shows as "—". */
function format(pattern, args) {
  return pattern.replace(/\{([a-z_]+)\}/g, (_, name) => (args[name] === undefined ? "—" : String(args[name])));
}

/** Catalogue text `id` in `lang` (vi by default) with `args`. */
export function catalogueText(id, lang, args = {}) {
  const texts = CATALOGUE[lang] ?? CATALOGUE[DEFAULT_LANGUAGE];
  return format(texts[id] ?? CATALOGUE[DEFAULT_LANGUAGE][id] ?? id, args);
}

/** `{code, message, hint}` for an error the extension raises, in `lang` (vi by default):
 * the same texts as the agent's (one catalogue, crates/vss-protocol/i18n). `args` fill the
 * message; `details` travel to the page as they are. */
export function extensionError(code, lang, details, args = {}) {
  const own = OWN_CODES.has(code);
  const known = own || CATALOGUE[DEFAULT_LANGUAGE][`err-${code}`] !== undefined;
  const key = known ? code : "reply_corrupt";
  const prefix = OWN_CODES.has(key) ? "ext-" : "";
  const filled = { reason: catalogueText("reason-page-request", lang), ...args };
  const error = {
    code,
    message: catalogueText(`${prefix}err-${key}`, lang, filled),
    hint: catalogueText(`${prefix}hint-${key}`, lang, filled),
  };
  if (details !== undefined) error.details = details;
  return error;
}

/** chrome-token-signing error names (DESIGN §3) for every modern code. */
const LEGACY = {
  native_unavailable: "no_implementation",
  extension_unavailable: "no_implementation",
  user_cancelled: "user_cancel",
  user_timeout: "user_cancel",
  no_certificates: "no_certificates",
  no_token: "no_certificates",
  no_module: "no_certificates",
  certificate_not_found: "no_certificates",
  certificate_expired: "no_certificates",
  certificate_not_yet_valid: "no_certificates",
  bad_request: "invalid_argument",
  unknown_command: "invalid_argument",
  hash_length_mismatch: "invalid_argument",
  unsupported_algorithm: "invalid_argument",
  certificate_not_issued: "invalid_argument",
  message_too_large: "invalid_argument",
  identity_mismatch: "no_certificates",
  origin_not_allowed: "not_allowed",
  insecure_origin: "not_allowed",
  capability_denied: "not_allowed",
  pin_locked: "pin_blocked",
};

/** The TokenSigning error name for a modern error code. */
export function legacyErrorName(code) {
  return LEGACY[code] ?? "technical_error";
}
