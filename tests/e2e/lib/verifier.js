// The demo portal's server: serves the static pages of tests/e2e/portal over https and checks
// what they post, the way the real portal would: the signature must verify against the
// certificate, the certificate must chain to the test CA and be valid now, and the tax code
// (MST) in the certificate must be the one typed in the form.

import { createServer } from "node:https";
import { X509Certificate, createPublicKey, verify } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const PORTAL_DIR = new URL("../portal/", import.meta.url).pathname;
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };
const MAX_BODY = 1024 * 1024;

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

async function readBody(request) {
  let size = 0;
  const parts = [];
  for await (const part of request) {
    size += part.length;
    if (size > MAX_BODY) throw new Error("body too large");
    parts.push(part);
  }
  return JSON.parse(Buffer.concat(parts).toString("utf8"));
}

/** Starts the portal on 127.0.0.1 (random port unless given). Resolves with {port, close,
 * verdicts, registry}; `verdicts` records every answer for tests and demo.sh. */
export async function startPortal({ key, cert, caPem, port = 0 }) {
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
