// The popup's reading of the agent's answers: the one-line summary (ready, or the one thing to
// do), grouping by token, expiry states, and its own messages.json formatting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { expiryState, groupByToken, identityLine, summarize } from "../src/popup/overview.js";
import { chosenLanguage, formatMessage } from "../src/popup/i18n.js";
import { extensionOrigin, originRefusal } from "../src/background/origins.js";
import { EXTENSION_ID } from "../src/config.js";

const ok = (result) => ({ ok: true, result });
const fail = (code, message = code, hint = `hint ${code}`) => ({ ok: false, error: { code, message, hint } });
const token = (label, serial, pin = {}) => ({ label, serial, pin, manufacturer: "M", model: "X" });
const certificate = (id, days, extra = {}) => ({ id, holder: id, expires_in_days: days, valid_now: days >= 0, identity: { mst: "0312345678-001" }, token: { serial: "s1", label: "T1" }, ...extra });
const module = { path: "/usr/lib/x.so", loaded: true };
const overview = ({ tokens = [token("T1", "s1")], certificates = [certificate("a", 300)], modules = [module], list } = {}) => ({
  version: ok({ agent: "0.1.0", protocol: 1 }),
  status: ok({ modules, tokens }),
  certificates: list ?? ok({ certificates }),
});

test("the popup asks as chrome-extension://<id> (no slash), an origin no page can use", () => {
  assert.equal(extensionOrigin(EXTENSION_ID), "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp");
  assert.equal(originRefusal(extensionOrigin(EXTENSION_ID)), "insecure_origin");
});

test("summary: the single most important thing, agent first, then driver, token, certificates", () => {
  assert.equal(summarize({ version: fail("native_unavailable") }).code, "native_unavailable");
  assert.deepEqual(summarize({ version: fail("native_unavailable") }).headline, ["agentMissing"]);
  const timeout = summarize({ version: fail("timeout", "slow", "check the PIN window") });
  assert.deepEqual([timeout.state, timeout.headline, timeout.hint], ["problem", { text: "slow" }, { text: "check the PIN window" }]);
  const noModule = summarize(overview({ tokens: [], modules: [{ path: "/x.so", loaded: false, error_code: "no_module" }], list: fail("no_module") }));
  assert.deepEqual([noModule.code, noModule.headline, noModule.hint], ["no_module", ["noModule"], ["noModuleHint"]]);
  assert.equal(summarize(overview({ tokens: [], modules: [], list: fail("no_module") })).code, "no_module");
  assert.equal(summarize(overview({ tokens: [], list: fail("no_token") })).code, "no_token");
  assert.equal(summarize(overview({ list: fail("no_certificates") })).code, "no_certificates");
  assert.equal(summarize(overview({ certificates: [] })).code, "no_certificates");
  assert.equal(summarize(overview({ certificates: [certificate("old", -3)] })).code, "certificate_expired");
  assert.deepEqual(summarize(overview()).hint, ["readyHint", 1, 1]);
  assert.equal(summarize(overview()).state, "ready");
  const soon = summarize(overview({ certificates: [certificate("a", 300), certificate("B", 19)] }));
  assert.deepEqual([soon.state, soon.hint], ["warning", ["oneExpiresSoon", "B", 19]]);
  const two = summarize(overview({ certificates: [certificate("a", 3), certificate("b", 19)] }));
  assert.deepEqual(two.hint, ["someExpireSoon", 2]);
  assert.equal(summarize(overview({ tokens: [token("T1", "s1", { locked: true })] })).code, "pin_locked");
});

test("expiry: warning under 30 days, expired, not yet valid", () => {
  assert.equal(expiryState(certificate("a", 30)).kind, "good");
  assert.deepEqual(expiryState(certificate("a", 29)).label, ["expiresSoon", 29]);
  assert.equal(expiryState(certificate("a", -1)).kind, "bad");
  assert.deepEqual(expiryState({ valid_now: false, expires_in_days: 400 }).label, ["notYetValid"]);
});

test("identity line: tax code first, else the person's ID", () => {
  assert.deepEqual(identityLine({ identity: { mst: "0109876543", cccd: "0010" } }), ["mst", "0109876543"]);
  assert.deepEqual(identityLine({ identity: { cccd: "001099012345" } }), ["cccd", "001099012345"]);
  assert.equal(identityLine({ identity: {} }), null);
});

test("certificates grouped by token serial (label as fallback), unit before personal, expired last", () => {
  const personal = certificate("person", 700, { identity: { cccd: "1" } });
  const groups = groupByToken(
    [token("T2", "s2"), token("T1", "s1")],
    [certificate("old", -5), personal, certificate("unit", 300), certificate("t2", 10, { token: { serial: "s2" } }), certificate("lost", 1, { token: { serial: "zz", label: "??" } })],
  );
  assert.deepEqual(groups.map((g) => [g.token?.label ?? null, g.certificates.map((c) => c.id)]), [
    ["T1", ["unit", "person", "old"]],
    ["T2", ["t2"]],
    [null, ["lost"]],
  ]);
});

test("messages.json formatting follows chrome.i18n (named placeholders, $1, $$)", () => {
  const entry = { message: "Còn $DAYS$ ngày ($$)", placeholders: { days: { content: "$1" } } };
  assert.equal(formatMessage(entry, ["19"]), "Còn 19 ngày ($)");
  assert.equal(formatMessage(undefined), "");
  assert.equal(chosenLanguage("en"), "en");
  assert.equal(chosenLanguage("fr"), "vi");
  assert.equal(chosenLanguage(undefined), "vi");
});

test("both locales have the same keys and placeholders", () => {
  const load = (lang) => JSON.parse(readFileSync(new URL(`../_locales/${lang}/messages.json`, import.meta.url), "utf8"));
  const vi = load("vi");
  const en = load("en");
  assert.deepEqual(Object.keys(vi).sort(), Object.keys(en).sort());
  for (const key of Object.keys(vi)) {
    assert.deepEqual(Object.keys(vi[key].placeholders ?? {}), Object.keys(en[key].placeholders ?? {}), key);
  }
});
