// The dossier page's pure logic: download paths, certificate choice, verification verdicts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { downloadPath, fromBase64, preselect, safeName, sameUnit, toBase64, verdict } from "../src/dossier/logic.js";

test("signed files go to BHXH/<MST>_<date>/ under their own, safe, name", () => {
  const day = new Date(2026, 11, 1, 9, 30);
  assert.equal(downloadPath("Tờ khai TK1-TS.xml", "0312345678-001", day), "BHXH/0312345678-001_2026-12-01/Tờ khai TK1-TS.xml");
  assert.equal(downloadPath("../../etc/passwd", "0312345678", day), "BHXH/0312345678_2026-12-01/_.._etc_passwd");
  assert.equal(downloadPath("a:b*?.xml", undefined, day), "BHXH/ho-so_2026-12-01/a_b__.xml");
  assert.equal(safeName(" .. "), "ho-so.xml");
});

test("the certificate is preselected only when one fits", () => {
  const cert = (id, mst, valid = true) => ({ id, valid_now: valid, identity: mst ? { mst } : {} });
  assert.equal(preselect([cert("a", "0312345678-001"), cert("b", null), cert("c", "0312345678-001", false)], []), "a");
  const two = [cert("a", "0312345678-001"), cert("b", "0109876543")];
  assert.equal(preselect(two, []), null);
  assert.equal(preselect(two, ["0109876543"]), "b");
  assert.equal(preselect(two, ["0109876543", "0312345678"]), null);
  assert.equal(sameUnit("0312345678-001", "0312345678"), true);
  assert.equal(sameUnit("0312345678", "03123456789"), false);
});

test("base64 round trip of Vietnamese XML", () => {
  const bytes = new TextEncoder().encode("<a>Công ty Ánh Dương</a>".repeat(5000));
  assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
});

test("a changed file, a bad signature value and no signature each say why", () => {
  assert.deepEqual(verdict({ valid: true, signatures: [{ valid: true }], problems: [] }), { valid: true, reasons: [] });
  const changed = { valid: false, signatures: [{ valid: false, signature_value_valid: true, references: [{ digest_valid: false }] }], problems: [] };
  assert.deepEqual(verdict(changed).reasons, [["verifyChanged"]]);
  const value = { valid: false, signatures: [{ valid: false, signature_value_valid: false, references: [{ digest_valid: true }] }], problems: [] };
  assert.deepEqual(verdict(value).reasons, [["verifyBadValue"]]);
  assert.deepEqual(verdict({ valid: false, signatures: [], problems: [{ code: "no_signature", message: "no signature found" }] }).reasons, [["verifyNoSignature"]]);
  // Findings are matched by code, whatever the language of their message.
  const wrapped = { valid: false, signatures: [{ valid: true }], problems: [{ code: "duplicate_id", message: "ID \"data\" xuất hiện nhiều lần", args: { id: "data" } }] };
  assert.deepEqual(verdict(wrapped).reasons, [["verifyDuplicateIds"]]);
  const weak = { valid: true, weak: true, signatures: [{ valid: true, weak: true }], problems: [] };
  assert.deepEqual(verdict(weak), { valid: true, reasons: [["verifyWeak"]] });
});
