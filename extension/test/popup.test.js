// The popup's reading of the agent's answers: the summary is the agent's readiness as it is
// (or the agent's absence), tokens come grouped by the agent, expiry badges, and its own
// messages.json formatting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { expiryState, identityLine, summary, tokenGroups } from "../src/popup/overview.js";
import { chosenLanguage, formatMessage } from "../src/popup/i18n.js";
import { extensionOrigin, originRefusal } from "../src/background/origins.js";
import { EXTENSION_ID } from "../src/config.js";

const ok = (result) => ({ ok: true, result });
const fail = (code, message = code, hint = `hint ${code}`) => ({ ok: false, error: { code, message, hint } });
const token = (label, serial, pin = {}) => ({ label, serial, pin, manufacturer: "M", model: "X" });
const certificate = (id, days, extra = {}) => ({ id, holder: id, expires_in_days: days, valid_now: days >= 0, identity: { mst: "0312345678-001" }, ...extra });
const finding = (level, message, code) => ({ check: "certificate", level, message, ...(code ? { code } : {}) });
const overview = (readiness) => ({
  version: ok({ agent: "0.1.0", protocol: 1 }),
  status: ok({ modules: [], tokens: [], readiness }),
});

test("the popup asks as chrome-extension://<id> (no slash), an origin no page can use", () => {
  assert.equal(extensionOrigin(EXTENSION_ID), "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp");
  assert.equal(originRefusal(extensionOrigin(EXTENSION_ID)), "insecure_origin");
});

test("summary: the agent's readiness as it is, with what else needs attention", () => {
  const attention = summary(
    overview({
      state: "attention",
      headline: "Certificate of B expires in 19 days",
      hint: "Renew it",
      findings: [finding("ready", "Token T1"), finding("attention", "Certificate of B expires in 19 days"), finding("attention", "Certificate of A expired", "certificate_expired")],
      tokens: [],
    }),
    "en",
  );
  assert.deepEqual(attention, {
    state: "attention",
    code: "attention",
    headline: { text: "Certificate of B expires in 19 days" },
    hint: { text: "Renew it" },
    findings: [{ level: "attention", text: "Certificate of A expired" }],
  });
  const noToken = summary(overview({ state: "problem", code: "no_token", headline: "No token", hint: "Plug it in", findings: [finding("problem", "No token", "no_token")], tokens: [] }), "en");
  assert.deepEqual([noToken.state, noToken.code, noToken.headline, noToken.findings], ["problem", "no_token", { text: "No token" }, []]);
  const ready = summary(overview({ state: "ready", headline: "Ready to sign.", findings: [finding("ready", "Token T1")], tokens: [] }), "en");
  assert.deepEqual([ready.state, ready.code, ready.hint], ["ready", "ready", null]);
});

test("summary when the agent cannot be asked: not installed, an error, no readiness", () => {
  assert.deepEqual(summary({ version: fail("native_unavailable") }, "vi").headline, ["agentMissing"]);
  const timeout = summary({ version: fail("timeout", "slow", "check the PIN window") }, "en");
  assert.deepEqual([timeout.state, timeout.headline, timeout.hint], ["problem", { text: "slow" }, { text: "check the PIN window" }]);
  const statusFailed = summary({ version: ok({ agent: "0.1.0" }), status: fail("driver_unresponsive", "driver hangs", "replug") }, "en");
  assert.deepEqual([statusFailed.code, statusFailed.headline], ["driver_unresponsive", { text: "driver hangs" }]);
  const none = summary({ version: ok({ agent: "0.1.0" }), status: ok({ tokens: [] }) }, "en");
  assert.equal(none.code, "reply_corrupt");
  assert.match(none.headline.text, /damaged/);
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

test("tokens as the agent grouped them, by label; unit before personal, expired last", () => {
  const personal = certificate("person", 700, { identity: { cccd: "1" } });
  const groups = tokenGroups(
    overview({
      state: "ready",
      headline: "",
      findings: [],
      tokens: [
        { token: token("T2", "s2"), certificates: [certificate("t2", 10)] },
        { token: token("T1", "s1"), certificates: [certificate("old", -5), personal, certificate("unit", 300)] },
      ],
    }),
  );
  assert.deepEqual(groups.map((g) => [g.token.label, g.certificates.map((c) => c.id)]), [
    ["T1", ["unit", "person", "old"]],
    ["T2", ["t2"]],
  ]);
  assert.deepEqual(tokenGroups({ version: fail("native_unavailable") }), []);
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
