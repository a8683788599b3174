// What the popup tells the user, worked out from the service worker's overview (the agent's
// `version`, `status` and `list-certificates` as the extension's own, read-only caller). Pure
// functions: messages are returned as [i18n key, ...substitutions] (or as text the agent has
// already localised), so this module runs under node --test without chrome.*.

import { EXPIRY_WARNING_DAYS } from "../config.js";

/** Agent error codes that mean "the token's driver (PKCS#11 module) is missing or broken". */
const MODULE_PROBLEMS = ["no_module", "module_load_failed"];

/** The expiry state of a certificate: {kind: good|warn|bad, label: [key, ...], advice?: [key]}. */
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

/** Each token of `status` with its certificates; certificates on no listed token come last
 * under `token: null`. Tokens are matched by serial (the popup sees real serials), else label,
 * and listed by label. */
export function groupByToken(tokens, certificates) {
  // By label: slot numbers change as tokens are plugged in, the order on screen should not.
  const sorted = [...tokens].sort((a, b) => String(a.label ?? "").localeCompare(String(b.label ?? "")));
  const groups = sorted.map((token) => ({ token, certificates: [] }));
  const rest = [];
  for (const certificate of certificates) {
    const where = certificate.token ?? {};
    const group =
      groups.find((g) => where.serial && g.token.serial === where.serial) ??
      groups.find((g) => where.label && g.token.label === where.label);
    (group?.certificates ?? rest).push(certificate);
  }
  for (const group of groups) group.certificates.sort(certificateOrder);
  if (rest.length > 0) groups.push({ token: null, certificates: rest.sort(certificateOrder) });
  return groups;
}

const reply = (r) => (r !== undefined && r !== null && typeof r === "object" ? r : { ok: false, error: {} });

/**
 * The one line at the top of the popup: is everything ready to sign, and if not, the single
 * most important thing to do. Returns {state: ready|warning|problem, code, headline, hint}
 * where headline and hint are [key, ...substitutions] or {text} (already localised).
 */
export function summarize(overview) {
  const version = reply(overview.version);
  if (!version.ok) {
    const error = version.error ?? {};
    if (error.code === "native_unavailable") {
      return { state: "problem", code: "native_unavailable", headline: ["agentMissing"], hint: ["agentMissingHint"] };
    }
    return {
      state: "problem",
      code: error.code ?? "unknown",
      headline: { text: error.message ?? String(error.code) },
      hint: error.hint ? { text: error.hint } : ["retryHint"],
    };
  }
  const status = reply(overview.status);
  const listed = reply(overview.certificates);
  const modules = status.ok ? (status.result.modules ?? []) : [];
  const tokens = status.ok ? (status.result.tokens ?? []) : [];
  const noModuleLoaded = status.ok && !modules.some((m) => m.loaded);
  const listCode = listed.ok ? null : listed.error?.code;

  if (MODULE_PROBLEMS.includes(listCode) || (noModuleLoaded && tokens.length === 0)) {
    // The agent's own hint speaks of configuration files; the popup keeps to what a user does.
    return { state: "problem", code: listCode ?? "no_module", headline: ["noModule"], hint: ["noModuleHint"] };
  }
  if (listCode === "no_token" || (status.ok && tokens.length === 0)) {
    return { state: "problem", code: "no_token", headline: ["noTokens"], hint: ["noTokensHint"] };
  }
  if (!listed.ok) {
    const error = listed.error ?? {};
    if (error.code === "no_certificates") {
      return { state: "problem", code: "no_certificates", headline: ["noCertificates"], hint: ["noCertificatesHint"] };
    }
    return { state: "problem", code: error.code ?? "unknown", headline: { text: error.message ?? "" }, hint: error.hint ? { text: error.hint } : ["retryHint"] };
  }
  const certificates = listed.result.certificates ?? [];
  const usable = certificates.filter((c) => c.valid_now !== false);
  if (certificates.length === 0) {
    return { state: "problem", code: "no_certificates", headline: ["noCertificates"], hint: ["noCertificatesHint"] };
  }
  if (usable.length === 0) {
    return { state: "problem", code: "certificate_expired", headline: ["allExpired"], hint: ["expiredAdvice"] };
  }
  const lockedPin = tokens.some((t) => t.pin?.locked);
  const expiringSoon = usable.filter((c) => expiryState(c).kind === "warn");
  if (lockedPin) return { state: "warning", code: "pin_locked", headline: ["readyToSign"], hint: ["somePinLocked"] };
  if (expiringSoon.length === 1) {
    const [soon] = expiringSoon;
    return { state: "warning", code: "expires_soon", headline: ["readyToSign"], hint: ["oneExpiresSoon", soon.holder ?? soon.subject ?? "?", soon.expires_in_days] };
  }
  if (expiringSoon.length > 1) {
    return { state: "warning", code: "expires_soon", headline: ["readyToSign"], hint: ["someExpireSoon", expiringSoon.length] };
  }
  return { state: "ready", code: "ready", headline: ["readyToSign"], hint: ["readyHint", usable.length, tokens.length] };
}
