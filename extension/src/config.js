// Every limit, timeout and fixed name of the extension, in one place. The service worker, the
// popup and the tests (extension/test, tests/e2e) import it; the page-world script and the
// content relay are classic scripts and repeat the few values they need, marked "see config.js".
// What the agent also knows (names, the agent's limits, hash lengths, the expiry warning) comes
// from generated/limits.js, generated from crates/vss-protocol/src/limits.rs.

export {
  NATIVE_HOST_NAME,
  EXTENSION_ID,
  DEFAULT_ALLOWED_ORIGINS,
  MAX_AGENT_REQUEST_BYTES,
  HASH_LENGTHS,
  EXPIRY_WARNING_DAYS,
  MAX_BATCH_DOCUMENTS,
  MAX_BATCH_XML_BYTES,
} from "./generated/limits.js";

/** Key of the administrator's extra origins in chrome.storage.managed (managed_schema.json). */
export const MANAGED_ORIGINS_KEY = "AllowedOrigins";

/** Id prefix of the content scripts registered at run time for administrator-added origins. */
export const DYNAMIC_SCRIPT_ID_PREFIX = "vss-admin-origin-";

/** Tag on every window.postMessage between the page API and the content relay. */
export const PAGE_CHANNEL = "vss-token-signing";

/** Name of the runtime port between the content relay and the service worker. */
export const RELAY_PORT_NAME = "vss-relay";

/** How long the agent may take to answer, per command (milliseconds). Signing includes the
 * consent/PIN dialog, which the agent itself gives up on after 120 s (DIALOG_TIMEOUT in
 * crates/vss-protocol/src/limits.rs); the extension waits a little longer so the agent's own
 * `user_timeout` reaches the page instead of a generic timeout. */
export const COMMAND_TIMEOUT_MS = Object.freeze({
  version: 10_000,
  status: 30_000,
  "list-certificates": 30_000,
  "sign-hash": 150_000,
  "sign-xml": 150_000,
});

/** Commands only the extension's own dossier page (src/dossier/dossier.html) sends, as the
 * extension itself: the batch form of `sign-xml` (one consent and one PIN for every file) also
 * waits for the dialog; the others are read-only. Never in PAGE_COMMANDS. */
export const DOSSIER_COMMAND_TIMEOUT_MS = Object.freeze({
  version: 10_000,
  "list-certificates": 30_000,
  "summarize-xml": 60_000,
  "sign-xml": 180_000,
  "verify-xml": 60_000,
});

/** The dossier page's path inside the extension. */
export const DOSSIER_PAGE = "src/dossier/dossier.html";

/** Files the dossier page takes in one batch (MAX_BATCH_DOCUMENTS in limits.rs). */
export const MAX_DOSSIER_FILES = 50;

/** Total XML bytes of one batch (MAX_BATCH_XML_BYTES in limits.rs); larger: `vss sign-xml`. */
export const MAX_DOSSIER_BYTES = 6 * 1024 * 1024;

/** Subfolder of Downloads the signed files go to: BHXH/<MST>_<yyyy-mm-dd>/<original name>. */
export const DOSSIER_DOWNLOAD_FOLDER = "BHXH";

/** Commands a page may send to the agent through the extension. */
export const PAGE_COMMANDS = Object.freeze(Object.keys(COMMAND_TIMEOUT_MS));

/** Largest reassembled chunked field (base64 characters) the extension accepts. */
export const MAX_CHUNKED_REPLY_CHARS = 32 * 1024 * 1024;

/** Largest number of parts a chunked reply may announce. */
export const MAX_CHUNKS = 64;

/** Longest page-supplied document title or description passed on (the agent cuts at 200). */
export const MAX_DOCUMENT_TEXT_CHARS = 1000;

/** Longest request id a page may use; the id is only echoed back to that page. */
export const MAX_PAGE_ID_CHARS = 128;

/** Requests one document may have in flight at once. */
export const MAX_PENDING_PER_DOCUMENT = 16;

/** How long the page API waits for the relay to acknowledge that the extension is there
 * (the page learns within a second whether the extension is present). */
export const PRESENCE_TIMEOUT_MS = 1000;

/** Languages the extension speaks to pages; the agent localises its own errors. */
export const LANGUAGES = Object.freeze(["vi", "en"]);
export const DEFAULT_LANGUAGE = "vi";
