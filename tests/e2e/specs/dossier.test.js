// The extension's "Ký hồ sơ" page in real Chromium with the real agent and SoftHSM2 tokens
// (An Sinh's token: one usable unit certificate, so it is preselected): five files through the
// file input — three good corpus forms, a malformed file and another unit's — are summarised by
// the agent before any PIN; one consent naming every file it signs, one GETPIN; the three signed
// downloads verify with xmlsec1 and carry the signer's certificate, in Downloads/BHXH/<MST>_<date>/
// under their own names; the two bad files are reported by name with code and Vietnamese hint;
// a second run does not overwrite the first; drag-and-drop; cancel; the verify mode; the batch
// refused to a portal page. Screenshots before and after signing in both languages.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, openPopup, openPortal, setUp } from "../lib/harness.js";
import {
  AN_SINH_MST,
  DOSSIER_URL,
  dossierFiles,
  filesRead,
  listFiles,
  openDossier,
  pemBody,
  rows,
  screenshot,
  signAndWait,
  xmlsecVerify,
} from "../lib/dossier.js";
import { isoDay } from "../../../extension/src/dossier/logic.js";

let env;
let browser;
let downloads;
let inputs;
const sha = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");
/** The test CA of An Sinh's token set (each vss-testtoken scenario has its own). */
const ca = () => env.tokens["an-sinh"].ca_pem;
const getpins = () => env.dialogs().filter((d) => /^COMMAND GETPIN$/m.test(d));

before(async () => {
  env = await setUp();
  // The test CA as the trust anchor, so verify-xml can say the chain is trusted.
  env.configure(`trust_anchors = [${JSON.stringify(env.tokens["an-sinh"].ca_pem)}]\n`, "an-sinh");
  downloads = join(env.dir, "Downloads");
  browser = await launchBrowser(env, { downloads });
  inputs = dossierFiles(join(env.dir, "input"));
});

after(async () => {
  await browser?.context.close();
  await env?.close();
});

const folder = () => `BHXH/${AN_SINH_MST}_${isoDay(new Date())}`;
const good = () => inputs.filter((f) => f.expected.code === undefined);
const bad = () => inputs.filter((f) => f.expected.code !== undefined);

/** One full run of the five files in `lang`; returns the rows after signing. */
async function fiveFileRun(lang) {
  env.clearDialogs();
  const page = await openDossier(browser.context, { lang });
  assert.equal(page.url(), DOSSIER_URL);
  await page.setInputFiles("#sign-files", inputs.map((f) => f.path));
  await filesRead(page, 5);
  // The certificate that fits (the only valid unit certificate on the token) is preselected.
  assert.equal(await page.$eval("#certificate", (s) => s.value), env.certificateId("an-sinh", "an-sinh"));
  await page.waitForFunction(() => document.querySelector('#files tr[data-name="Ánh Dương TK1-TS.xml"]')?.dataset.state === "refused");
  const before = await rows(page);
  for (const file of inputs) {
    const row = before.find((r) => r.name === file.name);
    assert.ok(row, `row for ${file.name}`);
    const e = file.expected;
    if (e.form) assert.equal(row.form, e.form, file.name);
    if (e.mst) assert.equal(row.mst, e.mst, file.name);
    if (e.period) assert.equal(row.period, e.period, file.name);
    if (e.unit) assert.equal(row.unit, e.unit, file.name);
    for (const embedded of e.embedded ?? []) assert.match(row.nameCell, new RegExp(embedded.replace(".", "\\.")), file.name);
    assert.equal(row.state, e.code ? "refused" : "ready", `${file.name}: ${row.stateText}`);
    if (e.code) assert.equal(row.code, e.code, file.name);
  }
  assert.deepEqual(env.dialogs(), [], "nothing asked for a PIN before Ký");
  assert.match(await page.textContent("#sign-button"), lang === "vi" ? /Ký 3 hồ sơ/ : /Sign 3 files/);
  const shotBefore = await screenshot(page, `dossier-${lang}-before.png`);

  const started = Date.now();
  const outcome = await signAndWait(page);
  const signMs = Date.now() - started;
  assert.equal(outcome.kind, "partial", outcome.text);
  assert.match(outcome.text, lang === "vi" ? /Đã ký 3\/5 hồ sơ/ : /Signed 3 of 5 files/);
  // One consent, one PIN, naming every file it signs and none of the refused ones.
  const dialogs = getpins();
  assert.equal(dialogs.length, 1, env.dialogs().join("\n"));
  for (const f of good()) assert.ok(dialogs[0].includes(f.name), `the dialog names ${f.name}: ${dialogs[0]}`);
  for (const f of bad()) assert.ok(!dialogs[0].includes(f.name), `the dialog does not offer ${f.name}`);
  const after = await rows(page);
  const shotAfter = await screenshot(page, `dossier-${lang}-after.png`);
  console.log(`# dossier page (${lang}): 5 files, 3 signed and saved in ${signMs} ms (consent + PIN + 3 signatures + downloads); screenshots ${shotBefore}, ${shotAfter}`);
  return { page, after };
}

test("the popup's Ký hồ sơ button opens the page at its URL", async () => {
  const popup = await openPopup(browser.context, { lang: "vi" });
  assert.equal((await popup.textContent("#open-dossier")).trim(), "Ký hồ sơ (tệp XML)…");
  const [page] = await Promise.all([browser.context.waitForEvent("page"), popup.click("#open-dossier")]);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  assert.equal(page.url(), DOSSIER_URL);
  assert.equal(await page.textContent("h1"), "Ký hồ sơ BHXH");
  await page.close();
});

test("five files: summaries before the PIN, one GETPIN, three verified downloads, two reported by name", async () => {
  const { page, after } = await fiveFileRun("vi");
  const signerPem = pemBody(env.tokens["an-sinh"].tokens[0].certificates.find((c) => c.name === "an-sinh").pem);
  for (const file of good()) {
    const row = after.find((r) => r.name === file.name);
    assert.equal(row.state, "signed", `${file.name}: ${row.stateText}`);
    assert.equal(row.saved, join(downloads, folder(), file.name), "saved under its own name in the unit's folder");
    const verdict = xmlsecVerify(row.saved, ca());
    assert.ok(verdict.ok, `${file.name}: ${verdict.output}`);
    const signed = readFileSync(row.saved, "utf8");
    assert.ok(signed.replace(/\s+/g, "").includes(signerPem), `${file.name} carries the signer's certificate`);
  }
  for (const file of bad()) {
    const row = after.find((r) => r.name === file.name);
    assert.equal(row.state, "refused", file.name);
    assert.equal(row.code, file.expected.code, file.name);
    assert.match(row.stateText, /Cách xử lý:/, `${file.name} has a Vietnamese hint: ${row.stateText}`);
    assert.match(row.stateText, new RegExp(file.expected.code));
    assert.equal(row.saved, undefined);
  }
  assert.match(after.find((r) => r.code === "identity_mismatch").stateText, /Token thuộc đơn vị khác/);
  assert.match(after.find((r) => r.code === "xml_malformed").stateText, /Hãy xuất lại|không đúng định dạng|hỏng|XML/);
  // Nothing but the three signed files was written.
  assert.deepEqual(listFiles(downloads).sort(), good().map((f) => join(folder(), f.name)).sort());
  assert.ok(await page.isVisible("#open-folder"), "a Mở thư mục button");
  assert.match(await page.textContent("#open-folder"), /Mở thư mục/);
  await page.close();
});

test("a second run (in English) does not overwrite the first run's downloads", async () => {
  const first = Object.fromEntries(good().map((f) => [f.name, sha(join(downloads, folder(), f.name))]));
  const { page, after } = await fiveFileRun("en");
  for (const file of good()) {
    const row = after.find((r) => r.name === file.name);
    assert.equal(row.state, "signed");
    assert.notEqual(row.saved, join(downloads, folder(), file.name), "a new name next to the first");
    assert.match(row.saved, / \(1\)\.xml$/);
    const verdict = xmlsecVerify(row.saved, ca());
    assert.ok(verdict.ok, verdict.output);
    assert.equal(sha(join(downloads, folder(), file.name)), first[file.name], `${file.name} of the first run is untouched`);
  }
  const refused = after.find((r) => r.code === "identity_mismatch");
  assert.match(refused.stateText, /What to do:/);
  assert.match(refused.stateText, /different unit|another unit/i);
  for (const f of inputs) assert.equal(sha(f.path), createHash("sha256").update(f.text).digest("hex"), "originals untouched");
  await page.close();
});

test("drag and drop of one file signs it", async () => {
  env.clearDialogs();
  const page = await openDossier(browser.context);
  const file = good()[0];
  const text = readFileSync(file.path, "utf8");
  await page.evaluate(
    ({ name, text }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], name, { type: "text/xml" }));
      const zone = document.getElementById("sign-drop");
      zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    { name: "Kéo thả TK1-TS.xml", text },
  );
  await filesRead(page, 1);
  const outcome = await signAndWait(page);
  assert.equal(outcome.kind, "ok", outcome.text);
  assert.match(outcome.text, /Đã ký 1\/1 hồ sơ/);
  const [row] = await rows(page);
  assert.equal(row.saved, join(downloads, folder(), "Kéo thả TK1-TS.xml"));
  const verdict = xmlsecVerify(row.saved, ca());
  assert.ok(verdict.ok, verdict.output);
  assert.equal(getpins().length, 1);
  await page.close();
});

test("cancel in the dialog signs nothing and says so", async () => {
  env.clearDialogs();
  env.pinentry("cancel");
  try {
    const before = listFiles(downloads).length;
    const page = await openDossier(browser.context);
    await page.setInputFiles("#sign-files", good().map((f) => f.path));
    await filesRead(page, 3);
    const outcome = await signAndWait(page);
    assert.equal(outcome.kind, "problem");
    assert.match(outcome.text, /Bạn đã hủy — không tệp nào được ký/);
    for (const row of await rows(page)) {
      assert.equal(row.state, "failed");
      assert.equal(row.code, "user_cancelled");
      assert.equal(row.saved, undefined);
    }
    assert.equal(listFiles(downloads).length, before, "no download");
    assert.equal(env.dialogs().length, 1, "the one dialog was shown");
    await page.close();
  } finally {
    env.pinentry("pin");
  }
});

test("verify mode: a good file is valid with signer and MST, a tampered one invalid with the reason", async () => {
  const signed = join(downloads, folder(), good()[0].name);
  const tampered = join(env.dir, "input", "Đã sửa sau khi ký.xml");
  writeFileSync(tampered, readFileSync(signed, "utf8").replace("11/2026", "12/2026"));
  const page = await openDossier(browser.context);
  await page.click("#mode-verify");
  await page.setInputFiles("#verify-files", [signed, tampered]);
  await page.waitForFunction(() => [...document.querySelectorAll(".verify-item")].filter((i) => i.dataset.valid !== undefined).length === 2, null, { timeout: 30_000 });
  const items = await page.$$eval(".verify-item", (els) => els.map((e) => ({ name: e.dataset.name, valid: e.dataset.valid, trusted: e.dataset.trusted, mst: e.dataset.mst, signer: e.dataset.signer, text: e.textContent })));
  const ok = items.find((i) => i.name === good()[0].name);
  assert.equal(ok.valid, "true", ok.text);
  assert.equal(ok.mst, AN_SINH_MST);
  assert.equal(ok.signer, "CÔNG TY TNHH PHẦN MỀM AN SINH");
  assert.match(ok.text, /chữ ký hợp lệ/);
  assert.match(ok.text, /Người ký/);
  assert.match(ok.text, /Thời điểm ký/);
  assert.match(ok.text, /Chuỗi chứng thư\s*tin cậy/);
  assert.equal(ok.trusted, "true");
  const bad = items.find((i) => i.name === "Đã sửa sau khi ký.xml");
  assert.equal(bad.valid, "false");
  assert.match(bad.text, /chữ ký KHÔNG hợp lệ/);
  assert.match(bad.text, /Nội dung tệp đã bị thay đổi sau khi ký/);
  await screenshot(page, "dossier-vi-verify.png");
  await page.click("[data-lang=en]");
  await page.waitForFunction(() => document.documentElement.lang === "en");
  await page.setInputFiles("#verify-files", [tampered]);
  await page.waitForFunction(() => document.querySelector(".verify-item")?.textContent.includes("NOT valid"), null, { timeout: 30_000 });
  assert.match(await page.textContent(".verify-item"), /The file was changed after it was signed/);
  await page.click("[data-lang=vi]");
  await page.close();
});

test("a portal page asking for the batch gets capability_denied, and no dialog", async () => {
  env.clearDialogs();
  const page = await openPortal(browser.context, "nop-ho-so.html");
  const outcome = await page.evaluate(async (certificate) => {
    try {
      await window.vssTokenSigning.signXml({ certificate, documents: [{ name: "a.xml", xml: "PGEvPg==" }] });
      return { code: "signed" };
    } catch (error) {
      return { code: error.code, message: error.message };
    }
  }, env.certificateId("an-sinh", "an-sinh"));
  assert.equal(outcome.code, "capability_denied", JSON.stringify(outcome));
  assert.match(outcome.message, /gddt\.baohiemxahoi\.gov\.vn/);
  // The dossier commands sent straight to the worker from a web page never arrive.
  assert.deepEqual(env.dialogs(), []);
  await page.close();
});
