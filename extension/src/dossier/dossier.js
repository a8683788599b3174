// The "Ký hồ sơ" page: the accountant picks or drops dossier XML files; the agent reads each
// (summarize-xml: form, unit, MST, period, embedded files) and says before any PIN which it
// would refuse; the page preselects the certificate that fits; "Ký" sends one batch sign-xml
// (one consent listing every file, one PIN); each signed file is saved with chrome.downloads
// into Downloads/BHXH/<MST>_<date>/ under its own name (never over another file or the
// original). "Kiểm tra chữ ký" verifies signed files (verify-xml). Everything goes through the
// service worker, which accepts these commands only from this page and sends them as the
// extension itself.

import { MAX_DOSSIER_BYTES, MAX_DOSSIER_FILES } from "../config.js";
import { POPUP_LANGUAGE_KEY, chosenLanguage, loadMessages } from "../popup/i18n.js";
import { downloadPath, fromBase64, preselect, toBase64, usableCertificates, verdict } from "./logic.js";

let lang = "vi";
let t = (key) => key;
/** Files chosen for signing: {name, size, xml (base64), summary, state, outcome, saved}. */
let files = [];
let certificates = [];
let lastFolder = null;
let busy = false;

const $ = (id) => document.getElementById(id);
const fetchJson = async (path) => (await fetch(chrome.runtime.getURL(path))).json();

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

/** One command to the agent through the service worker; resolves {ok, result} or {ok, error}. */
async function agent(command, args) {
  try {
    const reply = await chrome.runtime.sendMessage({ type: "dossier-command", command, arguments: args, lang });
    return reply ?? { ok: false, error: { code: "reply_corrupt", message: t("dossierNoReply"), hint: "" } };
  } catch (error) {
    return { ok: false, error: { code: "native_unavailable", message: String(error?.message ?? error), hint: "" } };
  }
}

async function setLanguage(chosen) {
  lang = chosenLanguage(chosen);
  t = await loadMessages(lang, fetchJson);
  document.documentElement.lang = lang;
  document.title = t("dossierTitle");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const button of document.querySelectorAll("[data-lang]")) button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
}

// ---- choosing files -------------------------------------------------------------------------

async function readFiles(list) {
  const read = [];
  for (const file of list) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    read.push({ name: file.name, size: bytes.length, xml: toBase64(bytes), summary: null, state: "reading", outcome: null, saved: null });
  }
  return read;
}

async function addFiles(list) {
  if (busy || list.length === 0) return;
  const added = await readFiles(list);
  const names = new Set(added.map((f) => f.name));
  // A file chosen again replaces its earlier copy; a new batch starts after a finished one.
  if (files.some((f) => f.state === "signed" || f.state === "failed")) files = [];
  files = [...files.filter((f) => !names.has(f.name)), ...added];
  showOutcome(null);
  await summarize();
}

function tooMany() {
  const total = files.reduce((sum, f) => sum + f.size, 0);
  if (files.length > MAX_DOSSIER_FILES) return t("dossierTooManyFiles", MAX_DOSSIER_FILES);
  if (total > MAX_DOSSIER_BYTES) return t("dossierTooLarge", Math.round(MAX_DOSSIER_BYTES / 1024 / 1024));
  return null;
}

/** Asks the agent what it reads from each file (against the chosen certificate's MST). */
async function summarize() {
  render();
  if (files.length === 0 || tooMany() !== null) return;
  const certificate = $("certificate").value || undefined;
  const reply = await agent("summarize-xml", { documents: files.map((f) => ({ name: f.name, xml: f.xml })), certificate });
  if (!reply.ok) {
    for (const f of files) Object.assign(f, { state: "refused", summary: { refusal: reply.error } });
  } else {
    reply.result.documents.forEach((summary, i) => {
      if (files[i] === undefined) return;
      files[i].summary = summary;
      files[i].state = summary.refusal ? "refused" : "ready";
    });
  }
  if (!$("certificate").value) {
    const chosen = preselect(certificates, files.map((f) => f.summary?.tax_code));
    if (chosen !== null) {
      $("certificate").value = chosen;
      await summarize();
      return;
    }
  }
  render();
}

// ---- the list -------------------------------------------------------------------------------

function reasonBlock(error) {
  if (!error) return null;
  return element(
    "div",
    { class: "reason", "data-code": error.code },
    element("div", { class: "message" }, error.message ?? ""),
    error.hint ? element("div", { class: "hint" }, `${t("whatToDo")} ${error.hint}`) : null,
    element("div", { class: "code" }, `${t("errorCode")}: ${error.code}`),
  );
}

/** The last part of a path (Windows or POSIX). */
const baseName = (path) => path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);

function stateCell(file) {
  switch (file.state) {
    case "reading":
      return element("span", { class: "badge wait" }, t("stateReading"));
    case "ready":
      return element("span", { class: "badge good" }, t("stateReady"));
    case "signing":
      return element("span", { class: "badge wait" }, t("stateSigning"));
    case "signed":
      return [element("span", { class: "badge good" }, t("stateSigned")), file.saved ? element("div", { class: "saved", title: file.saved }, t("savedAs", baseName(file.saved))) : null];
    case "refused":
      return [element("span", { class: "badge bad" }, t("stateRefused")), reasonBlock(file.summary?.refusal)];
    case "failed":
      return [element("span", { class: "badge bad" }, t("stateNotSigned")), reasonBlock(file.outcome?.error)];
    default:
      return null;
  }
}

function fileRow(file, index) {
  const s = file.summary ?? {};
  const unknown = "—";
  const embedded = (s.embedded_files ?? []).map((e) => e.name);
  const removeButton = busy ? null : element("button", { type: "button", title: t("dossierRemove"), "aria-label": t("dossierRemove") }, "✕");
  removeButton?.addEventListener("click", () => {
    files.splice(index, 1);
    summarize();
  });
  const state = stateCell(file);
  return element(
    "tr",
    { "data-name": file.name, "data-state": file.state, "data-code": file.outcome?.error?.code ?? s.refusal?.code, "data-saved": file.saved },
    element("td", { class: "name" }, file.name, embedded.length > 0 ? element("div", { class: "embedded" }, t("embeddedFiles", embedded.join(", "))) : null),
    element("td", { class: "form" }, s.form ?? unknown),
    element("td", { class: "unit" }, s.unit_name ?? unknown),
    element("td", { class: "mst" }, s.tax_code ?? unknown),
    element("td", { class: "period" }, s.period ?? unknown),
    element("td", { class: "state" }, ...(Array.isArray(state) ? state : [state])),
    element("td", { class: "remove" }, removeButton),
  );
}

function render() {
  $("file-list").hidden = files.length === 0;
  $("files").replaceChildren(...files.map(fileRow));
  const ready = files.filter((f) => f.state === "ready").length;
  const limit = tooMany();
  const button = $("sign-button");
  button.textContent = ready > 0 ? t("dossierSignCount", ready) : t("dossierSign");
  button.disabled = busy || ready === 0 || !$("certificate").value || limit !== null;
  $("clear-button").disabled = busy;
  $("certificate").disabled = busy;
  if (limit !== null) showOutcome({ kind: "problem", headline: limit, hint: t("dossierUseCli") });
}

// ---- certificates ---------------------------------------------------------------------------

function certificateLabel(c) {
  const until = new Intl.DateTimeFormat(lang === "vi" ? "vi-VN" : "en-GB", { day: "2-digit", month: "2-digit", year: "numeric" }).format(new Date(c.not_after));
  return `${c.holder} — ${t("mst")}: ${c.identity.mst} — ${t("validUntil", until)}`;
}

function renderCertificates() {
  const select = $("certificate");
  const chosen = select.value;
  const usable = usableCertificates(certificates);
  select.replaceChildren(element("option", { value: "" }, usable.length === 0 ? t("noUsableCertificate") : t("chooseCertificate")), ...usable.map((c) => element("option", { value: c.id }, certificateLabel(c))));
  if (usable.some((c) => c.id === chosen)) select.value = chosen;
  $("certificate-note").textContent = usable.length === 0 ? t("noUsableCertificateHint") : "";
}

async function loadCertificates() {
  const reply = await agent("list-certificates", {});
  const banner = $("agent-problem");
  if (!reply.ok) {
    banner.hidden = false;
    banner.replaceChildren(element("p", { class: "headline" }, reply.error.message ?? ""), reply.error.hint ? element("p", {}, reply.error.hint) : null);
    certificates = [];
  } else {
    banner.hidden = true;
    certificates = reply.result.certificates ?? [];
  }
  renderCertificates();
  if (!$("certificate").value) {
    const chosen = preselect(certificates, files.map((f) => f.summary?.tax_code));
    if (chosen !== null) $("certificate").value = chosen;
  }
}

// ---- signing --------------------------------------------------------------------------------

function progress(text, value, max) {
  $("progress-box").hidden = text === null;
  if (text === null) return;
  const bar = $("progress");
  if (value === undefined) bar.removeAttribute("value");
  else {
    bar.max = max;
    bar.value = value;
  }
  $("progress-text").textContent = text;
}

function showOutcome(outcome) {
  const box = $("outcome");
  box.hidden = outcome === null;
  if (outcome === null) return;
  box.className = `banner ${outcome.kind}`;
  box.dataset.kind = outcome.kind;
  const open = outcome.folder
    ? element("button", { type: "button", id: "open-folder", class: "secondary" }, t("openFolder"))
    : null;
  open?.addEventListener("click", () => chrome.downloads.show(outcome.downloadId));
  box.replaceChildren(element("p", { class: "headline" }, outcome.headline), outcome.hint ? element("p", {}, outcome.hint) : null, outcome.folder ? element("p", { class: "muted" }, t("savedFolder", outcome.folder)) : null, open);
}

/** Saves one signed file; resolves the path Chrome chose (a suffix only if the name was taken). */
async function save(bytes, path) {
  const url = URL.createObjectURL(new Blob([bytes], { type: "application/xml" }));
  try {
    const id = await chrome.downloads.download({ url, filename: path, conflictAction: "uniquify", saveAs: false });
    const item = await new Promise((resolve, reject) => {
      const check = async () => {
        const [found] = await chrome.downloads.search({ id });
        if (found?.state === "complete") resolve(found);
        else if (found?.state === "interrupted") reject(new Error(found.error ?? "interrupted"));
        else setTimeout(check, 100);
      };
      check();
    });
    return { id, filename: item.filename };
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

async function sign() {
  const certificate = certificates.find((c) => c.id === $("certificate").value);
  if (!certificate || busy) return;
  busy = true;
  for (const f of files) if (f.state === "ready") f.state = "signing";
  showOutcome(null);
  render();
  progress(t("progressWaitingPin"));
  const reply = await agent("sign-xml", { certificate: certificate.id, documents: files.map((f) => ({ name: f.name, xml: f.xml })) });
  if (!reply.ok) {
    for (const f of files) if (f.state === "signing") Object.assign(f, { state: "failed", outcome: { error: reply.error } });
    busy = false;
    progress(null);
    render();
    showOutcome({ kind: "problem", headline: reply.error.message, hint: reply.error.hint });
    return;
  }
  const outcomes = reply.result.documents ?? [];
  const today = new Date();
  const toSave = outcomes.filter((o) => o.ok && o.xml).length;
  let saved = 0;
  let lastDownload = null;
  for (const [i, outcome] of outcomes.entries()) {
    const file = files[i];
    if (file === undefined) continue;
    file.outcome = outcome;
    if (!outcome.ok || !outcome.xml) {
      // A file the page had already flagged keeps its flag; the agent's refusal is the same.
      file.state = file.state === "refused" ? "refused" : "failed";
      if (file.state === "refused" && outcome.error) file.summary = { ...file.summary, refusal: outcome.error };
      continue;
    }
    progress(t("progressSaving", saved + 1, toSave), saved, toSave);
    try {
      const path = downloadPath(file.name, certificate.identity.mst, today);
      const done = await save(fromBase64(outcome.xml), path);
      file.saved = done.filename;
      file.state = "signed";
      lastDownload = done;
      lastFolder = done.filename.slice(0, Math.max(done.filename.lastIndexOf("/"), done.filename.lastIndexOf("\\")));
    } catch (error) {
      file.state = "failed";
      file.outcome = { error: { code: "download_failed", message: t("downloadFailed", String(error?.message ?? error)), hint: t("downloadFailedHint") } };
    }
    saved++;
  }
  busy = false;
  progress(null);
  render();
  const signed = files.filter((f) => f.state === "signed").length;
  const cancelled = outcomes.some((o) => o.error?.code === "user_cancelled");
  if (signed === 0) {
    showOutcome({ kind: "problem", headline: cancelled ? t("outcomeCancelled") : t("outcomeNone"), hint: cancelled ? t("outcomeCancelledHint") : t("outcomeNoneHint") });
  } else {
    showOutcome({
      kind: signed === files.length ? "ok" : "partial",
      headline: t("outcomeSigned", signed, files.length),
      hint: signed === files.length ? t("outcomeUpload") : t("outcomePartialHint"),
      folder: lastFolder,
      downloadId: lastDownload?.id,
    });
  }
}

// ---- verification ---------------------------------------------------------------------------

function formatTime(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(lang === "vi" ? "vi-VN" : "en-GB", { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(date);
}

function verifyItem(name, reply) {
  if (!reply.ok) {
    return element("div", { class: "verify-item", "data-name": name, "data-valid": "false", "data-code": reply.error.code }, element("div", { class: "headline" }, `✗ ${name}: ${t("verifyCannot")}`), reasonBlock(reply.error));
  }
  const report = reply.result;
  const { valid, reasons } = verdict(report);
  const first = (report.signatures ?? [])[0];
  const cert = first?.certificate;
  const rows = [];
  const row = (label, value) => rows.push(element("dt", {}, label), element("dd", {}, value));
  if (cert) {
    row(t("verifySigner"), cert.holder);
    row(t("mst"), cert.identity?.mst ?? "—");
    row(t("verifyIssuer"), cert.issuer);
  }
  if (first?.signing_time) row(t("verifyTime"), `${formatTime(first.signing_time.value)}${first.signing_time.signed ? "" : ` (${t("verifyTimeUnsigned")})`}`);
  if (first) row(t("verifyChain"), report.trusted ? t("verifyTrusted") : t("verifyUntrusted"));
  if ((report.signatures ?? []).length > 1) row(t("verifyCount"), String(report.signatures.length));
  // Each finding is {code, message, args}; the message is the agent's catalogue text.
  const technical = [...(report.problems ?? []), ...(report.signatures ?? []).flatMap((s) => [...(s.problems ?? []), ...(s.warnings ?? []), ...(s.references ?? []).map((r) => r.problem).filter(Boolean)])].map((p) => p.message ?? String(p));
  return element(
    "div",
    { class: "verify-item", "data-name": name, "data-valid": String(valid), "data-trusted": String(report.trusted === true), "data-mst": cert?.identity?.mst, "data-signer": cert?.holder },
    element("div", { class: "headline" }, valid ? `✓ ${name}: ${t("verifyValid")}` : `✗ ${name}: ${t("verifyInvalid")}`),
    ...reasons.map((r) => element("div", { class: "reason-text" }, t(...r))),
    rows.length > 0 ? element("dl", {}, ...rows) : null,
    technical.length > 0 ? element("details", {}, element("summary", {}, t("technicalDetails")), element("ul", {}, ...technical.map((p) => element("li", {}, p)))) : null,
  );
}

async function verifyFiles(list) {
  const box = $("verify-results");
  for (const file of list) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const placeholder = element("div", { class: "verify-item", "data-name": file.name }, `${file.name}: ${t("stateReading")}`);
    box.prepend(placeholder);
    const reply = await agent("verify-xml", { xml: toBase64(bytes) });
    placeholder.replaceWith(verifyItem(file.name, reply));
  }
}

// ---- wiring ---------------------------------------------------------------------------------

function setMode(mode) {
  for (const tab of document.querySelectorAll("[data-mode]")) tab.setAttribute("aria-selected", String(tab.dataset.mode === mode));
  for (const panel of document.querySelectorAll("[data-panel]")) panel.hidden = panel.dataset.panel !== mode;
  history.replaceState(null, "", mode === "verify" ? "#verify" : location.pathname);
}

function dropTarget(zone, onFiles) {
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    onFiles([...(event.dataTransfer?.files ?? [])]);
  });
}

// A file dropped anywhere else must not make the browser open it in place of the page.
window.addEventListener("dragover", (event) => event.preventDefault());
window.addEventListener("drop", (event) => event.preventDefault());

$("sign-files").addEventListener("change", async (event) => {
  await addFiles([...event.target.files]);
  event.target.value = "";
});
$("verify-files").addEventListener("change", async (event) => {
  await verifyFiles([...event.target.files]);
  event.target.value = "";
});
dropTarget($("sign-drop"), addFiles);
dropTarget($("verify-drop"), verifyFiles);
$("certificate").addEventListener("change", () => summarize());
$("sign-button").addEventListener("click", () => sign());
$("clear-button").addEventListener("click", () => {
  files = [];
  showOutcome(null);
  render();
});
for (const tab of document.querySelectorAll("[data-mode]")) tab.addEventListener("click", () => setMode(tab.dataset.mode));
for (const button of document.querySelectorAll("[data-lang]")) {
  button.addEventListener("click", async () => {
    await chrome.storage.local.set({ [POPUP_LANGUAGE_KEY]: button.dataset.lang });
    await setLanguage(button.dataset.lang);
    renderCertificates();
    // The agent's texts (flags, hints) come in the language asked: read the files again.
    if (!busy && files.length > 0 && files.every((f) => f.state === "ready" || f.state === "refused")) await summarize();
    else render();
  });
}

const stored = await chrome.storage.local.get(POPUP_LANGUAGE_KEY);
await setLanguage(stored[POPUP_LANGUAGE_KEY]);
setMode(location.hash === "#verify" ? "verify" : "sign");
render();
await loadCertificates();
render();
document.body.dataset.ready = "true";
