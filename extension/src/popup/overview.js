// What the popup shows, from the service worker's overview (the agent's `version` and `status`
// as the extension's own, read-only caller). Whether signing is ready is the agent's answer —
// `status.readiness`, computed by the same code as `vss doctor` and the tray — and the popup
// only lays it out; its own words are for when the agent cannot be asked at all. Pure
// functions: messages are returned as [i18n key, ...substitutions] or as text the agent has
// already localised ({text}), so this module runs under node --test without chrome.*.

import { extensionError } from "../background/errors.js";
import { EXPIRY_WARNING_DAYS } from "../config.js";

/** The expiry badge of a certificate: {kind: good|warn|bad, label: [key, ...], advice?: [key]}. */
export function expiryState(certificate) {
  const days = certificate.expires_in_days;
  if (certificate.valid_now === false && typeof days === "number" && days < 0) {
    return { kind: "bad", label: ["expired"], advice: ["expiredAdvice"] };
  }
  if (certificate.valid_now === false) return { kind: "bad", label: ["notYetValid"] };
  if (typeof days === "number" && days < EXPIRY_WARNING_DAYS) {
    return { kind: "warn", label: ["expiresSoon", days], advice: ["expiresSoonAdvice"] };
  }
  return { kind: "good", label: ["expiresIn", days] };
}

/** The identity line of a certificate: unit tax code first, else the person's ID numbers. */
export function identityLine(certificate) {
  const identity = certificate.identity ?? {};
  for (const [field, key] of [["mst", "mst"], ["cccd", "cccd"], ["cmnd", "cmnd"], ["hc", "passport"], ["mns", "mns"]]) {
    if (identity[field]) return [key, identity[field]];
  }
  return null;
}

/** Usable certificates first, the unit's (with a tax code, what the BHXH portal uses) before
 * personal ones, then by how long they remain valid; expired or not yet valid last. */
function certificateOrder(a, b) {
  const unusable = (c) => (c.valid_now === false ? 1 : 0);
  const personal = (c) => (c.identity?.mst ? 0 : 1);
  return unusable(a) - unusable(b) || personal(a) - personal(b) || (b.expires_in_days ?? 0) - (a.expires_in_days ?? 0);
}

const reply = (r) => (r !== undefined && r !== null && typeof r === "object" ? r : { ok: false, error: {} });

/** The agent's readiness in the overview, or null when it could not be had. */
export function readinessOf(overview) {
  const status = reply(overview.status);
  return status.ok ? (status.result.readiness ?? null) : null;
}

/** The tokens as the agent grouped them with their certificates, listed by label (slot numbers
 * change as tokens are plugged in; the order on screen should not). */
export function tokenGroups(overview) {
  const readiness = readinessOf(overview);
  return (readiness?.tokens ?? [])
    .map(({ token, certificates }) => ({ token, certificates: [...certificates].sort(certificateOrder) }))
    .sort((a, b) => String(a.token.label ?? "").localeCompare(String(b.token.label ?? "")));
}

/** A failed reply as the headline: the agent's (or extension's) own message and hint. */
function failure(error = {}) {
  return {
    state: "problem",
    code: error.code ?? "unknown",
    headline: { text: error.message ?? String(error.code ?? "") },
    hint: error.hint ? { text: error.hint } : ["retryHint"],
    findings: [],
  };
}

/**
 * The top of the popup: {state: ready|attention|problem, code, headline, hint, findings} —
 * the agent's readiness as it is, with `findings` the other things it found that need
 * attention (their messages, localised by the agent). When the agent is not installed or does
 * not answer, that is the problem, in the popup's words or the error's.
 */
export function summary(overview, lang) {
  const version = reply(overview.version);
  if (!version.ok) {
    if (version.error?.code === "native_unavailable") {
      return { state: "problem", code: "native_unavailable", headline: ["agentMissing"], hint: ["agentMissingHint"], findings: [] };
    }
    return failure(version.error);
  }
  const status = reply(overview.status);
  if (!status.ok) return failure(status.error);
  const readiness = readinessOf(overview);
  if (readiness === null) return failure(extensionError("reply_corrupt", lang));
  const others = (readiness.findings ?? [])
    .filter((f) => f.level !== "ready" && f.message !== readiness.headline)
    .map((f) => ({ level: f.level, text: f.message }));
  return {
    state: readiness.state,
    code: readiness.code ?? readiness.state,
    headline: { text: readiness.headline },
    hint: readiness.hint ? { text: readiness.hint } : null,
    findings: others,
  };
}
