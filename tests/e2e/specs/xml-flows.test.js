// Dossier signing (sign-xml) from the demo portal's "Nộp hồ sơ" page through
// window.vssTokenSigning.signXml, in real Chromium with the real agent and SoftHSM2 tokens: the
// server verifies the XML signature with xmlsec1 against the test CA and checks the signer's MST
// against the dossier's MaSoThue; a ~3 MiB dossier comes back chunked and reassembled by the
// extension; another unit's dossier and a DOCTYPE are refused before any PIN dialog.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, openPortal, setUp } from "../lib/harness.js";

const CHROME_NATIVE_MESSAGE_LIMIT = 1024 * 1024;
let env;
let browser;

before(async () => {
  env = await setUp();
  browser = await launchBrowser(env);
});

after(async () => {
  await browser?.context.close();
  await env?.close();
});

/** Fills the dossier form, picks a certificate by id, signs and submits; returns the result. */
async function submitDossier(page, { unitName, mst, people, certificate }) {
  if (unitName !== undefined) await page.fill("#unitName", unitName);
  if (mst !== undefined) await page.fill("#mst", mst);
  if (people !== undefined) await page.fill("#people", String(people));
  await page.click("#load-certificates");
  await page.waitForSelector(`#certificate option[value="${certificate}"]`, { state: "attached", timeout: 20_000 });
  await page.selectOption("#certificate", certificate);
  await page.click("#submit");
  await page.waitForFunction(() => ["ok", "error"].includes(document.getElementById("result").dataset.status), null, { timeout: 120_000 });
  return page.$eval("#result", (r) => ({
    status: r.dataset.status,
    code: r.dataset.code,
    text: r.textContent,
    signMs: Number(r.dataset.signMs),
    xmlBytes: Number(r.dataset.xmlBytes),
    signedBytes: Number(r.dataset.signedBytes),
  }));
}

const mib = (bytes) => (bytes / 1024 / 1024).toFixed(2);
const size = (bytes) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${mib(bytes)} MiB`);

test("Nộp hồ sơ: a TK1-TS dossier of An Sinh is signed in the page, verified by xmlsec1, MST checked", async () => {
  env.clearDialogs();
  const page = await openPortal(browser.context, "nop-ho-so.html");
  const result = await submitDossier(page, { certificate: env.certificateId("an-sinh") });
  assert.equal(result.status, "ok", result.text);
  assert.equal(result.code, "dossier_accepted");
  const verdict = env.portal.verdicts.at(-1);
  assert.equal(verdict.ok, true);
  assert.equal(verdict.form, "TK1-TS");
  assert.equal(verdict.mst, "0312345678-001");
  assert.equal(verdict.signerMst, "0312345678-001");
  assert.match(verdict.xmlsec, /OK/);
  // One dialog, and it shows what the agent itself read from the XML.
  const dialogs = env.dialogs();
  assert.equal(dialogs.length, 1);
  const [dialog] = dialogs;
  assert.match(dialog, /https:\/\/gddt\.baohiemxahoi\.gov\.vn/);
  assert.match(dialog, /Mẫu hồ sơ \(đọc từ tệp\): TK1-TS/);
  assert.match(dialog, /Mã số thuế trong tệp: 0312345678-001/);
  assert.match(dialog, /Đơn vị: CÔNG TY TNHH PHẦN MỀM AN SINH/);
  assert.match(dialog, /Kỳ kê khai: 11\/2026/);
  assert.match(dialog, /Nộp hồ sơ TK1-TS \(DEMO\)/);
  console.log(`# signXml ${size(result.xmlBytes)} dossier (consent + PIN + token + XMLDSig): ${result.signMs} ms; xmlsec1 verify ${verdict.xmlsecMs} ms`);
  await page.close();
});

test("a ~3 MiB dossier: the signed reply (over Chrome's 1 MiB) arrives chunked, is reassembled and verifies", async () => {
  env.clearDialogs();
  const page = await openPortal(browser.context, "nop-ho-so.html");
  const result = await submitDossier(page, { people: 5500, certificate: env.certificateId("an-sinh") });
  assert.equal(result.status, "ok", result.text);
  assert.ok(result.xmlBytes > 2.9 * 1024 * 1024 && result.xmlBytes < 3.5 * 1024 * 1024, `dossier of ${result.xmlBytes} bytes`);
  // The agent's reply carries the signed XML as base64: 4/3 of its size, far over the 1 MiB a
  // host may send Chrome in one message (which would close the port): it can only have come in
  // parts, reassembled and checked (SHA-256) by the service worker.
  const replyChars = Math.ceil(result.signedBytes / 3) * 4;
  assert.ok(replyChars > 3 * CHROME_NATIVE_MESSAGE_LIMIT, `reply of ${replyChars} base64 characters`);
  assert.ok(result.signedBytes > result.xmlBytes);
  const verdict = env.portal.verdicts.at(-1);
  assert.equal(verdict.ok, true, verdict.detail);
  assert.equal(verdict.bytes, result.signedBytes);
  assert.match(env.dialogs().at(-1), /Mã số thuế trong tệp: 0312345678-001/);
  // The port survived: the next call on it works.
  assert.equal((await page.evaluate(() => window.vssTokenSigning.version())).protocol, 1);
  console.log(`# signXml ${mib(result.xmlBytes)} MiB dossier, reply ${mib(replyChars)} MiB base64 in ${Math.ceil(replyChars / (768 * 1024))} chunks: ${result.signMs} ms; xmlsec1 verify ${verdict.xmlsecMs} ms`);
  await page.close();
});

test("a dossier of another unit (Bảo Minh's MaSoThue, An Sinh's token): identity_mismatch, no PIN dialog", async () => {
  env.clearDialogs();
  const verdicts = env.portal.verdicts.length;
  const page = await openPortal(browser.context, "nop-ho-so.html");
  const result = await submitDossier(page, { unitName: "CÔNG TY CỔ PHẦN BẢO MINH", mst: "0109876543", certificate: env.certificateId("an-sinh") });
  assert.equal(result.code, "identity_mismatch", result.text);
  assert.match(result.text, /Token thuộc đơn vị khác/);
  assert.match(result.text, /Cách xử lý: Hãy cắm token của đơn vị có mã số thuế 0109876543/);
  assert.deepEqual(env.dialogs(), []);
  assert.equal(env.portal.verdicts.length, verdicts);
  await page.close();
});

test("a dossier with a DOCTYPE from a page: xml_dtd_forbidden, no PIN dialog", async () => {
  env.clearDialogs();
  const page = await openPortal(browser.context, "nop-ho-so.html");
  const outcome = await page.evaluate(async (certificate) => {
    const xml = window.demoDossier.build().replace('<?xml version="1.0" encoding="utf-8"?>\n', '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TK1-TS [<!ENTITY ten "AN SINH">]>\n');
    try {
      await window.vssTokenSigning.signXml({ certificate, xml, parent: "Cky" });
      return { code: "signed" };
    } catch (error) {
      return { code: error.code, message: error.message, hint: error.hint, isError: error instanceof window.vssTokenSigning.Error };
    }
  }, env.certificateId("an-sinh"));
  assert.equal(outcome.code, "xml_dtd_forbidden", JSON.stringify(outcome));
  assert.equal(outcome.isError, true);
  assert.match(outcome.message, /DOCTYPE/);
  assert.match(outcome.hint, /vss sign-xml/);
  assert.deepEqual(env.dialogs(), []);
  await page.close();
});
