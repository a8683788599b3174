// The toolbar popup: is the agent there (and which version), which tokens and certificates it
// sees — holder, MST, days to expiry with a warning under 30 days — and what to do when
// something is missing. Also lets the user grant administrator-added sites.

import { EXPIRY_WARNING_DAYS } from "../config.js";
import { matchPattern } from "../background/origins.js";

const t = (key, ...substitutions) => chrome.i18n.getMessage(key, substitutions.map(String));
const lang = chrome.i18n.getUILanguage().startsWith("vi") ? "vi" : "en";

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function show(sectionId, ...nodes) {
  const section = document.getElementById(sectionId);
  section.hidden = false;
  section.querySelector(".body").replaceChildren(...nodes);
}

/** The expiry badge of a certificate: expired, not yet valid, warning under 30 days, or fine. */
export function expiryBadge(certificate) {
  const days = certificate.expires_in_days;
  if (certificate.valid_now === false && days !== undefined && days < 0) return ["bad", t("expired")];
  if (certificate.valid_now === false) return ["bad", t("notYetValid")];
  if (days < EXPIRY_WARNING_DAYS) return ["warn", t("expiresSoon", days)];
  return ["good", t("expiresIn", days)];
}

function renderAgent(overview) {
  if (!overview.version.ok) {
    const error = overview.version.error ?? {};
    if (error.code === "native_unavailable") {
      show("agent", element("p", { class: "problem" }, t("agentMissing")), element("p", { class: "hint" }, t("agentMissingHint")));
    } else {
      show("agent", element("p", { class: "problem" }, error.message ?? error.code), element("p", { class: "hint" }, error.hint ?? ""));
    }
    return;
  }
  show("agent", element("p", { class: "ok" }, t("agentConnected", overview.version.result.agent)));
}

function renderTokens(status) {
  if (status === undefined) return;
  if (!status.ok) {
    show("tokens", element("p", { class: "problem" }, status.error.message), element("p", { class: "hint" }, status.error.hint));
    return;
  }
  const tokens = status.result.tokens ?? [];
  if (tokens.length === 0) {
    show("tokens", element("p", { class: "problem" }, t("noTokens")), element("p", { class: "hint" }, t("noTokensHint")));
    return;
  }
  show(
    "tokens",
    ...tokens.map((token) => {
      const pin = token.pin ?? token;
      const notes = [];
      if (pin.locked) notes.push(element("span", { class: "badge bad" }, t("tokenPinLocked")));
      else if (pin.final_try) notes.push(element("span", { class: "badge warn" }, t("tokenPinFinalTry")));
      else if (pin.count_low) notes.push(element("span", { class: "badge warn" }, t("tokenPinLow")));
      const model = [token.manufacturer, token.model].filter(Boolean).join(" ");
      return element("div", { class: "card" }, element("div", { class: "name" }, token.label ?? "?"), element("div", { class: "hint" }, model), ...notes);
    }),
  );
}

function renderCertificates(reply) {
  if (reply === undefined) return;
  if (!reply.ok) {
    show("certificates", element("p", { class: "problem" }, reply.error.message), element("p", { class: "hint" }, reply.error.hint));
    return;
  }
  const certificates = reply.result.certificates ?? [];
  if (certificates.length === 0) {
    show("certificates", element("p", { class: "problem" }, t("noCertificates")), element("p", { class: "hint" }, t("noCertificatesHint")));
    return;
  }
  show(
    "certificates",
    ...certificates.map((certificate) => {
      const [kind, text] = expiryBadge(certificate);
      const identity = certificate.identity ?? {};
      const lines = [element("div", { class: "name" }, certificate.holder ?? certificate.subject)];
      if (identity.mst) lines.push(element("div", {}, `${t("mst")}: ${identity.mst}`));
      if (certificate.token?.label) lines.push(element("div", { class: "hint" }, `${t("onToken")}: ${certificate.token.label}`));
      lines.push(element("span", { class: `badge ${kind}` }, text));
      return element("div", { class: "card" }, ...lines);
    }),
  );
}

function renderAdminOrigins(grants) {
  if (grants.length === 0) return;
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
  const overview = await chrome.runtime.sendMessage({ type: "popup-overview", lang });
  renderAgent(overview);
  renderTokens(overview.status);
  renderCertificates(overview.certificates);
  renderAdminOrigins(overview.adminOrigins);
  document.getElementById("versions").textContent = `VSS Token Signing ${overview.extension}`;
}

for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
document.documentElement.lang = lang;
load();
