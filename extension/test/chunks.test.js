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
