// Content relay (isolated world, top frame of allowlisted origins only): carries requests from
// the page API to the service worker and replies back. It accepts only messages from this very
// window and posts only to this page's origin, never '*'. A request larger than the agent
// accepts is not carried: the service worker is told only its size and answers the page
// `message_too_large` at once, in the agent's words.
(() => {
  const CHANNEL = "vss-token-signing"; // PAGE_CHANNEL in src/config.js
  const PORT_NAME = "vss-relay"; // RELAY_PORT_NAME in src/config.js
  // MAX_AGENT_REQUEST_BYTES in src/generated/limits.js (checked by extension_sync.rs); the
  // service worker measures again what it sends on to the agent.
  const MAX_REQUEST_BYTES = 8388608;
  const encoder = new TextEncoder();
  let port = null;
  const inFlight = new Set();

  const toPage = (message) => window.postMessage({ channel: CHANNEL, direction: "to-page", ...message }, location.origin);

  const unavailable = (id) =>
    toPage({
      id,
      ok: false,
      error: {
        code: "extension_unavailable",
        message: chrome.i18n.getMessage("errExtensionUnavailable"),
        hint: chrome.i18n.getMessage("hintExtensionUnavailable"),
      },
    });

  function connect() {
    port = chrome.runtime.connect({ name: PORT_NAME });
    port.onMessage.addListener((reply) => {
      if (!inFlight.delete(reply.id)) return;
      toPage(reply);
    });
    port.onDisconnect.addListener(() => {
      port = null;
      for (const id of inFlight) unavailable(id);
      inFlight.clear();
    });
    return port;
  }

  window.addEventListener("message", (event) => {
    if (event.source !== window || event.origin !== location.origin) return;
    const message = event.data;
    if (message === null || typeof message !== "object" || message.channel !== CHANNEL) return;
    if (message.direction !== "to-extension") return;
    toPage({ id: message.id, type: "ack" });
    if (inFlight.has(message.id)) return;
    let request = { id: message.id, command: message.command, lang: message.lang, arguments: message.arguments };
    let size = 0;
    try {
      size = encoder.encode(JSON.stringify(request)).length;
    } catch {
      // Not JSON (a cycle, a BigInt): the arguments cannot be carried; the worker judges the rest.
      request = { ...request, arguments: null };
    }
    if (size > MAX_REQUEST_BYTES) request = { id: message.id, command: message.command, lang: message.lang, tooLarge: size };
    try {
      (port ?? connect()).postMessage(request);
      inFlight.add(message.id);
    } catch {
      // The extension was reloaded or updated under this page: its old relay cannot reach it.
      port = null;
      unavailable(message.id);
    }
  });
})();
