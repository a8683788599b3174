// Chunked replies: reassembled in order, thrown away on a gap, duplicate, wrong digest or size.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ChunkAssembler, ChunkError, sha256Hex } from "../src/background/chunks.js";

async function parts(value, size, { extra = { xml: undefined }, digest } = {}) {
  const pieces = [];
  for (let i = 0; i < value.length; i += size) pieces.push(value.slice(i, i + size));
  const sha = digest ?? (await sha256Hex(value));
  return pieces.map((data, seq) => {
    const last = seq === pieces.length - 1;
    const chunk = { seq, total: pieces.length, field: "xml" };
    if (last) chunk.sha256 = sha;
    return last ? { id: "x1", chunk, data, result: { ...extra, note: "rest" } } : { id: "x1", chunk, data };
  });
}

test("a reply in three parts is put back together with the rest of the result", async () => {
  const assembler = new ChunkAssembler("x1");
  const messages = await parts("QUJDREVGR0hJSktM", 6);
  assert.equal(messages.length, 3);
  assert.equal(await assembler.add(messages[0]), null);
  assert.equal(await assembler.add(messages[1]), null);
  const reply = await assembler.add(messages[2]);
  assert.deepEqual(reply, { id: "x1", ok: true, result: { note: "rest", xml: "QUJDREVGR0hJSktM" } });
});

test("a missing part discards the reply", async () => {
  const assembler = new ChunkAssembler("x1");
  const messages = await parts("QUJDREVGR0hJSktM", 6);
  await assembler.add(messages[0]);
  await assert.rejects(assembler.add(messages[2]), ChunkError);
});

test("a repeated part discards the reply", async () => {
  const assembler = new ChunkAssembler("x1");
  const messages = await parts("QUJDREVGR0hJSktM", 6);
  await assembler.add(messages[0]);
  await assert.rejects(assembler.add(messages[0]), /duplicate/);
});

test("a digest that does not match the data discards the reply", async () => {
  const assembler = new ChunkAssembler("x1");
  const messages = await parts("QUJDREVGR0hJSktM", 6, { digest: "00".repeat(32) });
  await assembler.add(messages[0]);
  await assembler.add(messages[1]);
  await assert.rejects(assembler.add(messages[2]), /digest/);
});

test("a reply larger than the cap is refused before it is complete", async () => {
  const assembler = new ChunkAssembler("x1", { maxChars: 10 });
  const messages = await parts("QUJDREVGR0hJSktM", 6);
  await assembler.add(messages[0]);
  await assert.rejects(assembler.add(messages[1]), /over 10/);
});

test("parts that disagree on the total are refused", async () => {
  const assembler = new ChunkAssembler("x1");
  const messages = await parts("QUJDREVGR0hJSktM", 6);
  await assembler.add(messages[0]);
  await assert.rejects(assembler.add({ ...messages[1], chunk: { ...messages[1].chunk, total: 5 } }), /disagree/);
});

/** Parts of a whole-result reply ("$"), as the agent sends a batch reply. */
async function wholeParts(result, size, digest) {
  const text = JSON.stringify(result);
  const pieces = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  const sha = digest ?? (await sha256Hex(text));
  return pieces.map((data, seq) => {
    const chunk = { seq, total: pieces.length, field: "$" };
    if (seq === pieces.length - 1) chunk.sha256 = sha;
    return { id: "x1", chunk, data };
  });
}

test("a batch reply chunked as a whole result is parsed back, Vietnamese names intact", async () => {
  const result = {
    documents: [
      { name: "Tờ khai \"TK1\".xml", ok: true, form: "TK1-TS", xml: "PD94bWwg".repeat(50) },
      { name: "D02.xml", ok: false, error: { code: "xml_malformed", message: "Tệp hỏng", hint: "Xuất lại" } },
    ],
  };
  const messages = await wholeParts(result, 37);
  assert.ok(messages.length > 5);
  const assembler = new ChunkAssembler("x1");
  let reply = null;
  for (const m of messages) reply = await assembler.add(m);
  assert.deepEqual(reply, { id: "x1", ok: true, result });
});

test("a whole-result reply with a wrong digest or a gap is discarded", async () => {
  const result = { documents: [{ name: "a.xml", ok: true, xml: "QUJD".repeat(40) }] };
  const bad = await wholeParts(result, 50, "00".repeat(32));
  const a = new ChunkAssembler("x1");
  for (const m of bad.slice(0, -1)) await a.add(m);
  await assert.rejects(a.add(bad.at(-1)), ChunkError);
  const gap = await wholeParts(result, 50);
  const b = new ChunkAssembler("x1");
  await b.add(gap[0]);
  await assert.rejects(b.add(gap[2]), ChunkError);
});
