// window.TokenSigning (chrome-token-signing / hwcrypto.js compatible) on top of the agent:
// getCertificate picks one certificate and remembers it for the tab; sign accepts only a
// certificate getCertificate returned in that same tab, and checks the hash type against the
// hash length. Errors carry the TokenSigning name (`legacy`) beside the modern code.

import { extensionError, legacyErrorName } from "./errors.js";
import {
  PageRequestError,
  base64ToBytes,
  bytesToBase64,
  bytesToHex,
  hexToBytes,
  legacyCertificateHex,
  legacyDocument,
  legacyHash,
  listCertificatesArguments,
} from "./page-requests.js";

/** Most certificates a tab remembers from getCertificate. */
const MAX_ISSUED_PER_TAB = 16;

/** The certificate getCertificate hands out: the valid one that expires last (a renewed
 * certificate beats the old one on another token). The consent dialog names it before the
 * PIN, so the user sees which one signs. */
export function chooseCertificate(certificates) {
  const usable = certificates.filter((c) => c.valid_now !== false);
  usable.sort((a, b) => String(b.not_after).localeCompare(String(a.not_after)));
  return usable[0] ?? null;
}

/** Certificates handed to each tab by getCertificate, kept in session storage so a restarted
 * service worker still knows them. `storage` is chrome.storage.session (or a test double). */
export class IssuedCertificates {
  constructor(storage) {
    this.storage = storage;
  }

  key(tabId) {
    return `issued:${tabId}`;
  }

  async has(tabId, hex) {
    const key = this.key(tabId);
    const stored = await this.storage.get(key);
    return (stored[key] ?? []).includes(hex);
  }

  async add(tabId, hex) {
    const key = this.key(tabId);
    const stored = await this.storage.get(key);
    const list = (stored[key] ?? []).filter((h) => h !== hex);
    list.push(hex);
    await this.storage.set({ [key]: list.slice(-MAX_ISSUED_PER_TAB) });
  }

  async forget(tabId) {
    await this.storage.remove(this.key(tabId));
  }
}

function legacyFailure(error) {
  return { ok: false, error: { ...error, legacy: legacyErrorName(error.code) } };
}

/** Runs one TokenSigning call. `agent(command, args)` sends to the agent with the caller's
 * origin and language and resolves with the reply envelope. */
export async function runLegacy(command, args, { agent, issued, tabId, lang, extensionVersion }) {
  try {
    switch (command) {
      case "ts-version": {
        const reply = await agent("version", {});
        if (!reply.ok) return legacyFailure(reply.error);
        return { ok: true, result: { version: reply.result.agent, extension: extensionVersion } };
      }
      case "ts-get-certificate": {
        const reply = await agent("list-certificates", listCertificatesArguments(args?.filter));
        if (!reply.ok) return legacyFailure(reply.error);
        const chosen = chooseCertificate(reply.result.certificates ?? []);
        if (chosen === null) return legacyFailure(extensionError("no_certificates", lang));
        const hex = bytesToHex(base64ToBytes(chosen.der));
        await issued.add(tabId, hex);
        return { ok: true, result: { hex, id: chosen.id } };
      }
      case "ts-sign": {
        const certHex = legacyCertificateHex(args?.certificate);
        const hash = legacyHash(args?.hash);
        if (!(await issued.has(tabId, certHex))) {
          return legacyFailure(extensionError("certificate_not_issued", lang));
        }
        const signArgs = {
          certificate: bytesToBase64(hexToBytes(certHex)),
          hash: hash.base64,
          hash_algorithm: hash.algorithm,
        };
        const document = legacyDocument(args?.info);
        if (document !== undefined) signArgs.document = document;
        if (typeof args?.mst === "string" && args.mst !== "") signArgs.mst = args.mst;
        const reply = await agent("sign-hash", signArgs);
        if (!reply.ok) return legacyFailure(reply.error);
        return { ok: true, result: { hex: bytesToHex(base64ToBytes(reply.result.signature)) } };
      }
      default:
        return legacyFailure(extensionError("unknown_command", lang));
    }
  } catch (error) {
    if (error instanceof PageRequestError) return legacyFailure({ ...extensionError(error.code, lang), details: { reason: error.message } });
    throw error;
  }
}
