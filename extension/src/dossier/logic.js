// The dossier page's pure parts (no DOM, no chrome.*; tested under node --test): where a signed
// file is saved, which certificate fits the chosen files, base64 of file bytes, and what a
// verification report means for an accountant.

import { DOSSIER_DOWNLOAD_FOLDER } from "../config.js";

/** Characters no file name may hold on Windows, macOS or Linux (and control characters). */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\\/:*?"<>|\u0000-\u001f\u007f]/g;

/** A file or folder name safe for chrome.downloads: unsafe characters become "_", no leading
 * or trailing dots and spaces (".." can never climb out of Downloads), never empty. */
export function safeName(name, fallback = "ho-so.xml") {
  const cleaned = String(name ?? "").replace(UNSAFE, "_").replace(/^[.\s]+|[.\s]+$/g, "").slice(0, 150);
  return cleaned === "" ? fallback : cleaned;
}

/** yyyy-mm-dd of `date` in local time. */
export function isoDay(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Where a signed file goes, relative to Downloads: BHXH/<MST>_<yyyy-mm-dd>/<original name>.
 * The original name is kept; chrome.downloads adds " (1)" only if that name is already taken. */
export function downloadPath(originalName, mst, date) {
  const unit = safeName(mst ?? "", "ho-so");
  return `${DOSSIER_DOWNLOAD_FOLDER}/${unit}_${isoDay(date)}/${safeName(originalName)}`;
}

/** Whether a certificate's MST and a file's MaSoThue name the same unit (a branch suffix
 * "-001" on either side matches the main code, as the agent's identity check does). */
export function sameUnit(certificateMst, fileMst) {
  if (!certificateMst || !fileMst) return false;
  const a = certificateMst.trim();
  const b = fileMst.trim();
  return a === b || a.startsWith(`${b}-`) || b.startsWith(`${a}-`);
}

/** Certificates that can sign dossiers: valid now and carrying a unit's MST. */
export function usableCertificates(certificates) {
  return (certificates ?? []).filter((c) => c.valid_now !== false && Boolean(c.identity?.mst));
}

/** The certificate to preselect: the only usable one, else the only one whose MST matches the
 * chosen files' MaSoThue; null when the user has to choose. */
export function preselect(certificates, fileTaxCodes) {
  const usable = usableCertificates(certificates);
  if (usable.length === 1) return usable[0].id;
  const codes = fileTaxCodes.filter(Boolean);
  if (codes.length === 0) return null;
  const fitting = usable.filter((c) => codes.every((code) => sameUnit(c.identity.mst, code)));
  return fitting.length === 1 ? fitting[0].id : null;
}

/** Base64 of bytes (Uint8Array), in slices so large files do not overflow the call stack. */
export function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Bytes of base64 text. */
export function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** What a verify-xml report means, as [i18n key, ...substitutions] lines: the verdict, then why
 * when it is not valid (in words, not the verifier's technical text, which stays available). */
export function verdict(report) {
  const signatures = report?.signatures ?? [];
  if (signatures.length === 0) return { valid: false, reasons: [["verifyNoSignature"]] };
  const reasons = [];
  for (const s of signatures) {
    if (s.valid) continue;
    if ((s.references ?? []).some((r) => !r.digest_valid)) reasons.push(["verifyChanged"]);
    else if (s.signature_value_valid === false) reasons.push(["verifyBadValue"]);
    else reasons.push(["verifyOther"]);
  }
  if ((report.problems ?? []).some((p) => p?.code === "duplicate_id")) reasons.push(["verifyDuplicateIds"]);
  // SHA-1 (valid unless the admin rejects it): said in words either way.
  if (report.weak === true) reasons.push(["verifyWeak"]);
  return { valid: report.valid === true, reasons: [...new Map(reasons.map((r) => [r[0], r])).values()] };
}
