// End-to-end harness: real SoftHSM2 tokens (vss-testtoken), the real vss-agent behind a small
// wrapper that Chromium starts as the native host, the scripted pinentry, the demo portal on
// https with a certificate made by openssl, and Debian's Chromium with the unpacked extension,
// the portal's real origin mapped to the local server.

import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { startPortal } from "./verifier.js";
import { EXTENSION_ID, NATIVE_HOST_NAME } from "../../../extension/src/config.js";

export const REPO = resolve(new URL("../../..", import.meta.url).pathname);
export const EXTENSION_DIR = join(REPO, "extension");
export const AGENT = process.env.VSS_AGENT ?? join(REPO, "target/debug/vss-agent");
export const TESTTOKEN = process.env.VSS_TESTTOKEN ?? join(REPO, "target/debug/vss-testtoken");
export const VSS = process.env.VSS_CLI ?? join(REPO, "target/debug/vss");
export const PINENTRY = join(REPO, "tests/pinentry/scripted-pinentry");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const PORTAL_HOST = "gddt.baohiemxahoi.gov.vn";
/** A look-alike host that is not on any allowlist. */
export const OTHER_HOST = "gddt-baohiemxahoi.example.test";
export const PIN = "123456";

/** Token sets the agent can be pointed at (vss-testtoken scenarios). */
const SCENARIOS = ["standard", "an-sinh"];

/** Builds everything outside the browser. Call `close()` at the end. */
export async function setUp() {
  const dir = mkdtempSync(join(tmpdir(), "vss-e2e-"));
  const tokens = {};
  for (const scenario of SCENARIOS) {
    const tokenDir = join(dir, `tokens-${scenario}`);
    execFileSync(TESTTOKEN, ["--dir", tokenDir, "--scenario", scenario], { stdio: ["ignore", "ignore", "inherit"] });
    tokens[scenario] = JSON.parse(readFileSync(join(tokenDir, "manifest.json"), "utf8"));
  }
  // No token plugged in: SoftHSM2 with an empty token directory.
  const emptyDir = join(dir, "tokens-none");
  mkdirSync(join(emptyDir, "store"), { recursive: true });
  writeFileSync(join(emptyDir, "softhsm2.conf"), `directories.tokendir = ${join(emptyDir, "store")}\nobjectstore.backend = file\n`);
  tokens.none = { ...tokens.standard, softhsm2_conf: join(emptyDir, "softhsm2.conf"), tokens: [] };
  // The token's driver is not installed: a module path that does not exist.
  tokens["no-module"] = { ...tokens.standard, module: join(dir, "vendor", "libvendor-pkcs11.so"), tokens: [] };

  const keyFile = join(dir, "portal-key.pem");
  const certFile = join(dir, "portal-cert.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=VSS demo portal (test only)",
    "-addext", `subjectAltName=DNS:${PORTAL_HOST},DNS:dichvucong.baohiemxahoi.gov.vn,DNS:${OTHER_HOST}`,
    "-keyout", keyFile, "-out", certFile,
  ], { stdio: "ignore" });
  const portal = await startPortal({
    key: readFileSync(keyFile),
    cert: readFileSync(certFile),
    caPem: readFileSync(tokens.standard.ca_pem),
    caPath: tokens.standard.ca_pem,
  });

  // The native host Chromium starts: reads the current settings, records its pid, becomes the agent.
  const hostScript = join(dir, "vss-agent-host.sh");
  const envFile = join(dir, "agent.env");
  const pidFile = join(dir, "agent.pid");
  const pinentryLog = join(dir, "pinentry.log");
  const pinentryMode = join(dir, "pinentry.mode");
  const pinentryWrapper = join(dir, "pinentry.sh");
  writeFileSync(hostScript, `#!/bin/sh\n. '${envFile}'\necho $$ > '${pidFile}'\nexec '${AGENT}' "$@" 2>>'${join(dir, "agent.stderr")}'\n`);
  writeFileSync(pinentryWrapper, `#!/bin/sh\nVSS_TEST_PINENTRY_MODE=$(cat '${pinentryMode}')\nexport VSS_TEST_PINENTRY_MODE\nexec '${PINENTRY}' "$@"\n`);
  chmodSync(hostScript, 0o755);
  chmodSync(pinentryWrapper, 0o755);

  const env = {
    dir,
    tokens,
    /** Creates another token set (a vss-testtoken scenario, e.g. "demo", "bao-minh") for
     * `useTokens`; the common ones are made up front. */
    makeTokens(scenario) {
      if (tokens[scenario] !== undefined) return tokens[scenario];
      const tokenDir = join(dir, `tokens-${scenario}`);
      execFileSync(TESTTOKEN, ["--dir", tokenDir, "--scenario", scenario], { stdio: ["ignore", "ignore", "inherit"] });
      tokens[scenario] = JSON.parse(readFileSync(join(tokenDir, "manifest.json"), "utf8"));
      return tokens[scenario];
    },
    portal,
    pinentryLog,
    hostScript,
    caPem: tokens.standard.ca_pem,
    /** Points the agent at a token set (a vss-testtoken scenario, or "none": no token plugged
     * in, or "no-module": the driver missing); takes effect when the agent (re)starts. */
    useTokens(scenario) {
      writeFileSync(envFile, [
        `export SOFTHSM2_CONF='${tokens[scenario].softhsm2_conf}'`,
        `export VSS_PKCS11_MODULE='${tokens[scenario].module}'`,
        `export VSS_PINENTRY='${pinentryWrapper}'`,
        `export VSS_TEST_PIN='${PIN}'`,
        `export VSS_TEST_PINENTRY_LOG='${pinentryLog}'`,
        // Keep the agent's logs and any user config inside the test directory.
        `export XDG_DATA_HOME='${join(dir, "data")}'`,
        `export XDG_CONFIG_HOME='${join(dir, "config")}'`,
        ...(env.agentConfig === null ? [] : [`export VSS_CONFIG='${env.agentConfig}'`]),
        "",
      ].join("\n"));
    },
    /** The agent's config file (`VSS_CONFIG`), null for none; set with `configure`. */
    agentConfig: null,
    /** Gives the agent a config file (TOML) from the next time it starts, with `scenario`'s
     * tokens (e.g. `trust_anchors` for verify-xml). */
    configure(toml, scenario) {
      env.agentConfig = join(dir, "agent-config.toml");
      writeFileSync(env.agentConfig, toml);
      env.useTokens(scenario);
    },
    /** What the scripted pinentry answers next: pin | cancel | hang | timeout. */
    pinentry(mode) {
      writeFileSync(pinentryMode, mode);
    },
    /** Forgets the dialogs shown so far. */
    clearDialogs() {
      rmSync(pinentryLog, { force: true });
    },
    /** Dialogs shown so far (each: title, prompt, command, description). */
    dialogs() {
      if (!existsSync(pinentryLog)) return [];
      return readFileSync(pinentryLog, "utf8").split("----\n").filter((d) => d.trim() !== "");
    },
    agentPid() {
      return existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8")) : null;
    },
    /** Kills the running agent (as a crash would) and waits until it is gone. */
    async killAgent() {
      const pid = env.agentPid();
      if (pid === null) throw new Error("no agent has been started");
      process.kill(pid, "SIGKILL");
      rmSync(pidFile);
      for (let i = 0; i < 50; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          return pid;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`agent ${pid} did not exit`);
    },
    /** Certificate id by the testkit's name (e.g. "an-sinh-renewed"). */
    certificateId(name, scenario = "standard") {
      for (const token of tokens[scenario].tokens) {
        const found = token.certificates.find((c) => c.name === name);
        if (found) return found.id;
      }
      throw new Error(`no certificate ${name}`);
    },
    async close() {
      await portal.close();
      if (!process.env.VSS_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
  env.useTokens("standard");
  env.pinentry("pin");
  return env;
}

/** Registers the native host for a Chromium profile the way users and admins do, with
 * `vss install-host --user-data-dir`; the agent path is the harness's wrapper script (it sets
 * the environment, then execs the real vss-agent). Returns the manifest written. */
export function installHost(env, profile) {
  const output = execFileSync(VSS, ["--json", "install-host", "--user-data-dir", profile, "--agent", env.hostScript], { encoding: "utf8" });
  const manifestPath = join(profile, "NativeMessagingHosts", `${NATIVE_HOST_NAME}.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  const expected = { name: NATIVE_HOST_NAME, path: env.hostScript, type: "stdio", allowed_origins: [`chrome-extension://${EXTENSION_ID}/`] };
  for (const [key, value] of Object.entries(expected)) {
    if (JSON.stringify(manifest[key]) !== JSON.stringify(value)) {
      throw new Error(`vss install-host wrote ${key}=${JSON.stringify(manifest[key])}, expected ${JSON.stringify(value)} (${output})`);
    }
  }
  return { manifestPath, manifest, output: JSON.parse(output) };
}

/** Launches Chromium with the extension and a fresh profile; `withHost: false` leaves the
 * native host unregistered (the agent is "not installed"); `downloads` is the profile's
 * download folder. */
export async function launchBrowser(env, { withHost = true, downloads } = {}) {
  const profile = mkdtempSync(join(env.dir, "profile-"));
  const host = withHost ? installHost(env, profile) : null;
  if (downloads !== undefined) {
    // The browser's own download folder, as a user's Downloads (see lib/dossier.js).
    mkdirSync(join(profile, "Default"), { recursive: true });
    writeFileSync(join(profile, "Default", "Preferences"), JSON.stringify({ download: { default_directory: downloads, prompt_for_download: false } }));
  }
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: ["--disable-extensions"],
    ignoreHTTPSErrors: true,
    viewport: { width: 1100, height: 900 },
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      "--ignore-certificate-errors",
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
      `--host-resolver-rules=MAP ${PORTAL_HOST} 127.0.0.1:${env.portal.port}, MAP ${OTHER_HOST} 127.0.0.1:${env.portal.port}`,
    ],
  });
  // The extension is ready once its service worker runs.
  let worker = context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`));
  worker ??= await context.waitForEvent("serviceworker", { timeout: 10_000 });
  return { context, worker, profile, host };
}

/** Waits until the popup has its answer from the agent (or knows there is none). */
export async function popupSettled(popup) {
  await popup.waitForFunction(() => document.getElementById("summary").dataset.state !== "loading", null, { timeout: 20_000 });
}

/** Opens the extension's popup page in a tab (what the toolbar button shows) and waits until
 * it has asked the agent; `lang` clicks the popup's VI/EN switch first. */
export async function openPopup(context, { lang } = {}) {
  const popup = await context.newPage();
  await popup.setViewportSize({ width: 380, height: 600 });
  await popup.goto(`chrome-extension://${EXTENSION_ID}/src/popup/popup.html`);
  await popupSettled(popup);
  if (lang !== undefined && (await popup.evaluate(() => document.documentElement.lang)) !== lang) {
    await popup.click(`[data-lang=${lang}]`);
    await popup.waitForFunction((l) => document.documentElement.lang === l, lang);
    await popupSettled(popup);
  }
  return popup;
}

/** Opens a portal page on the real origin (or `host`). */
export async function openPortal(context, path, host = PORTAL_HOST) {
  const page = await context.newPage();
  await page.goto(`https://${host}/${path}`);
  return page;
}

/** Fills the form, picks the API (and optionally a certificate id), submits, and returns the
 * result box: {status, code, text, signMs}. */
export async function submitForm(page, { api = "vss", mst, unitName, certificate } = {}) {
  if (unitName !== undefined) await page.fill("#unitName", unitName);
  if (mst !== undefined) await page.fill("#mst", mst);
  await page.selectOption("#api", api);
  if (certificate !== undefined) {
    await page.click("#load-certificates");
    await page.waitForSelector(`#certificate option[value="${certificate}"]`, { state: "attached", timeout: 20_000 });
    await page.selectOption("#certificate", certificate);
  }
  await page.click("#submit");
  await page.waitForFunction(() => ["ok", "error"].includes(document.getElementById("result").dataset.status), null, { timeout: 60_000 });
  return page.$eval("#result", (r) => ({ status: r.dataset.status, code: r.dataset.code, text: r.textContent, signMs: Number(r.dataset.signMs) }));
}
