// Benchmarks as a user experiences them (issue 14), each next to the token's own cost measured
// in the same run, in alternating rounds; every figure is the median of the round medians.
// Run through scripts/bench.sh, which builds the release binaries first. Prints a Markdown
// table; `--json FILE` also writes the figures.
//
// The token's own cost (the floor) is `token_floor` (crates/vss-testkit/examples): straight
// cryptoki on the same SoftHSM2 key, no dialog, no process start, no module load.

import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setUp, launchBrowser, openPortal, REPO, PINENTRY, PIN, PORTAL_HOST } from "../e2e/lib/harness.js";
import { EXTENSION_ID } from "../../extension/src/config.js";

const RELEASE = join(REPO, "target/release");
const AGENT = process.env.VSS_AGENT;
const VSS = process.env.VSS_CLI;
const FLOOR = join(RELEASE, "examples/token_floor");
const ROUNDS = Number(process.env.VSS_BENCH_ROUNDS ?? 7);
const PER_ROUND = 10;
const FORMS = Number(process.env.VSS_BENCH_FORMS ?? 400);
const ORIGIN = `https://${PORTAL_HOST}`;

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const p90 = (values) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.9))];
const now = () => Number(process.hrtime.bigint()) / 1e6;

const env = await setUp();
const scenario = env.tokens.standard;
const certificate = env.certificateId("an-sinh");
const hash = Buffer.alloc(32, 7).toString("base64");
const agentEnv = {
  ...process.env,
  SOFTHSM2_CONF: scenario.softhsm2_conf,
  VSS_PKCS11_MODULE: scenario.module,
  // The scripted person: the compiled twin of tests/pinentry/scripted-pinentry (same protocol
  // and answers), so that the figures are the agent's and not bash's (VSS_BENCH_PINENTRY=bash
  // measures with the shell script instead).
  VSS_PINENTRY: process.env.VSS_BENCH_PINENTRY === "bash" ? PINENTRY : join(RELEASE, "vss-scripted-pinentry"),
  VSS_TEST_PIN: PIN,
  VSS_TEST_PINENTRY_MODE: "pin",
  XDG_DATA_HOME: join(env.dir, "data"),
  XDG_CONFIG_HOME: join(env.dir, "config"),
};
delete agentEnv.VSS_TEST_PINENTRY_LOG;
// The browser's native host: the agent with the same environment, no wrapper processes (the
// harness's wrapper reads files to switch scenarios; a benchmark does not switch).
writeFileSync(
  env.hostScript,
  `#!/bin/sh\n${["SOFTHSM2_CONF", "VSS_PKCS11_MODULE", "VSS_PINENTRY", "VSS_TEST_PIN", "VSS_TEST_PINENTRY_MODE", "XDG_DATA_HOME", "XDG_CONFIG_HOME"]
    .map((k) => `export ${k}='${agentEnv[k]}'`)
    .join("\n")}\nexec '${AGENT}' "$@" 2>>'${join(env.dir, "agent.stderr")}'\n`,
);

/** The floor: `token_floor per-op|batch COUNT` → its JSON. */
function floor(mode, count) {
  const out = spawnSync(FLOOR, [mode, String(count), certificate], { env: agentEnv, encoding: "utf8" });
  if (out.status !== 0) throw new Error(`token_floor: ${out.stderr}`);
  return JSON.parse(out.stdout);
}

/** The real vss-agent as a native host on stdio: framed JSON, as Chrome speaks it. */
class NativeAgent {
  constructor() {
    this.child = spawn(AGENT, [`chrome-extension://${EXTENSION_ID}/`], { env: agentEnv, stdio: ["pipe", "pipe", "ignore"] });
    this.buffer = Buffer.alloc(0);
    this.waiting = new Map();
    this.sequence = 0;
    this.child.stdout.on("data", (data) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      while (this.buffer.length >= 4) {
        const length = this.buffer.readUInt32LE(0);
        if (this.buffer.length < 4 + length) break;
        const message = JSON.parse(this.buffer.subarray(4, 4 + length).toString("utf8"));
        this.buffer = this.buffer.subarray(4 + length);
        const resolve = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        resolve?.(message);
      }
    });
  }
  request(command, args = {}) {
    const id = `b${++this.sequence}`;
    const body = Buffer.from(JSON.stringify({ id, command, lang: "en", origin: ORIGIN, arguments: args }));
    const header = Buffer.alloc(4);
    header.writeUInt32LE(body.length);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (reply) => (reply.ok ? resolve(reply.result) : reject(new Error(JSON.stringify(reply.error)))));
      this.child.stdin.write(Buffer.concat([header, body]));
    });
  }
  rssMiB() {
    const status = readFileSync(`/proc/${this.child.pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  }
  close() {
    this.child.stdin.end();
    return new Promise((resolve) => this.child.once("exit", resolve));
  }
}

const signArgs = { certificate, hash, hash_algorithm: "SHA-256" };
const rows = [];
const row = (what, values, floorValues, goal) => {
  const m = median(values);
  const f = floorValues === null ? null : median(floorValues);
  rows.push({ what, median: m, p90: p90(values), floor: f, ratio: f === null ? null : m / f, goal });
};

// 1. Browser: signHash and version from a page on the portal origin, alternating with the floor.
const browser = await launchBrowser(env);
const page = await openPortal(browser.context, "index.html");
await page.waitForFunction(() => window.vssTokenSigning !== undefined);
const inPage = (what, count) =>
  page.evaluate(
    async ({ what, count, certificate }) => {
      const out = [];
      const hash = new Uint8Array(32).fill(7);
      for (let i = 0; i < count; i++) {
        const t = performance.now();
        if (what === "version") await window.vssTokenSigning.version();
        else await window.vssTokenSigning.signHash({ certificate, hash, hashAlgorithm: "SHA-256" });
        out.push(performance.now() - t);
      }
      return out;
    },
    { what, count, certificate },
  );
await inPage("sign", 3); // warm: the agent is started, the module loaded
const floorOp = [];
const browserSign = [];
const browserVersion = [];
for (let round = 0; round < ROUNDS; round++) {
  floorOp.push(median(floor("per-op", PER_ROUND).per_op_ms));
  browserSign.push(median(await inPage("sign", PER_ROUND)));
  browserVersion.push(median(await inPage("version", 2 * PER_ROUND)));
}
await browser.context.close();
row("signHash from a page (portal origin), warm: consent dialog + login + sign + logout", browserSign, floorOp, "≤ 2.5×");
row("`version` from a page, warm", browserVersion, null, "≤ 3 ms");

// 2. The native host alone: framed JSON on stdio to the real vss-agent.
const agent = new NativeAgent();
await agent.request("version");
await agent.request("sign-hash", signArgs);
const nativeSign = [];
const nativeVersion = [];
const floorOp2 = [];
let requests = 2;
for (let round = 0; round < ROUNDS; round++) {
  floorOp2.push(median(floor("per-op", PER_ROUND).per_op_ms));
  const signs = [];
  for (let i = 0; i < PER_ROUND; i++) {
    const t = now();
    await agent.request("sign-hash", signArgs);
    signs.push(now() - t);
  }
  const versions = [];
  for (let i = 0; i < PER_ROUND; i++) {
    const t = now();
    await agent.request("version");
    versions.push(now() - t);
  }
  requests += 2 * PER_ROUND;
  nativeSign.push(median(signs));
  nativeVersion.push(median(versions));
}
row("signHash through the native host alone (stdio), warm", nativeSign, floorOp2, "—");
row("`version` through the native host alone", nativeVersion, null, "—");

// 3. Idle memory: the agent's resident set after 100 requests (sign-hash and list-certificates).
while (requests < 100) {
  await agent.request(requests % 2 ? "list-certificates" : "sign-hash", requests % 2 ? {} : signArgs);
  requests++;
}
await new Promise((r) => setTimeout(r, 200));
const rss = agent.rssMiB();
await agent.close();
rows.push({ what: `agent resident memory after ${requests} requests (MiB)`, median: rss, p90: null, floor: null, ratio: null, goal: "≤ 15 MiB" });

// 4. Cold start: spawn the agent → certificates listed (module loaded, every token read).
const cold = [];
const floorOp3 = [];
for (let round = 0; round < ROUNDS; round++) {
  floorOp3.push(median(floor("per-op", PER_ROUND).per_op_ms));
  const t = now();
  const fresh = new NativeAgent();
  await fresh.request("list-certificates");
  cold.push(now() - t);
  await fresh.close();
}
row("cold start: spawn the agent → certificates listed", cold, null, "≤ 30 ms");

// 5. `vss sign-xml` on FORMS TK1-TS forms as a whole process (one dialog, one PIN), against
//    FORMS raw signatures in one logged-in session.
const inDir = join(env.dir, "forms");
mkdirSync(inDir, { recursive: true });
const form = readFileSync(join(REPO, "tests/xml-corpus/tk1-ts.xml"), "utf8").replaceAll("0101234567", "0312345678-001");
const files = [];
for (let i = 0; i < FORMS; i++) {
  const file = join(inDir, `tk1-ts-${String(i).padStart(4, "0")}.xml`);
  writeFileSync(file, form.replace("</HoTen>", ` ${i}</HoTen>`));
  files.push(file);
}
const batch = [];
const floorBatch = [];
for (let round = 0; round < Math.max(3, Math.ceil(ROUNDS / 2)); round++) {
  floorBatch.push(floor("batch", FORMS).batch_ms);
  const out = join(env.dir, `signed-${round}`);
  const t = now();
  const run = spawnSync(VSS, ["sign-xml", "--cert", certificate, "--out-dir", out, ...files], { env: agentEnv, encoding: "utf8" });
  batch.push(now() - t);
  if (run.status !== 0) throw new Error(`vss sign-xml: ${run.stdout}${run.stderr}`);
  rmSync(out, { recursive: true, force: true });
}
row(`\`vss sign-xml\` on ${FORMS} TK1-TS forms, whole process`, batch, floorBatch, "≤ 1.25×");

await env.close();

const fmt = (v, unit = "ms") => (v === null ? "—" : `${v.toFixed(v < 10 ? 2 : 1)} ${unit}`);
console.log(`\nVSS Token Signing benchmarks (${ROUNDS} alternating rounds, medians; SoftHSM2 RSA-2048)\n`);
console.log("| what | median | p90 | the token's own cost, same run | ratio | goal |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) {
  const unit = r.what.includes("MiB") ? "MiB" : "ms";
  console.log(`| ${r.what} | ${fmt(r.median, unit)} | ${fmt(r.p90, unit)} | ${fmt(r.floor)} | ${r.ratio === null ? "—" : `${r.ratio.toFixed(2)}×`} | ${r.goal} |`);
}
console.log(
  `\nThe token's own cost: session + login + sign + logout (per operation) or ${FORMS} signatures in one logged-in session (batch), straight cryptoki (token_floor), in the same run.`,
);
const jsonAt = process.argv.indexOf("--json");
if (jsonAt > 0) writeFileSync(process.argv[jsonAt + 1], JSON.stringify(rows, null, 2));
