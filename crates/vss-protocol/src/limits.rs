//! Every size limit and timeout of the protocol, in one place.

use std::time::Duration;

/// Largest request the agent accepts, serialized (DESIGN §2). Above this: `message_too_large`.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024 * 1024;

/// A declared native-messaging frame length above this is treated as a corrupt stream: the agent
/// answers nothing more and closes the port instead of reading (and allocating) it.
pub const MAX_SANE_FRAME_BYTES: usize = 64 * 1024 * 1024;

/// Of a request above [`MAX_REQUEST_BYTES`], how much is read to find its `id` (so the
/// `message_too_large` answer reaches the caller that sent it); the rest is drained unread.
pub const MAX_ID_PREFIX_BYTES: usize = 64 * 1024;

/// Chrome closes the port when a host sends a message above 1 MiB.
pub const MAX_HOST_MESSAGE_BYTES: usize = 1024 * 1024;

/// Size of each part of a chunked payload (base64 characters), well below the 1 MiB cap.
pub const CHUNK_BYTES: usize = 768 * 1024;

/// Longest page-supplied text shown in a dialog (document title, description).
pub const MAX_DIALOG_TEXT_CHARS: usize = 200;

/// Outside names inside the agent's own dialog lines (the certificate's holder, the origin, the
/// program): at most this many characters and [`MAX_DIALOG_NAME_BYTES`] bytes, so that every
/// line the agent states fits [`MAX_CONSENT_BYTES`] together, whatever the certificate holds.
pub const MAX_DIALOG_NAME_CHARS: usize = 80;

/// See [`MAX_DIALOG_NAME_CHARS`] (a Vietnamese letter takes two or three bytes).
pub const MAX_DIALOG_NAME_BYTES: usize = 160;

/// Codes inside the agent's own dialog lines (MST, expiry date, hash algorithm, fingerprint).
pub const MAX_DIALOG_CODE_CHARS: usize = 32;

/// Combining marks kept in a row on one letter of outside text (Vietnamese needs two, even
/// decomposed); more would stack over the dialog's other lines.
pub const MAX_COMBINING_MARKS: usize = 3;

/// How long the PIN/consent dialog waits for the user.
pub const DIALOG_TIMEOUT: Duration = Duration::from_secs(120);

/// Longest request id echoed back.
pub const MAX_REQUEST_ID_CHARS: usize = 128;

/// Extra time given to a pinentry program beyond its own timeout before it is killed.
pub const DIALOG_GRACE: Duration = Duration::from_secs(5);

/// `vss sign-xml` makes its outputs durable this many at a time (one file-system sync and one
/// directory sync per group), then reports them written.
pub const BATCH_SYNC_FILES: usize = 64;

/// How long a pinentry program may take to exit after BYE before it is killed.
pub const PINENTRY_EXIT_GRACE: Duration = Duration::from_millis(200);

/// How long a request waits for its token while another operation holds it, beyond the dialog
/// timeout; then `busy`.
pub const TOKEN_QUEUE_EXTRA_WAIT: Duration = Duration::from_secs(30);

/// Documents in one batch `sign-xml` request; beyond this, `batch_too_large` before any PIN
/// (`vss sign-xml` has no such cap).
pub const MAX_BATCH_DOCUMENTS: usize = 50;

/// Total XML of one batch request, decoded; beyond this, `message_too_large` before any PIN.
/// The request itself (base64) stays under [`MAX_REQUEST_BYTES`].
pub const MAX_BATCH_XML_BYTES: usize = 6 * 1024 * 1024;

/// Longest document name kept from a batch request.
pub const MAX_DOCUMENT_NAME_CHARS: usize = 120;

/// Log files kept (one a day).
pub const LOG_FILES_KEPT: usize = 7;

/// Log lines queued for the log file's writer thread (the writer waits when it is full).
pub const LOG_QUEUE_LINES: usize = 4096;

/// Longest command name written to a log line.
pub const MAX_LOGGED_COMMAND_CHARS: usize = 32;

/// Longest value of a dossier field (unit name, period, …) read for the consent summary.
pub const MAX_SUMMARY_FIELD_CHARS: usize = 200;

/// The dialog timeout an admin may configure (`dialog_timeout_seconds`), clamped to this range.
pub const DIALOG_TIMEOUT_RANGE_SECONDS: (u64, u64) = (10, 600);

/// Longest PIN the Windows dialog accepts.
pub const MAX_PIN_CHARS: usize = 64;

/// Default deepest element nesting of XML input.
pub const XML_MAX_DEPTH: usize = 256;

/// Default most nodes (elements, attributes, text runs, comments, PIs) of XML input.
pub const XML_MAX_NODES: usize = 4_000_000;

/// Default largest XML input, in bytes (a 50 MB BHXHDienTu envelope with room).
pub const XML_MAX_BYTES: usize = 100 * 1024 * 1024;

/// Largest PEM file of trust anchors read (`trust_anchors`, `vss verify-xml --trusted`).
pub const PEM_FILE_MAX_BYTES: usize = 16 * 1024 * 1024;

/// Default most characters references to declared entities may expand to, in one document;
/// attribute defaults an internal DTD subset adds to elements count too (name and value).
pub const XML_MAX_ENTITY_EXPANSION: usize = 1024 * 1024;

/// Default most attributes on one element (namespace declarations and DTD defaults included);
/// beyond this, `xml_malformed`. Dossier forms use a handful.
pub const XML_MAX_ATTRIBUTES: usize = 256;

/// Default most namespace declarations on one element; beyond this, `xml_malformed`. Signed
/// dossiers and XAdES use fewer than ten.
pub const XML_MAX_NAMESPACE_DECLS: usize = 64;

/// Budget of the consent text as the dialog receives it (bytes, a newline counting three as
/// pinentry's `%0A`); below pinentry's 1000-byte Assuan line. The agent's own lines always fit.
pub const MAX_CONSENT_BYTES: usize = 980;

/// Native-messaging requests in flight at once in one agent; beyond this, `busy`.
pub const MAX_IN_FLIGHT: usize = 16;

/// Seconds in a day, for `expires_in_days`.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// A certificate that expires in fewer days than this is shown with a renewal warning (the
/// popup, `vss certs`, `vss doctor`, the tray's "attention" state).
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Longest a call into a PKCS#11 module may take while loading it and finding tokens and
/// certificates (C_Initialize, C_GetSlotList, C_GetTokenInfo, reading objects). Past it the
/// caller gets `driver_unresponsive` and the module is skipped until that call returns. Below
/// the extension's 30 s for `status` and `list-certificates`. Config `driver_timeout_seconds`.
pub const DRIVER_CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// Longest a C_Login with a typed PIN or a C_Sign may take (slow tokens sign RSA-4096 in a few
/// seconds). Config `driver_sign_timeout_seconds`.
pub const DRIVER_SIGN_TIMEOUT: Duration = Duration::from_secs(20);

/// Longest a PIN-pad (protected authentication path) C_Login may take: the user types the PIN
/// on the reader's keypad during the call (readers give up on their own after about 30 s).
pub const DRIVER_PINPAD_LOGIN_TIMEOUT: Duration = Duration::from_secs(60);

/// Longest C_Finalize may take when a process ends; then it exits anyway.
pub const DRIVER_FINALIZE_TIMEOUT: Duration = Duration::from_secs(2);

/// Size of a process's record of driver calls in flight (mapped into memory; see
/// `vss_token::call_record`): lines of "function<TAB>module path".
pub const CALL_RECORD_BYTES: usize = 64 * 1024;

/// Threads that ran a PKCS#11 call wait this long for the next one before they end (a burst of
/// requests reuses them; an idle agent or tray keeps none).
pub const DRIVER_WORKER_IDLE: Duration = Duration::from_secs(30);

/// At most this many such threads wait for work; more run only while calls overlap.
pub const DRIVER_IDLE_WORKERS: usize = 4;

/// How long `vss doctor` keeps naming a driver that crashed the agent or `vss`.
pub const DRIVER_CRASH_MEMORY_DAYS: i64 = 14;

/// `vss-agent serve`: of a body above [`MAX_REQUEST_BYTES`], how much is read and discarded
/// before `413 message_too_large` is answered (a connection closed with unread data is reset,
/// and the client would never see the answer). Larger bodies are cut off unanswered.
pub const HTTP_MAX_DRAINED_BYTES: usize = MAX_SANE_FRAME_BYTES;

/// `vss-agent serve`: connections of processes of the agent's own user served at once. When a
/// new one arrives at the cap, the connection waiting longest without a request being worked
/// on (idle keep-alive, a head or body still arriving) is closed to make room; a connection
/// whose request is being executed is never closed. Only when every one is executing is the
/// new connection refused.
pub const HTTP_MAX_CONNECTIONS: usize = 64;

/// `vss-agent serve`: connections of other users' processes held at once (each is only told
/// `origin_not_allowed`); they have their own pool, so they can never crowd out the user's own.
pub const HTTP_MAX_FOREIGN_CONNECTIONS: usize = 8;

/// `vss-agent serve`: from a connection's first byte (or its opening) to the end of the
/// request's head. A browser on loopback sends it at once; a dribbling client is cut off.
pub const HTTP_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// `vss-agent serve`: how long a kept-alive connection may wait for its next request.
pub const HTTP_IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// `vss-agent serve`: from the end of a request's head to the end of its body (at most
/// [`MAX_REQUEST_BYTES`], over loopback).
pub const HTTP_BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the tray looks for tokens plugged in or removed, certificates nearing expiry and
/// PIN state. A module that reports slot events (`C_GetSlotEvent`, the non-blocking form of
/// `C_WaitForSlotEvent`) is only re-read when it reports one; one that does not (SoftHSM2, some
/// vendor drivers) is finalized and initialised again at each tick, the only way it shows a
/// change.
pub const TRAY_POLL_INTERVAL: Duration = Duration::from_secs(3);

/// Days before a certificate's expiry at which the tray notifies (each stage at most once, and
/// at most one notice per certificate a day); an expired certificate is one more stage.
pub const EXPIRY_NOTICE_DAYS: [i64; 3] = [30, 7, 1];

/// How long a notification stays on screen when the server honours a timeout (the outcome of
/// a batch stays until the user closes it).
pub const TRAY_NOTICE_TIMEOUT: Duration = Duration::from_secs(15);

/// Most lines of a batch outcome listed in its notification; the rest are counted.
pub const TRAY_NOTICE_MAX_FILES: usize = 12;

/// Most characters of a file name or a reason in a tray notification or menu line.
pub const TRAY_TEXT_MAX_CHARS: usize = 120;

/// Longest the tray waits for a second instance's request to the running one, and for the
/// running one to quit when asked.
pub const TRAY_INSTANCE_TIMEOUT: Duration = Duration::from_secs(5);

/// The tray's resident memory budget when idle (measured by `cargo run -p vss-tray --example
/// idle_cost`).
pub const TRAY_IDLE_RSS_BYTES: u64 = 30 * 1024 * 1024;

/// Revocation checks before signing (OCSP, then CRL): time to connect to a responder or CRL
/// server. Short: a user waits on it before the PIN dialog, and offline it must fail fast.
pub const REVOCATION_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Revocation checks: time for one whole OCSP or CRL exchange (connect, send, read).
pub const REVOCATION_TIMEOUT: Duration = Duration::from_secs(6);

/// An OCSP responder or CRL server that did not answer is not asked again by the same process
/// for this long (the status is "unknown, unreachable" meanwhile).
pub const REVOCATION_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Largest OCSP response read (real ones are 1–5 KB).
pub const MAX_OCSP_RESPONSE_BYTES: usize = 64 * 1024;

/// Largest issuer certificate or PKCS#7 bundle read from an AIA caIssuers address.
pub const MAX_CA_ISSUERS_BYTES: usize = 1024 * 1024;

/// Largest CRL read (a national CA's CRL is a few MB).
pub const MAX_CRL_BYTES: usize = 32 * 1024 * 1024;

/// A cached revocation answer without nextUpdate is not reused; one whose nextUpdate is further
/// than this is reused no longer than this after it was fetched.
pub const MAX_REVOCATION_CACHE_AGE: Duration = Duration::from_secs(7 * 24 * 3600);
