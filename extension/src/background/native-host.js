// The one native-messaging port to vss-agent: sends requests with the extension's own ids,
// matches replies (whole or chunked) to them, times them out, and reconnects on the next
// request after the agent exits. Every request resolves exactly once with a reply envelope
// `{ok: true, result}` or `{ok: false, error: {code, message, hint}}`; it never rejects. A
// request larger than the agent accepts is answered `message_too_large` without being sent.

import { COMMAND_TIMEOUT_MS, NATIVE_HOST_NAME } from "../config.js";
import { ChunkAssembler, ChunkError, isChunk } from "./chunks.js";
import { extensionError } from "./errors.js";
import { isTooLarge, serializedSize, tooLargeReply } from "./message-size.js";

/** Chrome's messages when the host cannot be started at all (not registered, not allowed for
 * this extension, or its program missing). Anything else after a start is a disconnect. */
const NOT_INSTALLED = [/not found/i, /forbidden/i, /failed to start/i];

export class NativeHost {
  /**
   * @param {object} deps
   * @param {(name: string) => chrome.runtime.Port} deps.connect  chrome.runtime.connectNative
   * @param {() => string | undefined} deps.lastError  chrome.runtime.lastError?.message
   * @param {object} [deps.timeouts]  per-command milliseconds (COMMAND_TIMEOUT_MS)
   */
  constructor({ connect, lastError, timeouts = COMMAND_TIMEOUT_MS, hostName = NATIVE_HOST_NAME }) {
    this.connect = connect;
    this.lastError = lastError;
    this.timeouts = timeouts;
    this.hostName = hostName;
    this.port = null;
    this.pending = new Map();
    this.sequence = 0;
  }

  /** Sends `command` for `origin`; resolves with the reply envelope (never rejects). */
  request(command, args, { origin, lang }) {
    const id = `x${++this.sequence}`;
    return new Promise((resolve) => {
      const timeout = this.timeouts[command] ?? 30_000;
      const entry = { resolve, lang, assembler: null };
      entry.timer = setTimeout(() => this.finish(id, { ok: false, error: extensionError("timeout", lang) }), timeout);
      this.pending.set(id, entry);
      const message = { id, command, lang, arguments: args ?? {} };
      if (origin !== undefined) message.origin = origin;
      const size = serializedSize(message);
      if (isTooLarge(size)) {
        this.finish(id, tooLargeReply(size, lang));
        return;
      }
      try {
        this.ensurePort().postMessage(message);
      } catch {
        this.finish(id, { ok: false, error: extensionError("native_unavailable", lang) });
      }
    });
  }

  ensurePort() {
    if (this.port !== null) return this.port;
    const port = this.connect(this.hostName);
    this.port = port;
    port.onMessage.addListener((message) => this.onMessage(message));
    port.onDisconnect.addListener(() => this.onDisconnect(port));
    return port;
  }

  async onMessage(message) {
    if (message === null || typeof message !== "object" || typeof message.id !== "string") return;
    const entry = this.pending.get(message.id);
    if (entry === undefined) return; // timed out or unknown: late replies are dropped
    if (!isChunk(message)) {
      if (entry.assembler !== null) {
        this.finish(message.id, { ok: false, error: extensionError("reply_corrupt", entry.lang) });
      } else if (message.ok === true) {
        this.finish(message.id, { ok: true, result: message.result ?? {} });
      } else {
        this.finish(message.id, { ok: false, error: message.error ?? extensionError("reply_corrupt", entry.lang) });
      }
      return;
    }
    entry.assembler ??= new ChunkAssembler(message.id);
    try {
      const reply = await entry.assembler.add(message);
      if (reply !== null) this.finish(message.id, { ok: true, result: reply.result });
    } catch (error) {
      if (!(error instanceof ChunkError)) throw error;
      this.finish(message.id, { ok: false, error: extensionError("reply_corrupt", entry.lang, { reason: error.message }) });
    }
  }

  onDisconnect(port) {
    const reason = this.lastError() ?? "disconnected";
    if (port !== this.port) return;
    this.port = null;
    const code = NOT_INSTALLED.some((pattern) => pattern.test(reason)) ? "native_unavailable" : "native_disconnected";
    for (const [id, entry] of this.pending) {
      this.finish(id, { ok: false, error: extensionError(code, entry.lang, { reason }) });
    }
  }

  finish(id, reply) {
    const entry = this.pending.get(id);
    if (entry === undefined) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(reply);
  }
}
