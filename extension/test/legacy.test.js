// window.TokenSigning semantics: which certificate getCertificate gives, that sign only takes
// a certificate this tab got, and the error names hwcrypto.js expects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { IssuedCertificates, chooseCertificate, runLegacy } from "../src/background/legacy.js";
import { legacyErrorName } from "../src/background/errors.js";

function memoryStorage() {
  const data = {};
  return {
    get: async (key) => (key in data ? { [key]: data[key] } : {}),
    set: async (items) => Object.assign(data, items),
    remove: async (key) => delete data[key],
  };
}

const DER = Buffer.from("3082010a", "hex").toString("base64");
const certificate = (id, notAfter, validNow = true) => ({ id, der: DER, not_after: notAfter, valid_now: validNow });

test("getCertificate prefers the valid certificate that expires last (the renewed one)", () => {
  const chosen = chooseCertificate([
    certificate("old", "2026-12-01T00:00:00Z"),
    certificate("renewed", "2028-12-01T00:00:00Z"),
    certificate("expired", "2030-01-01T00:00:00Z", false),
  ]);
  assert.equal(chosen.id, "renewed");
  assert.equal(chooseCertificate([certificate("expired", "2020-01-01T00:00:00Z", false)]), null);
});

test("sign refuses a certificate that getCertificate did not return in this tab", async () => {
  const issued = new IssuedCertificates(memoryStorage());
  const calls = [];
  const agent = async (command) => {
    calls.push(command);
    if (command === "list-certificates") return { ok: true, result: { certificates: [certificate("c1", "2030-01-01")] } };
    return { ok: true, result: { signature: Buffer.from([1, 2, 3]).toString("base64") } };
  };
  const hash = { type: "SHA-256", hex: "ab".repeat(32) };
  const context = { agent, issued, tabId: 7, lang: "vi" };
  const refused = await runLegacy("ts-sign", { certificate: { hex: "3082010a" }, hash }, context);
  assert.equal(refused.error.legacy, "invalid_argument");
  assert.deepEqual(calls, []);

  const got = await runLegacy("ts-get-certificate", { filter: "SIGN" }, context);
  assert.equal(got.result.hex, "3082010a");
  const otherTab = await runLegacy("ts-sign", { certificate: got.result, hash }, { ...context, tabId: 8 });
  assert.equal(otherTab.error.legacy, "invalid_argument");
  const signed = await runLegacy("ts-sign", { certificate: got.result, hash }, context);
  assert.deepEqual(signed, { ok: true, result: { hex: "010203" } });
});

test("agent errors keep their code and get the TokenSigning name", () => {
  assert.equal(legacyErrorName("user_cancelled"), "user_cancel");
  assert.equal(legacyErrorName("native_unavailable"), "no_implementation");
  assert.equal(legacyErrorName("pin_locked"), "pin_blocked");
  assert.equal(legacyErrorName("origin_not_allowed"), "not_allowed");
  assert.equal(legacyErrorName("identity_mismatch"), "no_certificates");
  assert.equal(legacyErrorName("pin_incorrect"), "technical_error");
});

test("an empty token gives no_certificates", async () => {
  const agent = async () => ({ ok: true, result: { certificates: [] } });
  const reply = await runLegacy("ts-get-certificate", {}, { agent, issued: new IssuedCertificates(memoryStorage()), tabId: 1, lang: "en" });
  assert.equal(reply.error.code, "no_certificates");
  assert.equal(reply.error.legacy, "no_certificates");
});
