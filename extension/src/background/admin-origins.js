// Origins an administrator adds through chrome.storage.managed (managed_schema.json). Each one
// gets the page APIs only after the user granted the site permission from the popup; then a
// content script pair is registered for it at run time, and removed when the grant or the
// policy entry goes away.

import { DYNAMIC_SCRIPT_ID_PREFIX, MANAGED_ORIGINS_KEY } from "../config.js";
import { adminOrigins, matchPattern } from "./origins.js";

/** The administrator's origins, each with whether the user granted it. */
export async function adminOriginGrants() {
  let managed = {};
  try {
    managed = await chrome.storage.managed.get(MANAGED_ORIGINS_KEY);
  } catch {
    // No policy for this extension (or no managed storage on this platform): no extra origins.
  }
  const origins = adminOrigins(managed[MANAGED_ORIGINS_KEY]);
  return Promise.all(
    origins.map(async (origin) => ({
      origin,
      granted: await chrome.permissions.contains({ origins: [matchPattern(origin)] }),
    })),
  );
}

/** Origins that currently get the APIs besides the defaults. */
export async function grantedAdminOrigins() {
  return (await adminOriginGrants()).filter((g) => g.granted).map((g) => g.origin);
}

function scriptId(origin, part) {
  return `${DYNAMIC_SCRIPT_ID_PREFIX}${part}-${origin.replace(/[^a-z0-9]/gi, "_")}`;
}

/** Makes the registered content scripts match the granted administrator origins. */
export async function syncAdminContentScripts() {
  const wanted = new Map();
  for (const origin of await grantedAdminOrigins()) {
    const common = { matches: [matchPattern(origin)], runAt: "document_start", allFrames: false, persistAcrossSessions: true };
    wanted.set(scriptId(origin, "page"), { ...common, id: scriptId(origin, "page"), js: ["src/page/page-api.js"], world: "MAIN" });
    wanted.set(scriptId(origin, "relay"), { ...common, id: scriptId(origin, "relay"), js: ["src/content/relay.js"] });
  }
  const registered = await chrome.scripting.getRegisteredContentScripts();
  const stale = registered.map((s) => s.id).filter((id) => id.startsWith(DYNAMIC_SCRIPT_ID_PREFIX) && !wanted.has(id));
  if (stale.length > 0) await chrome.scripting.unregisterContentScripts({ ids: stale });
  const present = new Set(registered.map((s) => s.id));
  const missing = [...wanted.values()].filter((s) => !present.has(s.id));
  if (missing.length > 0) await chrome.scripting.registerContentScripts(missing);
}
