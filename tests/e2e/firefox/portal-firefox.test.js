// The portal stories in Debian's firefox-esr, driven over WebDriver BiDi (puppeteer-core): the
// same extension sources installed as a temporary add-on (BiDi webExtension.install), the real
// vss-agent registered with `vss install-host --browser firefox` (Firefox reads
// ~/.mozilla/native-messaging-hosts), SoftHSM2 tokens and the scripted pinentry of the Chromium
// suite (tests/e2e/lib/harness.js). Firefox has no --host-resolver-rules: it reaches the portal's
// real origin through a local CONNECT proxy (127.0.0.1) that sends the two test host names to the
// demo portal and refuses every other destination, so nothing leaves the machine.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";

import puppeteer from "puppeteer-core";

import { EXTENSION_DIR, OTHER_HOST, PORTAL_HOST, VSS, setUp } from "../lib/harness.js";

const FIREFOX = process.env.FIREFOX ?? "/usr/bin/firefox-esr";
const FIREFOX_ID = "token-signing@vss.vn";

let env;
let browser;
let proxy;

/** A CONNECT proxy for the test hosts only, to the demo portal's https port. */
function startProxy(portalPort) {
  const server = createServer((request, response) => {
    response.writeHead(403).end();
  });
  server.on("connect", (request, client, head) => {
    const [host, port] = request.url.split(":");
    if (![PORTAL_HOST, OTHER_HOST].includes(host) || port !== "443") {
      client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const upstream = connect(portalPort, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

before(async () => {
  env = await setUp();
  proxy = await startProxy(env.portal.port);
  const home = join(env.dir, "firefox-home");
  mkdirSync(home, { recursive: true });
  // Registered as a user registers it; HOME decides where Firefox looks.
  execFileSync(VSS, ["--json", "install-host", "--browser", "firefox", "--agent", env.hostScript], {
    env: { ...process.env, HOME: home },
  });
  const manifest = JSON.parse(readFileSync(join(home, ".mozilla/native-messaging-hosts/vn.vss.token_signing.json"), "utf8"));
  assert.deepEqual(manifest.allowed_extensions, [FIREFOX_ID]);
  const proxyPort = proxy.address().port;
  browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX,
    headless: true,
    acceptInsecureCerts: true,
    env: { ...process.env, HOME: home },
    extraPrefsFirefox: {
      "network.proxy.type": 1,
      "network.proxy.ssl": "127.0.0.1",
      "network.proxy.ssl_port": proxyPort,
      "network.proxy.http": "127.0.0.1",
      "network.proxy.http_port": proxyPort,
      "network.proxy.no_proxies_on": "",
      "network.proxy.allow_hijacking_localhost": true,
      "extensions.webextensions.restrictedDomains": "",
    },
  });
  const id = await browser.installExtension(EXTENSION_DIR);
  assert.equal(id, FIREFOX_ID);
});

after(async () => {
  await browser?.close();
  proxy?.close();
  await env?.close();
});

async function openPortal(path, host = PORTAL_HOST) {
  const page = await browser.newPage();
  await page.goto(`https://${host}/${path}`);
  return page;
}

/** The harness's submitForm, in puppeteer's API. */
async function submitForm(page, { api = "vss", certificate } = {}) {
  await page.waitForFunction(() => window.vssTokenSigning !== undefined, { timeout: 20_000 });
  await page.select("#api", api);
  if (certificate !== undefined) {
    await page.click("#load-certificates");
    await page.waitForFunction((id) => document.querySelector(`#certificate option[value="${id}"]`) !== null, { timeout: 30_000 }, certificate);
    await page.select("#certificate", certificate);
  }
  await page.click("#submit");
  await page.waitForFunction(() => ["ok", "error"].includes(document.getElementById("result").dataset.status), { timeout: 60_000 });
  return page.$eval("#result", (r) => ({ status: r.dataset.status, code: r.dataset.code, text: r.textContent }));
}

test("Firefox: registration signed through window.vssTokenSigning is verified by the portal", async () => {
  const page = await openPortal("dang-ky.html");
  const result = await submitForm(page, { api: "vss", certificate: env.certificateId("an-sinh") });
  assert.equal(result.status, "ok", result.text);
  assert.equal(result.code, "registered");
  const dialog = env.dialogs().at(-1);
  assert.match(dialog, /https:\/\/gddt\.baohiemxahoi\.gov\.vn/);
  assert.match(dialog, /0312345678-001/);
  await page.close();
});

test("Firefox: registration signed through window.TokenSigning is verified by the portal", async () => {
  const page = await openPortal("dang-ky.html");
  const result = await submitForm(page, { api: "TokenSigning" });
  assert.equal(result.status, "ok", result.text);
  assert.equal(result.code, "registered");
  await page.close();
});

test("Firefox: the user cancels the PIN dialog, both APIs report it and nothing is posted", async () => {
  const verdicts = env.portal.verdicts.length;
  env.pinentry("cancel");
  try {
    const page = await openPortal("dang-ky.html");
    const modern = await submitForm(page, { api: "vss", certificate: env.certificateId("an-sinh") });
    assert.equal(modern.code, "user_cancelled", modern.text);
    const legacy = await submitForm(page, { api: "TokenSigning" });
    assert.equal(legacy.code, "user_cancelled", legacy.text);
    await page.close();
  } finally {
    env.pinentry("pin");
  }
  assert.equal(env.portal.verdicts.length, verdicts);
});

test("Firefox: a page on another origin gets no signing API", async () => {
  const page = await openPortal("dang-ky.html", OTHER_HOST);
  // Give the extension the time it takes on the portal to inject the API.
  await new Promise((r) => setTimeout(r, 1500));
  const apis = await page.evaluate(() => [typeof window.vssTokenSigning, typeof window.TokenSigning]);
  assert.deepEqual(apis, ["undefined", "undefined"]);
  await page.close();
});
