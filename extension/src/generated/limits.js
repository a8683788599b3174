// Generated from crates/vss-protocol/src/limits.rs and the protocol's names by
// crates/vss-core/tests/extension_sync.rs; do not edit. Regenerate:
// VSS_UPDATE_GENERATED=1 cargo test -p vss-core --test extension_sync

/** Name under which the agent is registered with the browser (DESIGN §6). */
export const NATIVE_HOST_NAME = "vn.vss.token_signing";

/** The extension's fixed id, from the `key` in manifest.json. */
export const EXTENSION_ID = "aljobffeainbeaoomgcjaebgogaandcp";

/** Origins that get the page APIs without any administrator setting (DESIGN §3). */
export const DEFAULT_ALLOWED_ORIGINS = Object.freeze([
  "https://gddt.baohiemxahoi.gov.vn",
  "https://dichvucong.baohiemxahoi.gov.vn",
]);

/** Largest request the agent accepts, serialized (MAX_REQUEST_BYTES). */
export const MAX_AGENT_REQUEST_BYTES = 8388608;

/** Size of each part of a chunked reply (CHUNK_BYTES). */
export const CHUNK_BYTES = 786432;

/** How long the agent's PIN dialog waits, in milliseconds (DIALOG_TIMEOUT). */
export const DIALOG_TIMEOUT_MS = 120000;

/** Longest page text the agent shows in its dialog (MAX_DIALOG_TEXT_CHARS). */
export const MAX_DIALOG_TEXT_CHARS = 200;

/** Longest request id echoed back (MAX_REQUEST_ID_CHARS). */
export const MAX_REQUEST_ID_CHARS = 128;

/** Days before expiry from which a certificate is shown with a warning. */
export const EXPIRY_WARNING_DAYS = 30;

/** Documents in one batch signing, and their total size (MAX_BATCH_*). */
export const MAX_BATCH_DOCUMENTS = 50;
export const MAX_BATCH_XML_BYTES = 6291456;
export const MAX_DOCUMENT_NAME_CHARS = 120;

/** Hash algorithms the agent signs and their digest lengths in bytes (SHA-1 only where
* the admin allows it). */
export const HASH_LENGTHS = Object.freeze({
  "SHA-1": 20,
  "SHA-256": 32,
  "SHA-384": 48,
  "SHA-512": 64,
});
