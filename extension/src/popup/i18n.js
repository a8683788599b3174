// The popup's own language switch (Vietnamese by default, as the agent and the CLI; the
// user's choice is kept in chrome.storage.local). Chrome's i18n API only follows the browser's
// UI language, which for many Vietnamese users is English, so the popup reads the extension's
// _locales/<lang>/messages.json itself and applies Chrome's placeholder rules.

import { DEFAULT_LANGUAGE, LANGUAGES } from "../config.js";

export const POPUP_LANGUAGE_KEY = "popupLanguage";

/** A message of messages.json with its substitutions, as chrome.i18n.getMessage does it:
 * named placeholders ($NAME$ → their content, e.g. "$1"), then $1…$9, and "$$" for "$". */
export function formatMessage(entry, substitutions = []) {
  if (entry === undefined || typeof entry.message !== "string") return "";
  const placeholders = entry.placeholders ?? {};
  const named = entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name) => placeholders[name.toLowerCase()]?.content ?? whole);
  return named.replace(/\$(\$|[1-9])/g, (_whole, which) => (which === "$" ? "$" : String(substitutions[Number(which) - 1] ?? "")));
}

/** The language to show: the stored choice if it is one we speak, else Vietnamese. */
export function chosenLanguage(stored) {
  return LANGUAGES.includes(stored) ? stored : DEFAULT_LANGUAGE;
}

/** `t(key, ...substitutions)` for `lang`, from the extension's own messages file. */
export async function loadMessages(lang, fetchJson) {
  const messages = await fetchJson(`_locales/${lang}/messages.json`);
  return (key, ...substitutions) => formatMessage(messages[key], substitutions.map(String));
}
