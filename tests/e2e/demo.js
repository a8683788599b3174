// demo.sh's body: one registration through the real extension, agent and a SoftHSM2 token,
// then the verifier's verdict, a screenshot of the portal and one of the extension popup.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO, launchBrowser, openPopup, openPortal, setUp, submitForm } from "./lib/harness.js";

const out = join(REPO, "tests/e2e/out");
mkdirSync(out, { recursive: true });
const env = await setUp();
let browser;
try {
  browser = await launchBrowser(env);
  const page = await openPortal(browser.context, "dang-ky.html");
  const result = await submitForm(page, { api: "vss", certificate: env.certificateId("an-sinh") });
  const screenshot = join(out, "demo-registration.png");
  await page.screenshot({ path: screenshot, fullPage: true });

  const popup = await openPopup(browser.context, { lang: "vi" });
  const popupShot = join(out, "demo-popup.png");
  await popup.screenshot({ path: popupShot, fullPage: true });

  const verdict = env.portal.verdicts.at(-1);
  console.log(`Verifier verdict: ${JSON.stringify(verdict)}`);
  console.log(`Page result (${result.status}/${result.code}, signed in ${result.signMs} ms): ${result.text}`);
  console.log(`Consent dialog shown:\n${env.dialogs().at(-1) ?? "(none)"}`);
  console.log(`Screenshot: ${screenshot}`);
  console.log(`Popup screenshot: ${popupShot}`);
  process.exitCode = verdict?.ok ? 0 : 1;
} finally {
  await browser?.context.close();
  await env.close();
}
