// Which web origins may use the signing APIs: the BHXH defaults plus the administrator's list
// from managed storage. The origin always comes from the browser (sender.origin), never a page.

import { DEFAULT_ALLOWED_ORIGINS } from "../config.js";

/** The canonical origin of an administrator-supplied string, or null when it is not a plain
 * https origin (no path, query, credentials or wildcard). */
export function normalizeOrigin(text) {
  if (typeof text !== "string" || text.includes("*")) return null;
  let url;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" || url.username || url.password) return null;
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) return null;
  return url.origin;
}

/** The administrator's origins, normalized and deduplicated; invalid entries are dropped. */
export function adminOrigins(managedValue) {
  if (!Array.isArray(managedValue)) return [];
  const origins = managedValue.map(normalizeOrigin).filter((o) => o !== null);
  return [...new Set(origins)].filter((o) => !DEFAULT_ALLOWED_ORIGINS.includes(o));
}

/** `null` when `origin` may use the APIs, else the error code to answer with. */
export function originRefusal(origin, extraOrigins = []) {
  if (typeof origin !== "string" || origin === "null" || origin === "") return "insecure_origin";
  if (!origin.startsWith("https://")) return "insecure_origin";
  if (normalizeOrigin(origin) !== origin) return "origin_not_allowed";
  if (DEFAULT_ALLOWED_ORIGINS.includes(origin) || extraOrigins.includes(origin)) return null;
  return "origin_not_allowed";
}

/** The match pattern that covers every page of `origin` (for permissions and content scripts). */
export function matchPattern(origin) {
  return `${origin}/*`;
}

/** The origin the service worker gives the agent for the extension's own popup: exactly
 * `chrome-extension://<id>` (Firefox: `moz-extension://<add-on id>`, because its real
 * `moz-extension://<uuid>` differs per profile), which the agent treats as a local, read-only
 * caller. A page can never send it: page origins come from the browser and must be https. */
export function extensionOrigin(extensionId, scheme = "chrome-extension:") {
  return `${scheme}//${extensionId}`;
}

/** The origin of a content script's document: `sender.origin` where the browser gives it
 * (Chrome), else the origin of `sender.url` (Firefox before it had `origin`). */
export function senderOrigin(sender) {
  if (typeof sender.origin === "string") return sender.origin;
  try {
    return new URL(sender.url).origin;
  } catch {
    return undefined;
  }
}
