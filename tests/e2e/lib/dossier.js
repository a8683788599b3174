// Helpers for the dossier page specs: the input files made from tests/xml-corpus, the page at
// its URL, downloads into a known folder, and screenshots under target/e2e-screenshots/.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./harness.js";
import { EXTENSION_ID } from "../../../extension/src/config.js";

export const DOSSIER_URL = `chrome-extension://${EXTENSION_ID}/src/dossier/dossier.html`;
export const SCREENSHOTS = process.env.VSS_E2E_SCREENSHOTS ?? join(REPO, "target/e2e-screenshots");
export const AN_SINH_MST = "0312345678-001";
const AN_SINH_NAME = "CÔNG TY TNHH PHẦN MỀM AN SINH";
const corpus = (name) => readFileSync(join(REPO, "tests/xml-corpus", name), "utf8");

/** The five files of the main flow, written under `dir`: three of An Sinh (TK1-TS, D02-TS and a
 * BHXHDienTu envelope, from the corpus with An Sinh's MST and name), a malformed one and one of
 * another unit (the corpus TK1-TS of Ánh Dương as it is). Returns [{name, path, expected}]. */
export function dossierFiles(dir) {
  mkdirSync(dir, { recursive: true });
  const ours = (text) =>
    text
      .replaceAll("0101234567", AN_SINH_MST)
      .replaceAll("0109876543", AN_SINH_MST)
      .replaceAll("CÔNG TY TNHH THƯƠNG MẠI DỊCH VỤ ÁNH DƯƠNG", AN_SINH_NAME)
      .replaceAll("CÔNG TY CỔ PHẦN XÂY DỰNG &amp; THIẾT KẾ SÔNG HỒNG", AN_SINH_NAME);
  const files = [
    { name: "Tờ khai TK1-TS.xml", text: ours(corpus("tk1-ts.xml")), expected: { form: "TK1-TS", mst: AN_SINH_MST, period: "11/2026", unit: AN_SINH_NAME } },
    { name: "Báo cáo D02-TS.xml", text: ours(corpus("d02-ts.xml")), expected: { form: "D02-TS", mst: AN_SINH_MST, period: "10/2026", unit: AN_SINH_NAME } },
    { name: "Hồ sơ 600 BHXHDienTu.xml", text: ours(corpus("bhxhdientu.xml")), expected: { form: "600", mst: AN_SINH_MST, period: "11/2026", unit: AN_SINH_NAME, embedded: ["TK1-TS.xml", "D02-TS.xml"] } },
    { name: "Tệp hỏng.xml", text: ours(corpus("tk1-ts.xml")).slice(0, 400), expected: { code: "xml_malformed" } },
    { name: "Ánh Dương TK1-TS.xml", text: corpus("tk1-ts.xml"), expected: { code: "identity_mismatch", mst: "0101234567", form: "TK1-TS" } },
  ];
  return files.map((f) => {
    const path = join(dir, f.name);
    writeFileSync(path, f.text);
    return { ...f, path };
  });
}

/** Gives downloads back to the browser (Playwright otherwise keeps them under random names in
 * a folder of its own): they go to the profile's download folder (launchBrowser's `downloads`)
 * under the names the extension gives, as on a user's machine. */
export async function browserDownloads(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Browser.setDownloadBehavior", { behavior: "default" });
}

/** Opens the dossier page at its URL, in `lang`, and waits until it has asked the agent. */
export async function openDossier(context, { lang = "vi" } = {}) {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1100, height: 860 });
  await browserDownloads(context, page);
  await page.goto(DOSSIER_URL);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  if ((await page.evaluate(() => document.documentElement.lang)) !== lang) {
    await page.click(`[data-lang=${lang}]`);
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  }
  return page;
}

/** Waits until every listed file has been read by the agent (none "reading"). */
export async function filesRead(page, count) {
  await page.waitForFunction(
    (n) => {
      const rows = [...document.querySelectorAll("#files tr")];
      return rows.length === n && rows.every((r) => r.dataset.state !== "reading");
    },
    count,
    { timeout: 30_000 },
  );
}

/** The rows of the file list as the page shows them. */
export async function rows(page) {
  return page.$$eval("#files tr", (trs) =>
    trs.map((tr) => ({
      name: tr.dataset.name,
      state: tr.dataset.state,
      code: tr.dataset.code,
      saved: tr.dataset.saved,
      form: tr.querySelector(".form").textContent,
      unit: tr.querySelector(".unit").textContent,
      mst: tr.querySelector(".mst").textContent,
      period: tr.querySelector(".period").textContent,
      nameCell: tr.querySelector(".name").textContent,
      stateText: tr.querySelector(".state").textContent,
    })),
  );
}

/** Presses "Ký" and waits for the outcome banner. */
export async function signAndWait(page) {
  await page.click("#sign-button");
  await page.waitForSelector("#outcome:not([hidden])", { timeout: 150_000 });
  return page.$eval("#outcome", (b) => ({ kind: b.dataset.kind, text: b.textContent }));
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Every file under `dir`, recursively (paths relative to it). */
export function listFiles(dir, prefix = "") {
  let out = [];
  let entries;
  try {
    entries = readdirSync(join(dir, prefix));
  } catch {
    return out;
  }
  for (const entry of entries) {
    const rel = prefix === "" ? entry : join(prefix, entry);
    if (statSync(join(dir, rel)).isDirectory()) out = out.concat(listFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** xmlsec1's verdict on a signed file against the test CA: {ok, output}. */
export function xmlsecVerify(path, caPem) {
  try {
    const output = execFileSync("xmlsec1", ["--verify", "--trusted-pem", caPem, path], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return { ok: true, output };
  } catch (error) {
    return { ok: false, output: `${error.stdout ?? ""}${error.stderr ?? ""}` };
  }
}

/** Base64 body of a PEM certificate, without line breaks. */
export function pemBody(path) {
  return readFileSync(path, "utf8").replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
}
