// The agent is not installed (no native host registered): the page still has the APIs, learns
// within a second, and gets native_unavailable / no_implementation with an install hint.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, openPortal, setUp, submitForm } from "../lib/harness.js";

let env;
let browser;

before(async () => {
  env = await setUp();
  browser = await launchBrowser(env, { withHost: false });
});

after(async () => {
  await browser?.context.close();
  await env?.close();
});

test("agent not installed: the page learns within a second, with a Vietnamese install hint", async () => {
  const page = await openPortal(browser.context, "dang-ky.html");
  const outcome = await page.evaluate(async () => {
    const started = performance.now();
    const modern = await window.vssTokenSigning.version().catch((e) => ({ code: e.code, hint: e.hint }));
    const elapsed = performance.now() - started;
    const legacy = await new window.TokenSigning().getVersion().catch((e) => e.message);
    return { modern, legacy, elapsed };
  });
  assert.equal(outcome.modern.code, "native_unavailable");
  assert.match(outcome.modern.hint, /cài đặt/);
  assert.equal(outcome.legacy, "no_implementation");
  assert.ok(outcome.elapsed < 1000, `${outcome.elapsed} ms`);
  console.log(`# native_unavailable reached the page in ${outcome.elapsed.toFixed(0)} ms`);
  const result = await submitForm(page, { api: "vss" });
  assert.equal(result.code, "native_unavailable");
  await page.close();
});
