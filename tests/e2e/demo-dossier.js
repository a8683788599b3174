// scripts/demo.sh's dossier part: the extension's "Ký hồ sơ" page signs two dossiers (TK1-TS and
// D02-TS of An Sinh) with one consent and one PIN through the real agent and a SoftHSM2 token,
// saves them into Downloads/BHXH/<MST>_<date>/, checks them with xmlsec1, and prints where the
// screenshot is.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO, launchBrowser, setUp } from "./lib/harness.js";
import { dossierFiles, filesRead, openDossier, rows, signAndWait, xmlsecVerify } from "./lib/dossier.js";

const out = join(REPO, "tests/e2e/out");
mkdirSync(out, { recursive: true });
const env = await setUp();
let browser;
try {
  env.useTokens("an-sinh");
  const downloads = join(env.dir, "Downloads");
  browser = await launchBrowser(env, { downloads });
  const files = dossierFiles(join(env.dir, "input")).slice(0, 2);
  const page = await openDossier(browser.context, { lang: "vi" });
  await page.setInputFiles("#sign-files", files.map((f) => f.path));
  await filesRead(page, files.length);
  const outcome = await signAndWait(page);
  const screenshot = join(out, "demo-dossier.png");
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`Page: ${outcome.text}`);
  console.log(`Consent dialog shown (one, for both files):\n${env.dialogs().at(-1) ?? "(none)"}`);
  let ok = outcome.kind === "ok";
  for (const row of await rows(page)) {
    const verdict = row.saved ? xmlsecVerify(row.saved, env.tokens["an-sinh"].ca_pem) : { ok: false, output: row.stateText };
    ok &&= verdict.ok;
    console.log(`${row.name} [${row.form}, MST ${row.mst}, ${row.period}] → ${row.saved ?? "not saved"} — xmlsec1: ${verdict.ok ? "OK" : verdict.output}`);
    if (row.saved) copyFileSync(row.saved, join(out, `demo-signed-${row.form}.xml`));
  }
  console.log(`Dossier page screenshot: ${screenshot}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await browser?.context.close();
  await env.close();
}
