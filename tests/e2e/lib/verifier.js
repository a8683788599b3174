// The demo portal's server: serves the static pages of tests/e2e/portal over https and checks
// what they post, the way the real portal would: the signature must verify against the
// certificate, the certificate must chain to the test CA and be valid now, and the tax code
// (MST) in the certificate must be the one typed in the form. Signed dossiers (XML) are
// verified by xmlsec1 against the test CA, and the signer's MST must be the dossier's MaSoThue.

import { execFile } from "node:child_process";
import { createServer } from "node:https";
import { X509Certificate, createPublicKey, verify } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { promisify } from "node:util";

const PORTAL_DIR = new URL("../portal/", import.meta.url).pathname;
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };
const MAX_BODY = 1024 * 1024;
/** Signed dossiers: the agent takes up to ~6 MiB of XML from a page (DESIGN §2). */
const MAX_XML_BODY = 16 * 1024 * 1024;
const XMLSEC1 = process.env.XMLSEC1 ?? "xmlsec1";
const run = promisify(execFile);

/** Every `MST:…` in the subject (UID entries, or O for some CAs). */
export function certificateMsts(certificate) {
  return [...certificate.subject.matchAll(/MST:([0-9]{10}(?:-[0-9]{3})?)/g)].map((m) => m[1]);
}

const HASHES = { "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };

/** The verdict on one signed form: `{ok: true, ...}` or `{ok: false, reason, detail}`. */
export function verifySubmission(body, { ca, registry, now = new Date() }) {
  const refuse = (reason, detail) => ({ ok: false, reason, detail });
  if (typeof body?.document !== "string" || typeof body.certificate !== "string" || typeof body.signature !== "string") {
    return refuse("bad_request", "document, certificate and signature are required");
  }
  let form;
  try {
    form = JSON.parse(body.document);
  } catch {
    return refuse("bad_request", "the signed document is not JSON");
  }
  let certificate;
  try {
    certificate = new X509Certificate(Buffer.from(body.certificate, "base64"));
  } catch {
    return refuse("bad_certificate", "the certificate cannot be read");
  }
  const algorithm = HASHES[body.hashAlgorithm ?? "SHA-256"];
  if (algorithm === undefined) return refuse("bad_request", `hash algorithm ${body.hashAlgorithm}`);
  const signatureValid = verify(algorithm, Buffer.from(body.document, "utf8"), createPublicKey(certificate.publicKey.export({ type: "spki", format: "pem" })), Buffer.from(body.signature, "base64"));
  if (!signatureValid) return refuse("bad_signature", "the signature does not match the document and certificate");
  if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) {
    return refuse("untrusted_certificate", "the certificate was not issued by the (test) CA");
  }
  if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo)) {
    return refuse("certificate_expired", `valid ${certificate.validFrom} – ${certificate.validTo}`);
  }
  const msts = certificateMsts(certificate);
  if (!msts.includes(form.mst)) {
    return refuse("mst_mismatch", `form MST ${form.mst}, certificate MST ${msts.join(", ") || "none"}`);
  }
  const fingerprint = certificate.fingerprint256;
  const holder = (certificate.subject.match(/^CN=(.*)$/m) ?? [])[1] ?? "";
  if (form.flow === "change-certificate") {
    const previous = registry.get(form.mst);
    if (previous === undefined) return refuse("unit_not_registered", `no unit with MST ${form.mst} is registered`);
    if (previous.fingerprint === fingerprint) return refuse("same_certificate", "this certificate is already the registered one");
    registry.set(form.mst, { fingerprint, serial: certificate.serialNumber, unitName: form.unitName });
    return { ok: true, verdict: "certificate_changed", mst: form.mst, holder, serial: certificate.serialNumber, previousSerial: previous.serial };
  }
  registry.set(form.mst, { fingerprint, serial: certificate.serialNumber, unitName: form.unitName });
  return { ok: true, verdict: "registered", mst: form.mst, holder, serial: certificate.serialNumber };
}

/** The text of every `<name>` element outside the XML signature (no namespace prefixes in
 * the demo's forms). */
function elementTexts(xml, name) {
  const unsigned = xml.replace(/<(\w+:)?Signature[\s>][\s\S]*?<\/(\w+:)?Signature>/g, "");
  return [...unsigned.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, "g"))].map((m) => m[1].trim());
}

/** The verdict on one signed dossier: xmlsec1 verifies the enveloped signature with the
 * certificate in KeyInfo and its chain to the test CA; the signer's MST must be MaSoThue. */
export async function verifyDossier(xml, { caPath, ca, now = new Date() }) {
  const refuse = (reason, detail) => ({ ok: false, reason, detail });
  if (/<!DOCTYPE/i.test(xml)) return refuse("bad_request", "a dossier must not carry a DOCTYPE");
  const signatures = xml.match(/<(\w+:)?Signature[\s>]/g) ?? [];
  if (signatures.length !== 1) return refuse("bad_signature", `${signatures.length} signatures, expected 1`);
  const certificates = [...xml.matchAll(/<(?:\w+:)?X509Certificate>([^<]+)<\/(?:\w+:)?X509Certificate>/g)];
  if (certificates.length !== 1) return refuse("bad_certificate", `${certificates.length} certificates in KeyInfo`);
  let certificate;
  try {
    certificate = new X509Certificate(Buffer.from(certificates[0][1].replace(/\s+/g, ""), "base64"));
  } catch {
    return refuse("bad_certificate", "the KeyInfo certificate cannot be read");
  }
  const dir = await mkdtemp(join(tmpdir(), "vss-dossier-"));
  const started = performance.now();
  let xmlsec;
  try {
    await writeFile(join(dir, "signed.xml"), xml);
    xmlsec = await run(XMLSEC1, ["--verify", "--trusted-pem", caPath, join(dir, "signed.xml")]).then(
      (r) => ({ ok: true, output: `${r.stdout}${r.stderr}` }),
      (e) => ({ ok: false, output: `${e.stdout ?? ""}${e.stderr ?? e.message}` }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const xmlsecMs = Math.round(performance.now() - started);
  if (!xmlsec.ok) return refuse("bad_signature", `xmlsec1: ${xmlsec.output.trim().split("\n").slice(-3).join(" | ")}`);
  if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) {
    return refuse("untrusted_certificate", "the certificate was not issued by the (test) CA");
  }
  if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo)) {
    return refuse("certificate_expired", `valid ${certificate.validFrom} – ${certificate.validTo}`);
  }
  const [taxCodes, forms] = [elementTexts(xml, "MaSoThue"), elementTexts(xml, "MaThuTuc")];
  if (taxCodes.length !== 1) return refuse("bad_request", `${taxCodes.length} MaSoThue elements`);
  const msts = certificateMsts(certificate);
  if (!msts.includes(taxCodes[0])) {
    return refuse("mst_mismatch", `dossier MaSoThue ${taxCodes[0]}, certificate MST ${msts.join(", ") || "none"}`);
  }
  const holder = (certificate.subject.match(/^CN=(.*)$/m) ?? [])[1] ?? "";
  return { ok: true, verdict: "dossier_accepted", form: forms[0] ?? "?", mst: taxCodes[0], signerMst: msts[0], holder, serial: certificate.serialNumber, bytes: Buffer.byteLength(xml), xmlsecMs, xmlsec: xmlsec.output.trim() };
}

async function readRaw(request, limit) {
  let size = 0;
  const parts = [];
  for await (const part of request) {
    size += part.length;
    if (size > limit) throw new Error("body too large");
    parts.push(part);
  }
  return Buffer.concat(parts).toString("utf8");
}

async function readBody(request) {
  return JSON.parse(await readRaw(request, MAX_BODY));
}

/** Starts the portal on 127.0.0.1 (random port unless given). Resolves with {port, close,
 * verdicts, registry}; `verdicts` records every answer for tests and demo.sh. */
export async function startPortal({ key, cert, caPem, caPath, port = 0 }) {
  const ca = new X509Certificate(caPem);
  const registry = new Map();
  const verdicts = [];
  const server = createServer({ key, cert }, async (request, response) => {
    const url = new URL(request.url, "https://portal.invalid");
    const send = (status, type, body) => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      response.end(body);
    };
    try {
      if (request.method === "POST" && url.pathname === "/api/submit") {
        const verdict = verifySubmission(await readBody(request), { ca, registry });
        verdicts.push({ host: request.headers.host, ...verdict });
        send(200, "application/json", JSON.stringify(verdict));
        return;
      }
      if (request.method === "POST" && url.pathname === "/api/submit-xml") {
        const verdict = await verifyDossier(await readRaw(request, MAX_XML_BODY), { caPath, ca });
        verdicts.push({ host: request.headers.host, ...verdict });
        send(200, "application/json", JSON.stringify(verdict));
        return;
      }
      if (request.method !== "GET") return send(405, "text/plain", "method not allowed");
      const path = normalize(url.pathname === "/" ? "/index.html" : url.pathname);
      if (path.includes("..")) return send(404, "text/plain", "not found");
      const file = join(PORTAL_DIR, path);
      send(200, TYPES[extname(file)] ?? "application/octet-stream", await readFile(file));
    } catch (error) {
      if (error.code === "ENOENT") return send(404, "text/plain", "not found");
      send(400, "application/json", JSON.stringify({ ok: false, reason: "bad_request", detail: error.message }));
    }
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    verdicts,
    registry,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
