// Page API, injected into the page's own world on allowlisted origins (top frame only):
// window.vssTokenSigning (modern, Promise-based) and window.TokenSigning (chrome-token-signing /
// hwcrypto.js compatible). Both only post messages to the content relay of this window.
(() => {
  if (window.top !== window || window.vssTokenSigning !== undefined) return;

  const CHANNEL = "vss-token-signing"; // PAGE_CHANNEL in src/config.js
  const PRESENCE_TIMEOUT_MS = 1000; // PRESENCE_TIMEOUT_MS in src/config.js
  const pending = new Map();
  let sequence = 0;

  // ext-err/ext-hint-extension_unavailable in the catalogue (checked by extension_sync.rs).
  const UNAVAILABLE = {
    vi: [
      "Tiện ích VSS Token Signing chưa sẵn sàng trên trang này.",
      "Hãy tải lại trang (F5). Nếu vẫn lỗi, kiểm tra tiện ích đã được bật trong chrome://extensions.",
    ],
    en: [
      "The VSS Token Signing extension is not ready on this page.",
      "Reload the page (F5). If it persists, check that the extension is enabled in chrome://extensions.",
    ],
  };

  /** A failed call: `code` is stable (DESIGN §2), `message` and `hint` are for the user. */
  class VssTokenSigningError extends Error {
    constructor({ code, message, hint, details }) {
      super(message);
      Object.defineProperty(this, "message", { value: message, enumerable: true });
      this.name = "VssTokenSigningError";
      this.code = code;
      this.hint = hint;
      if (details !== undefined) this.details = details;
    }
  }

  window.addEventListener("message", (event) => {
    if (event.source !== window || event.origin !== location.origin) return;
    const message = event.data;
    if (message === null || typeof message !== "object" || message.channel !== CHANNEL) return;
    if (message.direction !== "to-page") return;
    const call = pending.get(message.id);
    if (call === undefined) return;
    if (message.type === "ack") {
      clearTimeout(call.presence);
      return;
    }
    pending.delete(message.id);
    clearTimeout(call.presence);
    if (message.ok === true) call.resolve(message.result);
    else call.reject(message.error ?? { code: "extension_unavailable" });
  });

  function language(lang) {
    const base = String(lang ?? document.documentElement.lang ?? "vi").toLowerCase().slice(0, 2);
    return base === "en" ? "en" : "vi";
  }

  /** Sends one request; resolves with the result or rejects with the raw error object. */
  function request(command, args, lang) {
    const id = `p${++sequence}-${Math.random().toString(36).slice(2, 10)}`;
    const chosen = language(lang);
    return new Promise((resolve, reject) => {
      const presence = setTimeout(() => {
        pending.delete(id);
        const [message, hint] = UNAVAILABLE[chosen];
        reject({ code: "extension_unavailable", message, hint });
      }, PRESENCE_TIMEOUT_MS);
      pending.set(id, { resolve, reject, presence });
      window.postMessage({ channel: CHANNEL, direction: "to-extension", id, command, lang: chosen, arguments: args }, location.origin);
    });
  }

  const toBase64 = (value) => {
    if (typeof value === "string") return value;
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
  };
  const isBinary = (value) => value instanceof ArrayBuffer || ArrayBuffer.isView(value);

  const modern = (command, args, lang) =>
    request(command, args, lang).catch((error) => {
      throw new VssTokenSigningError(error);
    });

  const vssTokenSigning = Object.freeze({
    /** {agent, protocol, extension} */
    version: (options) => modern("version", {}, options?.lang),
    /** Modules and tokens as the agent sees them (module paths omitted for web pages). */
    status: (options) => modern("status", {}, options?.lang),
    /** {certificates: [Certificate]}; filter {mst, includeExpired}. */
    listCertificates: (filter, options) => modern("list-certificates", { filter }, options?.lang),
    /** {signature, signature_algorithm, certificate} (base64); hash as base64 or bytes. */
    signHash: (args, options) =>
      modern("sign-hash", args && isBinary(args.hash) ? { ...args, hash: toBase64(args.hash) } : args, options?.lang ?? args?.lang),
    /** {xml} — the signed XML text; `xml` is the XML text to sign. */
    signXml: (args, options) => modern("sign-xml", args, options?.lang ?? args?.lang),
    Error: VssTokenSigningError,
  });

  const legacy = (command, args, lang) =>
    request(command, args, lang).catch((error) => {
      const failure = new Error(error.legacy ?? (error.code === "extension_unavailable" ? "no_implementation" : "technical_error"));
      failure.code = error.code;
      failure.hint = error.hint;
      failure.detail = error.message;
      throw failure;
    });

  /** chrome-token-signing's page object: `new TokenSigning()` then getVersion, getCertificate,
   * sign. Errors are Error objects whose message is the TokenSigning error name. */
  function TokenSigning() {}
  TokenSigning.prototype.getVersion = function getVersion() {
    return legacy("ts-version", {});
  };
  TokenSigning.prototype.getCertificate = function getCertificate(options) {
    return legacy("ts-get-certificate", { filter: options?.filter }, options?.lang);
  };
  TokenSigning.prototype.sign = function sign(cert, hash, options) {
    return legacy(
      "ts-sign",
      { certificate: { hex: cert?.hex }, hash: { type: hash?.type, hex: hash?.hex }, info: options?.info, mst: options?.mst },
      options?.lang,
    );
  };
  Object.freeze(TokenSigning.prototype);

  Object.defineProperty(window, "vssTokenSigning", { value: vssTokenSigning, enumerable: true });
  Object.defineProperty(window, "TokenSigning", { value: TokenSigning, enumerable: true });
  window.dispatchEvent(new Event("vss-token-signing-ready"));
})();
