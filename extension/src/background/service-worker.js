// The extension's service worker: the only place that talks to the agent. Content relays
// connect one port per document; the origin of each request is the port's sender.origin
// (set by the browser), checked against the allowlist before anything reaches the agent, and
// each reply goes back on the port of the document that asked, under the page's own id.

import { COMMAND_TIMEOUT_MS, DOSSIER_COMMAND_TIMEOUT_MS, MAX_PENDING_PER_DOCUMENT, PAGE_COMMANDS, RELAY_PORT_NAME } from "../config.js";
import { adminOriginGrants, grantedAdminOrigins, syncAdminContentScripts } from "./admin-origins.js";
import { extensionError, legacyErrorName } from "./errors.js";
import { dossierArguments, isDossierSender } from "./dossier-requests.js";
import { IssuedCertificates, runLegacy } from "./legacy.js";
import { tooLargeReply } from "./message-size.js";
import { NativeHost } from "./native-host.js";
import { extensionOrigin, originRefusal, senderOrigin } from "./origins.js";
import {
  PageRequestError,
  isValidPageId,
  listCertificatesArguments,
  pageLanguage,
  signHashArguments,
  signXmlArguments,
  signXmlResult,
} from "./page-requests.js";

const EXTENSION_VERSION = chrome.runtime.getManifest().version;

const agent = new NativeHost({
  connect: (name) => chrome.runtime.connectNative(name),
  lastError: () => chrome.runtime.lastError?.message,
  // A command's timeout is the longer of the page's and the dossier page's (the batch form of
  // sign-xml waits for a consent listing every file).
  timeouts: { ...COMMAND_TIMEOUT_MS, ...DOSSIER_COMMAND_TIMEOUT_MS, "sign-xml": Math.max(COMMAND_TIMEOUT_MS["sign-xml"], DOSSIER_COMMAND_TIMEOUT_MS["sign-xml"]) },
});

const issued = new IssuedCertificates(chrome.storage.session);

/** Runs one modern-API command for a page. */
async function runModern(command, args, send, lang) {
  switch (command) {
    case "version": {
      const reply = await send("version", {});
      return reply.ok ? { ok: true, result: { ...reply.result, extension: EXTENSION_VERSION } } : reply;
    }
    case "status":
      return send("status", {});
    case "list-certificates":
      return send("list-certificates", listCertificatesArguments(args?.filter));
    case "sign-hash":
      return send("sign-hash", signHashArguments(args));
    case "sign-xml": {
      // The batch form is never a page's: the agent's policy refuses it to every web origin
      // (capability_denied, in its own words). Ask it so, without passing the page's files on.
      if (args !== null && typeof args === "object" && "documents" in args) {
        return send("sign-xml", { certificate: typeof args.certificate === "string" ? args.certificate : "", documents: [] });
      }
      const reply = await send("sign-xml", signXmlArguments(args));
      return reply.ok ? { ok: true, result: signXmlResult(reply.result) } : reply;
    }
    default:
      return { ok: false, error: extensionError("unknown_command", lang) };
  }
}

/** Answers one request of a document; `context` is {origin, tabId, frameId, documentId}. */
async function handlePageRequest(request, context) {
  const lang = pageLanguage(request.lang);
  // The BHXH defaults are checked first: the first read of managed storage can take seconds.
  let refusal = originRefusal(context.origin);
  if (refusal === "origin_not_allowed") refusal = originRefusal(context.origin, await grantedAdminOrigins());
  if (refusal !== null) return { ok: false, error: extensionError(refusal, lang) };
  const send = (command, args) => agent.request(command, args, { origin: context.origin, lang });
  try {
    if (typeof request.command === "string" && request.command.startsWith("ts-")) {
      return await runLegacy(request.command, request.arguments, {
        agent: send,
        issued,
        tabId: context.tabId,
        lang,
        extensionVersion: EXTENSION_VERSION,
      });
    }
    if (!PAGE_COMMANDS.includes(request.command)) return { ok: false, error: extensionError("unknown_command", lang) };
    return await runModern(request.command, request.arguments, send, lang);
  } catch (error) {
    if (error instanceof PageRequestError) {
      return { ok: false, error: { ...extensionError(error.code, lang), details: { reason: error.message } } };
    }
    console.error("VSS Token Signing: request failed", error);
    return { ok: false, error: extensionError("reply_corrupt", lang) };
  }
}

chrome.runtime.onConnect.addListener((port) => {
  if (port.name !== RELAY_PORT_NAME) return;
  const sender = port.sender ?? {};
  // Top frame of a tab only; the relay is never injected elsewhere, so anything else is dropped.
  if (sender.tab === undefined || sender.frameId !== 0 || sender.id !== chrome.runtime.id) {
    port.disconnect();
    return;
  }
  const context = { origin: senderOrigin(sender), tabId: sender.tab.id, frameId: sender.frameId, documentId: sender.documentId };
  let open = true;
  let inFlight = 0;
  port.onDisconnect.addListener(() => {
    open = false;
  });
  port.onMessage.addListener(async (request) => {
    if (request === null || typeof request !== "object" || !isValidPageId(request.id)) return;
    const lang = pageLanguage(request.lang);
    let reply;
    if (Number.isSafeInteger(request.tooLarge)) {
      // The relay measured the page's message and kept it: answer the page at once.
      reply = tooLargeReply(request.tooLarge, lang);
    } else if (inFlight >= MAX_PENDING_PER_DOCUMENT) {
      reply = { ok: false, error: { ...extensionError("bad_request", lang), details: { reason: "too many requests in flight" } } };
    } else {
      inFlight++;
      try {
        reply = await handlePageRequest(request, context);
      } finally {
        inFlight--;
      }
    }
    if (!reply.ok && String(request.command).startsWith("ts-")) {
      reply.error = { ...reply.error, legacy: reply.error.legacy ?? legacyErrorName(reply.error.code) };
    }
    if (open) port.postMessage({ id: request.id, ...reply });
  });
});

/** The popup asks for an overview of the agent: its version and `status`, which for the
 * extension's own pages carries the agent's readiness and its tokens with their certificates. */
async function popupOverview(lang) {
  // The popup asks as the extension itself (chrome-extension://<id>): the agent answers it as it
  // answers the CLI (module paths, real serials, readiness) but refuses it any signing.
  const origin = extensionOrigin(chrome.runtime.id, new URL(chrome.runtime.getURL("")).protocol);
  const send = (command, args) => agent.request(command, args, { origin, lang });
  const version = await send("version", {});
  const overview = { extension: EXTENSION_VERSION, version };
  if (!version.ok) return overview;
  overview.status = await send("status", {});
  return overview;
}

/** One command of the dossier page, sent as the extension itself (the agent's policy lets it
 * run the batch, summaries and verification, never single-operation signing). */
async function dossierCommand(message) {
  const lang = pageLanguage(message.lang);
  const args = dossierArguments(message.command, message.arguments);
  if (args === null) return { ok: false, error: extensionError("bad_request", lang) };
  return agent.request(message.command, args, { origin: extensionOrigin(chrome.runtime.id), lang });
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  // The dossier page, and only it (checked by its exact URL), runs the dossier commands.
  if (message?.type === "dossier-command") {
    if (!isDossierSender(sender, chrome.runtime.id, chrome.runtime.getURL(""))) return false;
    dossierCommand(message).then(sendResponse);
    return true;
  }
  // Only the popup page talks to the worker this way (content scripts use their port).
  const fromPopup = sender.id === chrome.runtime.id && sender.url?.startsWith(chrome.runtime.getURL("src/popup/"));
  if (!fromPopup) return false;
  if (message?.type === "popup-overview") {
    popupOverview(pageLanguage(message.lang)).then(sendResponse);
    return true;
  }
  // Separate from the overview: the first read of managed storage can take seconds.
  if (message?.type === "popup-admin-origins") {
    adminOriginGrants().then(sendResponse);
    return true;
  }
  return false;
});

chrome.tabs.onRemoved.addListener((tabId) => {
  issued.forget(tabId);
});

const resync = () => {
  syncAdminContentScripts().catch((error) => console.error("VSS Token Signing: admin origins", error));
};
chrome.runtime.onInstalled.addListener(resync);
chrome.runtime.onStartup.addListener(resync);
chrome.permissions.onAdded.addListener(resync);
chrome.permissions.onRemoved.addListener(resync);
chrome.storage.onChanged.addListener((_changes, area) => {
  if (area === "managed") resync();
});
