// The toolbar popup: whether signing is ready, as the agent judges it (`status.readiness`: the
// one thing to do first — install the token's driver, plug in the token, renew the certificate
// — and what else needs attention), or that the agent is not installed; then each USB token
// with its certificates — holder, tax code, expiry date and days left, with a warning under 30
// days. Technical details (driver paths, serials) sit in a closed box for IT support. Also lets
// the user grant administrator-added sites.

import { matchPattern } from "../background/origins.js";
import { POPUP_LANGUAGE_KEY, chosenLanguage, loadMessages } from "./i18n.js";
import { expiryState, identityLine, summary, tokenGroups } from "./overview.js";

let lang = "vi";
let t = (key) => key;
let dateFormat = null;

const fetchJson = async (path) => (await fetch(chrome.runtime.getURL(path))).json();

/** Switches the popup's texts (and what the agent answers in) to `chosen`. */
async function setLanguage(chosen) {
  lang = chosenLanguage(chosen);
  t = await loadMessages(lang, fetchJson);
  dateFormat = new Intl.DateTimeFormat(lang === "vi" ? "vi-VN" : "en-GB", { day: "2-digit", month: "2-digit", year: "numeric" });
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const button of document.querySelectorAll("[data-lang]")) button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
}

/** Text of a [key, ...substitutions] message or of an already localised {text}. */
const say = (message) => (Array.isArray(message) ? t(...message) : (message?.text ?? ""));

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function show(sectionId, ...nodes) {
  const section = document.getElementById(sectionId);
  section.hidden = false;
  section.querySelector(".body").replaceChildren(...nodes);
}

function renderSummary(overview) {
  const seen = summary(overview, lang);
  const box = document.getElementById("summary");
  box.dataset.state = seen.state;
  box.dataset.code = seen.code;
  const agent = overview.version?.ok ? t("agentConnected", overview.version.result.agent) : null;
  const hintLabel = seen.state === "problem" ? t("whatToDo") : null;
  const lines = [element("p", { class: "headline" }, say(seen.headline))];
  if (seen.hint !== null) lines.push(element("p", { class: "hint" }, hintLabel ? element("b", {}, `${hintLabel} `) : null, say(seen.hint)));
  if (seen.findings.length > 0) {
    lines.push(element("ul", { class: "findings" }, ...seen.findings.map((f) => element("li", { "data-level": f.level }, f.text))));
  }
  if (agent) lines.push(element("p", { class: "agent" }, agent));
  box.replaceChildren(...lines);
}

function pinBadge(token) {
  const pin = token.pin ?? {};
  if (pin.locked) return element("span", { class: "badge bad" }, t("tokenPinLocked"));
  if (pin.final_try) return element("span", { class: "badge warn" }, t("tokenPinFinalTry"));
  if (pin.count_low) return element("span", { class: "badge warn" }, t("tokenPinLow"));
  return null;
}

function certificateItem(certificate) {
  const expiry = expiryState(certificate);
  const identity = identityLine(certificate);
  const until = certificate.not_after ? t("validUntil", dateFormat.format(new Date(certificate.not_after))) : null;
  return element(
    "li",
    { class: `certificate ${expiry.kind}`, "data-id": certificate.id, "data-expiry": expiry.kind },
    element("div", { class: "holder" }, certificate.holder ?? certificate.subject ?? "?"),
    identity ? element("div", { class: "identity" }, `${t(identity[0])}: ${identity[1]}`) : null,
    element("div", { class: "expiry" }, until ? `${until} ` : null, element("span", { class: `badge ${expiry.kind}` }, t(...expiry.label))),
    expiry.advice ? element("div", { class: "advice" }, t(...expiry.advice)) : null,
  );
}

function renderTokens(overview) {
  const groups = tokenGroups(overview);
  if (groups.length === 0) return;
  show(
    "tokens",
    ...groups.map(({ token, certificates: list }) => {
      const model = [token.manufacturer, token.model].filter(Boolean).join(" ");
      return element(
        "div",
        { class: "token", "data-label": token.label },
        element("div", { class: "token-name" }, element("span", { class: "name" }, token.label || "?"), model ? element("span", { class: "model" }, model) : null),
        pinBadge(token),
        list.length > 0
          ? element("ul", { class: "certificates" }, ...list.map(certificateItem))
          : element("p", { class: "hint" }, t("tokenEmpty")),
      );
    }),
  );
}

/** Driver paths, token serials and config origin: for IT support, closed by default. */
function renderTechnical(overview) {
  const status = overview.status;
  if (!status?.ok) return;
  const { modules = [], tokens = [], config = {} } = status.result;
  const rows = [];
  for (const module of modules) {
    const state = module.loaded ? t("moduleLoaded") : `${t("moduleFailed")}: ${module.error ?? module.error_code ?? ""}`;
    rows.push(element("li", { class: "module" }, `${t("moduleLabel")}: ${module.path ?? "?"} — ${state}`));
  }
  if (modules.length === 0) rows.push(element("li", { class: "module" }, t("noModulesFound")));
  for (const token of tokens) {
    rows.push(element("li", { class: "token-serial" }, `${t("tokenSerial", token.label ?? "?")}: ${token.serial ?? "?"}`));
  }
  if (config.module_source) rows.push(element("li", {}, `${t("moduleSource")}: ${config.module_source}`));
  if (config.locked) rows.push(element("li", {}, t("configLocked")));
  const details = document.getElementById("technical");
  details.hidden = false;
  details.querySelector(".body").replaceChildren(element("ul", {}, ...rows));
}

function renderAdminOrigins(grants) {
  if (!Array.isArray(grants) || grants.length === 0) return;
  show(
    "admin-origins",
    ...grants.map(({ origin, granted }) => {
      const row = element("p", {}, `${origin} `);
      if (granted) {
        row.append(element("span", { class: "badge good" }, t("granted")));
      } else {
        const button = element("button", {}, t("grant"));
        // Must run in the click itself: the browser asks the user to confirm.
        button.addEventListener("click", () => chrome.permissions.request({ origins: [matchPattern(origin)] }).then(load));
        row.append(button);
      }
      return row;
    }),
  );
}

async function load() {
  const box = document.getElementById("summary");
  box.dataset.state = "loading";
  for (const id of ["tokens", "technical", "admin-origins"]) document.getElementById(id).hidden = true;
  chrome.runtime.sendMessage({ type: "popup-admin-origins" }).then(renderAdminOrigins);
  const overview = await chrome.runtime.sendMessage({ type: "popup-overview", lang });
  renderSummary(overview);
  renderTokens(overview);
  renderTechnical(overview);
  const agent = overview.version?.ok ? ` · ${t("agentShort")} ${overview.version.result.agent}` : "";
  document.getElementById("versions").textContent = `${t("extensionShort")} ${overview.extension}${agent}`;
}

document.getElementById("refresh").addEventListener("click", () => load());
// The dossier page opens in a tab of its own (a popup closes as soon as it loses focus).
document.getElementById("open-dossier").addEventListener("click", async () => {
  await chrome.tabs.create({ url: chrome.runtime.getURL("src/dossier/dossier.html") });
  window.close();
});
for (const button of document.querySelectorAll("[data-lang]")) {
  button.addEventListener("click", async () => {
    await chrome.storage.local.set({ [POPUP_LANGUAGE_KEY]: button.dataset.lang });
    await setLanguage(button.dataset.lang);
    await load();
  });
}
const stored = await chrome.storage.local.get(POPUP_LANGUAGE_KEY);
await setLanguage(stored[POPUP_LANGUAGE_KEY]);
await load();
