// What the dossier page (src/dossier/dossier.html) may ask the service worker, checked before
// anything reaches the agent: the sender must be that page of this extension (not a content
// script, not another extension page, not a web page), and the command one of the dossier
// commands with arguments of the expected shape. The worker sends them with the extension's own
// origin; the agent's policy (crates/vss-core/src/caller.rs) decides the rest.

import { DOSSIER_COMMAND_TIMEOUT_MS, DOSSIER_PAGE } from "../config.js";

/** True when `sender` (chrome.runtime.MessageSender) is our dossier page itself. */
export function isDossierSender(sender, extensionId, extensionBase) {
  if (sender === null || typeof sender !== "object" || sender.id !== extensionId) return false;
  if (sender.tab !== undefined && sender.frameId !== undefined && sender.frameId !== 0) return false;
  if (typeof sender.url !== "string") return false;
  // The page's URL without its #fragment or ?query, compared as a whole string.
  return sender.url.split(/[?#]/, 1)[0] === `${extensionBase}${DOSSIER_PAGE}`;
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isDocuments = (docs) =>
  Array.isArray(docs) && docs.every((d) => isObject(d) && typeof d.name === "string" && typeof d.xml === "string");

/** The arguments to send for a dossier command, or null when the command or its arguments are
 * not what the page sends (only the batch form of sign-xml: `documents` is required). */
export function dossierArguments(command, args) {
  if (typeof command !== "string" || !Object.hasOwn(DOSSIER_COMMAND_TIMEOUT_MS, command)) return null;
  const a = isObject(args) ? args : {};
  switch (command) {
    case "version":
      return {};
    case "list-certificates":
      return { filter: { include_expired: a.filter?.include_expired === true } };
    case "summarize-xml":
      if (!isDocuments(a.documents)) return null;
      return typeof a.certificate === "string" ? { documents: a.documents, certificate: a.certificate } : { documents: a.documents };
    case "sign-xml":
      if (!isDocuments(a.documents) || typeof a.certificate !== "string") return null;
      return { certificate: a.certificate, documents: a.documents };
    case "verify-xml":
      return typeof a.xml === "string" ? { xml: a.xml } : null;
    default:
      return null;
  }
}
