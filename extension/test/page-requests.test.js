// What a page may ask: arguments are checked and mapped to agent commands before they leave
// the browser; TokenSigning's hash type must match the hash length.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  PageRequestError,
  legacyHash,
  listCertificatesArguments,
  pageLanguage,
  signHashArguments,
  signXmlArguments,
  signXmlResult,
} from "../src/background/page-requests.js";
import { originRefusal, adminOrigins, normalizeOrigin } from "../src/background/origins.js";

const HASH32 = Buffer.alloc(32, 7).toString("base64");

test("signHash maps to sign-hash with the agent's field names", () => {
  const args = signHashArguments({
    certificate: { id: "a".repeat(64) },
    hash: HASH32,
    hashAlgorithm: "sha256",
    document: { title: "Đăng ký", description: "Tờ khai" },
    mst: "0312345678-001",
  });
  assert.deepEqual(args, {
    certificate: "a".repeat(64),
    hash: HASH32,
    hash_algorithm: "SHA-256",
    document: { title: "Đăng ký", description: "Tờ khai" },
    mst: "0312345678-001",
  });
});

test("a SHA-384 label on a 32-byte hash is refused before the agent", () => {
  assert.throws(
    () => signHashArguments({ certificate: "a".repeat(64), hash: HASH32, hashAlgorithm: "SHA-384" }),
    (e) => e instanceof PageRequestError && e.code === "hash_length_mismatch",
  );
});

test("TokenSigning's {type, hex} is checked against the hash length", () => {
  assert.deepEqual(legacyHash({ type: "SHA-256", hex: "07".repeat(32) }), { algorithm: "SHA-256", base64: HASH32 });
  assert.throws(() => legacyHash({ type: "SHA-512", hex: "07".repeat(32) }), /SHA-512 hash must be 64 bytes/);
  assert.throws(() => legacyHash({ type: "MD5", hex: "07".repeat(16) }), (e) => e.code === "unsupported_algorithm");
  assert.throws(() => legacyHash({ type: "SHA-256", hex: "xyz" }), (e) => e.code === "bad_request");
});

test("a malformed tax code in a filter is a bad request", () => {
  assert.deepEqual(listCertificatesArguments({ mst: "0312345678-001", includeExpired: true }), {
    filter: { mst: "0312345678-001", include_expired: true },
  });
  assert.deepEqual(listCertificatesArguments("SIGN"), { filter: {} });
  assert.throws(() => listCertificatesArguments({ mst: "abc" }), (e) => e.code === "bad_request");
});

test("signXml sends base64 of the UTF-8 text and gives the signed text back", () => {
  const args = signXmlArguments({ certificate: "a".repeat(64), xml: "<Hồ>sơ</Hồ>", parent: "Cky" });
  assert.equal(Buffer.from(args.xml, "base64").toString("utf8"), "<Hồ>sơ</Hồ>");
  assert.equal(args.parent, "Cky");
  assert.deepEqual(signXmlResult({ xml: args.xml }), { xml: "<Hồ>sơ</Hồ>" });
});

test("languages other than Vietnamese and English fall back to Vietnamese", () => {
  assert.equal(pageLanguage("en-US"), "en");
  assert.equal(pageLanguage("fr"), "vi");
  assert.equal(pageLanguage(undefined), "vi");
});

test("only the BHXH portals and granted admin origins over https may call", () => {
  assert.equal(originRefusal("https://gddt.baohiemxahoi.gov.vn"), null);
  assert.equal(originRefusal("https://dichvucong.baohiemxahoi.gov.vn"), null);
  assert.equal(originRefusal("https://evil.example"), "origin_not_allowed");
  assert.equal(originRefusal("http://gddt.baohiemxahoi.gov.vn"), "insecure_origin");
  assert.equal(originRefusal("null"), "insecure_origin");
  assert.equal(originRefusal(undefined), "insecure_origin");
  assert.equal(originRefusal("https://ke-khai.example.vn", ["https://ke-khai.example.vn"]), null);
});

test("administrator origins must be plain https origins", () => {
  assert.equal(normalizeOrigin("https://Portal.Example.vn/"), "https://portal.example.vn");
  assert.equal(normalizeOrigin("https://portal.example.vn/path"), null);
  assert.equal(normalizeOrigin("http://portal.example.vn"), null);
  assert.equal(normalizeOrigin("https://*.example.vn"), null);
  assert.deepEqual(adminOrigins(["https://a.example.vn", "https://a.example.vn/", "ftp://x", "https://gddt.baohiemxahoi.gov.vn"]), [
    "https://a.example.vn",
  ]);
});

test("base64 round trip of a few MiB, every byte value, without native helpers too", async () => {
  const { base64ToBytes, bytesToBase64 } = await import("../src/background/page-requests.js");
  const bytes = new Uint8Array(3 * 1024 * 1024 + 1).map((_, i) => (i * 31 + (i >> 8)) & 0xff);
  const text = bytesToBase64(bytes);
  assert.equal(text, Buffer.from(bytes).toString("base64"));
  assert.deepEqual(base64ToBytes(text), new Uint8Array(bytes));
  assert.deepEqual(base64ToBytes(""), new Uint8Array(0));
});
