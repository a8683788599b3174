// The user's stories on the demo portal, in Debian's Chromium with the real extension, the real
// vss-agent and SoftHSM2 tokens; the portal runs on its real origin (mapped to a local server).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { OTHER_HOST, launchBrowser, openPortal, setUp, submitForm } from "../lib/harness.js";

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

test("registration signed through window.vssTokenSigning is verified by the portal", async () => {
  const page = await openPortal(browser.context, "dang-ky.html");
  const result = await submitForm(page, { api: "vss", certificate: env.certificateId("an-sinh") });
  assert.equal(result.status, "ok", result.text);
  assert.equal(result.code, "registered");
  const dialog = env.dialogs().at(-1);
  assert.match(dialog, /https:\/\/gddt\.baohiemxahoi\.gov\.vn/);
  assert.match(dialog, /0312345678-001/);
  assert.match(dialog, /Đăng ký giao dịch điện tử \(DEMO\)/);
  console.log(`# round trip signHash (consent + PIN + token): ${result.signMs} ms`);
  await page.close();
});

test("registration signed through window.TokenSigning (hwcrypto style) is verified by the portal", async () => {
  const page = await openPortal(browser.context, "dang-ky.html");
  const result = await submitForm(page, { api: "TokenSigning" });
  assert.equal(result.status, "ok", result.text);
  assert.equal(result.code, "registered");
  console.log(`# round trip TokenSigning.sign: ${result.signMs} ms`);
  await page.close();
});

test("change of certificate: the renewed certificate on the second token replaces the registered one", async () => {
  const register = await openPortal(browser.context, "dang-ky.html");
  assert.equal((await submitForm(register, { certificate: env.certificateId("an-sinh") })).code, "registered");
  await register.close();
  const page = await openPortal(browser.context, "thay-doi-thong-tin.html");
  const result = await submitForm(page, { certificate: env.certificateId("an-sinh-renewed") });
  assert.equal(result.status, "ok", result.text);
  assert.equal(result.code, "certificate_changed");
  assert.match(env.dialogs().at(-1), /Thay đổi thông tin chứng thư số/);
  await page.close();
});

test("the user cancels the PIN dialog: both APIs report a cancellation, nothing is posted", async () => {
  const verdicts = env.portal.verdicts.length;
  env.pinentry("cancel");
  try {
    const page = await openPortal(browser.context, "dang-ky.html");
    const modern = await submitForm(page, { api: "vss", certificate: env.certificateId("an-sinh") });
    assert.equal(modern.code, "user_cancelled", modern.text);
    const legacy = await submitForm(page, { api: "TokenSigning" });
    assert.equal(legacy.code, "user_cancelled", legacy.text);
    assert.match(legacy.text, /user_cancel/);
    await page.close();
  } finally {
    env.pinentry("pin");
  }
  assert.equal(env.portal.verdicts.length, verdicts);
});

test("an expired certificate is refused by the agent before any PIN, with a renewal hint", async () => {
  const dialogs = env.dialogs().length;
  const page = await openPortal(browser.context, "dang-ky.html");
  const result = await submitForm(page, { certificate: env.certificateId("an-sinh-expired") });
  assert.equal(result.code, "certificate_expired", result.text);
  assert.match(result.text, /Cách xử lý/);
  assert.equal(env.dialogs().length, dialogs);
  await page.close();
});

test("a certificate of another unit signed anyway is refused by the portal (MST check on the server)", async () => {
  const page = await openPortal(browser.context, "dang-ky.html");
  // Bypass the page's own MST check to prove the server's: sign with Bảo Minh's certificate,
  // then post a form that claims An Sinh's MST.
  const verdict = await page.evaluate(async (certificate) => {
    const documentText = JSON.stringify({ flow: "register", unitName: "AN SINH", mst: "0312345678-001", email: "x@example.test" });
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(documentText)));
    const signed = await window.vssTokenSigning.signHash({ certificate, hash, hashAlgorithm: "SHA-256" });
    const response = await fetch("/api/submit", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ document: documentText, certificate: signed.certificate, signature: signed.signature }),
    });
    return response.json();
  }, env.certificateId("bao-minh"));
  assert.equal(verdict.ok, false);
  assert.equal(verdict.reason, "mst_mismatch", verdict.detail);
  await page.close();
});

test("wrong token plugged in (another unit's): identity_mismatch naming the MST, before any PIN", async () => {
  // Bảo Minh's accountant fills in Bảo Minh's form, but only An Sinh's token is plugged in.
  env.useTokens("an-sinh");
  await env.killAgent(); // the agent restarts with the other token set on the next call
  const dialogs = env.dialogs().length;
  try {
    const page = await openPortal(browser.context, "dang-ky.html");
    const unit = { unitName: "CÔNG TY CỔ PHẦN BẢO MINH", mst: "0109876543" };
    const modern = await submitForm(page, { api: "vss", ...unit });
    assert.equal(modern.code, "identity_mismatch", modern.text);
    assert.match(modern.text, /0109876543/);
    const legacy = await submitForm(page, { api: "TokenSigning", ...unit });
    assert.equal(legacy.code, "identity_mismatch", legacy.text);
    assert.match(legacy.text, /no_certificates/);
    assert.equal(env.dialogs().length, dialogs);
    await page.close();
  } finally {
    env.useTokens("standard");
    await env.killAgent();
  }
});

test("the agent killed mid-session: the call in flight fails cleanly and the next call recovers", async () => {
  const page = await openPortal(browser.context, "dang-ky.html");
  assert.equal((await page.evaluate(() => window.vssTokenSigning.version())).protocol, 1);
  env.pinentry("hang");
  const inFlight = page.evaluate(async (certificate) => {
    const hash = new Uint8Array(32).fill(1);
    try {
      await window.vssTokenSigning.signHash({ certificate, hash, hashAlgorithm: "SHA-256" });
      return "signed";
    } catch (error) {
      return error.code;
    }
  }, env.certificateId("an-sinh"));
  // Wait until the dialog is up, then kill the agent under it.
  for (let i = 0; i < 100 && env.dialogs().filter((d) => d.includes("01010101")).length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  env.pinentry("pin");
  const killed = await env.killAgent();
  assert.equal(await inFlight, "native_disconnected");
  const started = Date.now();
  const version = await page.evaluate(() => window.vssTokenSigning.version());
  assert.equal(version.protocol, 1);
  assert.notEqual(env.agentPid(), killed);
  console.log(`# reconnect after the agent was killed: ${Date.now() - started} ms`);
  const result = await submitForm(page, { certificate: env.certificateId("an-sinh") });
  assert.equal(result.status, "ok", result.text);
  await page.close();
});

test("warm round trip page → extension → agent → page stays in milliseconds", async () => {
  const page = await openPortal(browser.context, "index.html");
  const timings = await page.evaluate(async () => {
    const out = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await window.vssTokenSigning.version();
      out.push(performance.now() - t);
    }
    return out.sort((a, b) => a - b);
  });
  console.log(`# version round trip: median ${timings[10].toFixed(1)} ms, max ${timings[19].toFixed(1)} ms`);
  assert.ok(timings[10] < 100, `median ${timings[10]} ms`);
  await page.close();
});

test("a page on a non-allowlisted origin sees no API at all", async () => {
  const page = await openPortal(browser.context, "dang-ky.html", OTHER_HOST);
  await page.waitForFunction(() => document.body.dataset.extension !== undefined);
  const seen = await page.evaluate(() => ({
    vss: typeof window.vssTokenSigning,
    legacy: typeof window.TokenSigning,
    state: document.body.dataset.extension,
  }));
  assert.deepEqual(seen, { vss: "undefined", legacy: "undefined", state: "absent" });
  // Nor can it reach the relay by posting the extension's messages itself.
  const answered = await page.evaluate(
    () =>
      new Promise((resolve) => {
        window.addEventListener("message", (e) => e.data?.direction === "to-page" && resolve(true));
        window.postMessage({ channel: "vss-token-signing", direction: "to-extension", id: "x", command: "version" }, location.origin);
        setTimeout(() => resolve(false), 1500);
      }),
  );
  assert.equal(answered, false);
  await page.close();
});

test("the hash type is checked against the hash length (TokenSigning)", async () => {
  const page = await openPortal(browser.context, "dang-ky.html");
  const outcome = await page.evaluate(async () => {
    const ts = new window.TokenSigning();
    const cert = await ts.getCertificate({ lang: "vi", filter: "SIGN" });
    const results = {};
    try {
      await ts.sign(cert, { type: "SHA-512", hex: "ab".repeat(32) }, { lang: "vi" });
    } catch (error) {
      results.wrongLength = error.message;
    }
    try {
      await ts.sign({ hex: "3082" }, { type: "SHA-256", hex: "ab".repeat(32) }, { lang: "vi" });
    } catch (error) {
      results.foreignCertificate = error.message;
    }
    return results;
  });
  assert.deepEqual(outcome, { wrongLength: "invalid_argument", foreignCertificate: "invalid_argument" });
  await page.close();
});
