// The native port: one port for all requests, replies matched by the extension's own ids,
// timeouts, and a fresh port after the agent exits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NativeHost } from "../src/background/native-host.js";
import { sha256Hex } from "../src/background/chunks.js";
import { isTooLarge, serializedSize, tooLargeReply } from "../src/background/message-size.js";
import { MAX_AGENT_REQUEST_BYTES } from "../src/config.js";

/** A stand-in for chrome.runtime.Port with hooks to play the agent. */
function fakeBrowser() {
  const browser = { ports: [], lastError: undefined };
  browser.connect = (name) => {
    const port = { name, sent: [], messageListeners: [], disconnectListeners: [] };
    port.postMessage = (m) => port.sent.push(m);
    port.onMessage = { addListener: (f) => port.messageListeners.push(f) };
    port.onDisconnect = { addListener: (f) => port.disconnectListeners.push(f) };
    port.reply = (m) => Promise.all(port.messageListeners.map((f) => f(m)));
    port.exit = (reason) => {
      browser.lastError = reason;
      port.disconnectListeners.forEach((f) => f());
      browser.lastError = undefined;
    };
    browser.ports.push(port);
    return port;
  };
  return browser;
}

const host = (browser, timeouts) =>
  new NativeHost({ connect: browser.connect, lastError: () => browser.lastError, timeouts });

test("requests share one port and get their own replies, whatever the order", async () => {
  const browser = fakeBrowser();
  const agent = host(browser);
  const a = agent.request("version", {}, { origin: "https://gddt.baohiemxahoi.gov.vn", lang: "vi" });
  const b = agent.request("status", {}, { origin: "https://gddt.baohiemxahoi.gov.vn", lang: "vi" });
  assert.equal(browser.ports.length, 1);
  const [first, second] = browser.ports[0].sent;
  assert.equal(first.origin, "https://gddt.baohiemxahoi.gov.vn");
  assert.notEqual(first.id, second.id);
  await browser.ports[0].reply({ id: second.id, ok: true, result: { tokens: [] } });
  await browser.ports[0].reply({ id: first.id, ok: true, result: { agent: "0.1.0", protocol: 1 } });
  assert.deepEqual(await a, { ok: true, result: { agent: "0.1.0", protocol: 1 } });
  assert.deepEqual(await b, { ok: true, result: { tokens: [] } });
});

test("an agent that is not installed gives native_unavailable with a Vietnamese hint", async () => {
  const browser = fakeBrowser();
  const agent = host(browser);
  const reply = agent.request("version", {}, { origin: "https://gddt.baohiemxahoi.gov.vn", lang: "vi" });
  browser.ports[0].exit("Specified native messaging host not found.");
  const { ok, error } = await reply;
  assert.equal(ok, false);
  assert.equal(error.code, "native_unavailable");
  assert.match(error.hint, /cài đặt/);
});

test("an agent that exits mid-request fails that request, and the next request reconnects", async () => {
  const browser = fakeBrowser();
  const agent = host(browser);
  const signing = agent.request("sign-hash", {}, { origin: "https://gddt.baohiemxahoi.gov.vn", lang: "en" });
  browser.ports[0].exit("Native host has exited.");
  assert.equal((await signing).error.code, "native_disconnected");
  const next = agent.request("version", {}, { origin: "https://gddt.baohiemxahoi.gov.vn", lang: "en" });
  assert.equal(browser.ports.length, 2);
  await browser.ports[1].reply({ id: browser.ports[1].sent[0].id, ok: true, result: { agent: "0.1.0" } });
  assert.equal((await next).ok, true);
});

test("a request with no answer times out, and a late answer is ignored", async () => {
  const browser = fakeBrowser();
  const agent = host(browser, { version: 20 });
  const reply = await agent.request("version", {}, { origin: "https://gddt.baohiemxahoi.gov.vn", lang: "vi" });
  assert.equal(reply.error.code, "timeout");
  await browser.ports[0].reply({ id: browser.ports[0].sent[0].id, ok: true, result: {} });
  assert.equal(agent.pending.size, 0);
});

test("an agent error is passed through as the agent localised it", async () => {
  const browser = fakeBrowser();
  const agent = host(browser);
  const reply = agent.request("sign-hash", {}, { origin: "https://gddt.baohiemxahoi.gov.vn", lang: "vi" });
  const error = { code: "user_cancelled", message: "Đã hủy", hint: "Thử lại" };
  await browser.ports[0].reply({ id: browser.ports[0].sent[0].id, ok: false, error });
  assert.deepEqual(await reply, { ok: false, error });
});

test("a chunked reply is reassembled; a corrupt one becomes reply_corrupt", async () => {
  const browser = fakeBrowser();
  const agent = host(browser);
  const good = agent.request("sign-xml", {}, { origin: "https://gddt.baohiemxahoi.gov.vn", lang: "vi" });
  const bad = agent.request("sign-xml", {}, { origin: "https://gddt.baohiemxahoi.gov.vn", lang: "vi" });
  const [g, b] = browser.ports[0].sent.map((m) => m.id);
  const sha256 = await sha256Hex("AAAABBBB");
  await browser.ports[0].reply({ id: g, chunk: { seq: 0, total: 2, field: "xml" }, data: "AAAA" });
  await browser.ports[0].reply({ id: b, chunk: { seq: 1, total: 2, field: "xml", sha256 }, data: "BBBB", result: {} });
  await browser.ports[0].reply({ id: g, chunk: { seq: 1, total: 2, field: "xml", sha256 }, data: "BBBB", result: {} });
  assert.deepEqual(await good, { ok: true, result: { xml: "AAAABBBB" } });
  assert.equal((await bad).error.code, "reply_corrupt");
});

test("a request over the agent's limit is answered message_too_large at once and never sent", async () => {
  const browser = fakeBrowser();
  const agent = host(browser);
  const origin = "https://gddt.baohiemxahoi.gov.vn";
  // ASCII over the limit, and text whose UTF-8 (3 bytes a character) is over it though its
  // length in characters is not.
  for (const certificate of ["A".repeat(MAX_AGENT_REQUEST_BYTES), "ệ".repeat(Math.ceil(MAX_AGENT_REQUEST_BYTES / 3))]) {
    const started = Date.now();
    const reply = await agent.request("sign-hash", { certificate }, { origin, lang: "vi" });
    assert.equal(reply.error.code, "message_too_large");
    assert.equal(reply.error.details.limit, MAX_AGENT_REQUEST_BYTES);
    assert.ok(reply.error.details.size > MAX_AGENT_REQUEST_BYTES, JSON.stringify(reply.error.details));
    assert.match(reply.error.message, new RegExp(`${reply.error.details.size} byte; giới hạn ${MAX_AGENT_REQUEST_BYTES}`));
    assert.match(reply.error.hint, /vss sign-xml/);
    assert.ok(Date.now() - started < 2000);
  }
  assert.equal(browser.ports.length, 0, "nothing reached the agent");
  assert.equal(agent.pending.size, 0);
  // Just under the limit goes to the agent.
  const fits = agent.request("sign-hash", { certificate: "A".repeat(MAX_AGENT_REQUEST_BYTES - 200) }, { origin, lang: "en" });
  assert.equal(browser.ports[0].sent.length, 1);
  await browser.ports[0].reply({ id: browser.ports[0].sent[0].id, ok: true, result: {} });
  assert.equal((await fits).ok, true);
});

test("message sizes are UTF-8 bytes of the JSON", () => {
  assert.equal(serializedSize({ a: "ệ" }), '{"a":""}'.length + 3);
  assert.equal(serializedSize({ a: "😀" }), '{"a":""}'.length + 4);
  assert.equal(isTooLarge(MAX_AGENT_REQUEST_BYTES), false);
  assert.equal(isTooLarge(MAX_AGENT_REQUEST_BYTES + 1), true);
  assert.match(tooLargeReply(9_000_000, "en").error.message, /9000000 bytes; the limit is 8388608/);
});
