// A page that sends more than the agent accepts (8 MiB) hears back at once: the extension
// measures the request before passing it on and answers that page `message_too_large` under
// the page's own call, in the agent's words — through window.vssTokenSigning and
// window.TokenSigning alike — instead of leaving the page to wait for its timeout. Nothing of
// it reaches the agent (its log records no such request) or a dialog, and the page's next
// calls work.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, openPortal, setUp } from "../lib/harness.js";

const MIB = 1024 * 1024;
/** Far below every command's own timeout (150 s for signing): the page is answered, not timed out. */
const PROMPT_MS = 3000;
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

/** Every line the agent logged so far (files under its data directory's logs). */
function agentLog() {
  const lines = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (dir.endsWith("logs")) lines.push(...readFileSync(path, "utf8").split("\n"));
    }
  };
  walk(join(env.dir, "data"));
  return lines;
}

/** Runs `call` (a function source over `size` and the certificate id) in the portal page;
 * resolves with what the page saw and how long it took. */
async function inPage(page, call, size, certificate) {
  return page.evaluate(
    async ({ source, size, certificate }) => {
      const run = new Function("size", "certificate", `return (${source})(size, certificate);`);
      const started = performance.now();
      try {
        const result = await run(size, certificate);
        return { ok: true, result, ms: performance.now() - started };
      } catch (error) {
        return { ok: false, code: error.code, message: error.message, hint: error.hint, details: error.details, ms: performance.now() - started };
      }
    },
    { source: call.toString(), size, certificate },
  );
}

test("a page sending 9 MiB gets message_too_large at once, through both page APIs", async () => {
  env.clearDialogs();
  const page = await openPortal(browser.context, "index.html");
  await page.waitForFunction(() => window.vssTokenSigning !== undefined);
  const certificate = env.certificateId("an-sinh");
  const cases = [
    ["signXml with 9 MiB of XML", (size, certificate) => window.vssTokenSigning.signXml({ certificate, xml: `<a>${"x".repeat(size)}</a>` }), 9 * MIB],
    ["signXml with 7 MiB of XML (9.3 MiB once in base64)", (size, certificate) => window.vssTokenSigning.signXml({ certificate, xml: `<a>${"x".repeat(size)}</a>` }), 7 * MIB],
    ["signXml with 3 MiB of Vietnamese text (9 MiB of UTF-8)", (size, certificate) => window.vssTokenSigning.signXml({ certificate, xml: `<a>${"ệ".repeat(size)}</a>` }), 3 * MIB],
    ["signHash with a 9 MiB certificate", (size) => window.vssTokenSigning.signHash({ certificate: "A".repeat(size), hash: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", hashAlgorithm: "SHA-256" }), 9 * MIB],
    ["listCertificates with 9 MiB of filter", (size) => window.vssTokenSigning.listCertificates({ mst: "0312345678", note: "n".repeat(size) }), 9 * MIB],
  ];
  for (const [what, call, size] of cases) {
    const seen = await inPage(page, call, size, certificate);
    assert.equal(seen.ok, false, what);
    assert.equal(seen.code, "message_too_large", `${what}: ${JSON.stringify(seen)}`);
    assert.match(seen.message, /Yêu cầu quá lớn/, what);
    assert.match(seen.hint, /vss sign-xml/, what);
    assert.ok(seen.ms < PROMPT_MS, `${what}: answered after ${seen.ms} ms`);
    console.log(`# ${what}: message_too_large after ${Math.round(seen.ms)} ms`);
  }
  // window.TokenSigning (hwcrypto.js): its own error name, the code beside it.
  const legacy = await inPage(
    page,
    (size) => new window.TokenSigning().sign({ hex: "ab".repeat(size / 2) }, { type: "SHA-256", hex: "ab".repeat(32) }, { lang: "en" }),
    9 * MIB,
  );
  assert.equal(legacy.ok, false);
  assert.equal(legacy.message, "invalid_argument", JSON.stringify(legacy));
  assert.equal(legacy.code, "message_too_large");
  assert.ok(legacy.ms < PROMPT_MS, `TokenSigning.sign answered after ${legacy.ms} ms`);

  // The page keeps working, the agent never saw any of it, no dialog opened.
  const listed = await inPage(page, () => window.vssTokenSigning.listCertificates({ mst: "0312345678-001" }));
  assert.equal(listed.ok, true, JSON.stringify(listed));
  assert.ok(listed.result.certificates.some((c) => c.id === certificate));
  const signed = await inPage(page, (size, certificate) => window.vssTokenSigning.signHash({ certificate, hash: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", hashAlgorithm: "SHA-256" }), 0, certificate);
  assert.equal(signed.ok, true, JSON.stringify(signed));
  assert.equal(env.dialogs().length, 1, "only the last, normal signature opened a dialog");
  const log = agentLog();
  assert.ok(log.some((l) => l.includes("list-certificates")), "the agent logs requests");
  assert.ok(!log.some((l) => l.includes("message_too_large")), "no oversized request reached the agent");
  await page.close();
});
