// Turns what a page asked for (the arguments of window.vssTokenSigning and window.TokenSigning
// calls, as relayed by the content script) into agent commands of protocol v1, refusing
// malformed input before it reaches the agent. Pure functions: no chrome.* here.

import {
  HASH_LENGTHS,
  LANGUAGES,
  DEFAULT_LANGUAGE,
  MAX_DOCUMENT_TEXT_CHARS,
  MAX_PAGE_ID_CHARS,
} from "../config.js";

/** A page request that cannot be turned into a command; `code` is the error to answer. */
export class PageRequestError extends Error {
  constructor(code, reason) {
    super(reason);
    this.code = code;
  }
}

const bad = (reason) => new PageRequestError("bad_request", reason);

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** The language to answer in: the page's choice when we speak it, else Vietnamese. */
export function pageLanguage(lang) {
  if (typeof lang !== "string") return DEFAULT_LANGUAGE;
  const base = lang.toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.includes(base) ? base : DEFAULT_LANGUAGE;
}

/** A page's request id is echoed back only to that page; it must be a short string or number. */
export function isValidPageId(id) {
  return (typeof id === "string" && id.length > 0 && id.length <= MAX_PAGE_ID_CHARS) || Number.isSafeInteger(id);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

// Dossiers are megabytes: the native Uint8Array base64 methods when the browser has them
// (Chrome 140+), else plain loops (a mapping Uint8Array.from is ~20× slower on 3 MiB).
export function base64ToBytes(text) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesToBase64(bytes) {
  if (typeof bytes.toBase64 === "function") return bytes.toBase64();
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x1000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x1000));
  }
  return btoa(binary);
}

export function hexToBytes(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
  return bytes;
}

export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Canonical hash algorithm name (`SHA-256`) for `sha256`, `SHA256`, `sha-256`, …, or null. */
export function hashAlgorithmName(name) {
  if (typeof name !== "string") return null;
  const digits = name.toUpperCase().replace(/[-_\s]/g, "").replace(/^SHA/, "");
  const canonical = `SHA-${digits}`;
  return canonical in HASH_LENGTHS ? canonical : null;
}

/** Checks a hash (bytes) against its algorithm: unknown algorithm or wrong length throw. */
export function checkHash(algorithm, bytes) {
  const name = hashAlgorithmName(algorithm ?? "SHA-256");
  if (name === null) throw new PageRequestError("unsupported_algorithm", `hash algorithm ${algorithm}`);
  if (bytes.length !== HASH_LENGTHS[name]) {
    throw new PageRequestError(
      "hash_length_mismatch",
      `${name} hash must be ${HASH_LENGTHS[name]} bytes, got ${bytes.length}`,
    );
  }
  return name;
}

function documentInfo(document) {
  if (document === undefined || document === null) return undefined;
  if (typeof document === "string") document = { title: document };
  if (!isObject(document)) throw bad("document must be {title, description}");
  const info = {};
  for (const key of ["title", "description"]) {
    const value = document[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string") throw bad(`document.${key} must be a string`);
    info[key] = value.slice(0, MAX_DOCUMENT_TEXT_CHARS);
  }
  return info;
}

function optionalMst(mst) {
  if (mst === undefined || mst === null || mst === "") return undefined;
  if (typeof mst !== "string" || !/^[0-9]{10}(-[0-9]{3})?$/.test(mst.trim())) {
    throw bad("mst must be a 10-digit tax code, optionally with a -NNN branch suffix");
  }
  return mst.trim();
}

/** The `certificate` argument: a Certificate object (its id), an id (hex) or base64 DER. */
function certificateRef(certificate) {
  if (isObject(certificate) && typeof certificate.id === "string") certificate = certificate.id;
  if (typeof certificate !== "string" || certificate === "") {
    throw bad("certificate must be a certificate id, base64 DER or a certificate object");
  }
  if (!/^[0-9a-f]{64}$/.test(certificate) && !BASE64.test(certificate)) {
    throw bad("certificate must be a certificate id or base64 DER");
  }
  return certificate;
}

function filterArguments(filter) {
  if (filter === undefined || filter === null || typeof filter === "string") return {};
  if (!isObject(filter)) throw bad("filter must be an object");
  const out = {};
  const mst = optionalMst(filter.mst);
  if (mst !== undefined) out.mst = mst;
  const includeExpired = filter.includeExpired ?? filter.include_expired;
  if (includeExpired !== undefined) {
    if (typeof includeExpired !== "boolean") throw bad("includeExpired must be true or false");
    out.include_expired = includeExpired;
  }
  return out;
}

function withoutUndefined(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

/** Agent `list-certificates` arguments from a page's filter. */
export function listCertificatesArguments(filter) {
  return { filter: filterArguments(filter) };
}

/** Agent `sign-hash` arguments from `vssTokenSigning.signHash({...})`. */
export function signHashArguments(args) {
  if (!isObject(args)) throw bad("signHash takes {certificate, hash, hashAlgorithm}");
  if (typeof args.hash !== "string" || !BASE64.test(args.hash) || args.hash.length === 0) {
    throw bad("hash must be base64");
  }
  const algorithm = checkHash(args.hashAlgorithm, base64ToBytes(args.hash));
  if (args.padding !== undefined && args.padding !== "pkcs1" && args.padding !== "pss") {
    throw bad("padding must be pkcs1 or pss");
  }
  return withoutUndefined({
    certificate: certificateRef(args.certificate),
    hash: args.hash,
    hash_algorithm: algorithm,
    padding: args.padding,
    document: documentInfo(args.document),
    mst: optionalMst(args.mst),
  });
}

/** Agent `sign-xml` arguments from `vssTokenSigning.signXml({...})`; `xml` is the XML text. */
export function signXmlArguments(args) {
  if (!isObject(args)) throw bad("signXml takes {certificate, xml, parent, document}");
  if (typeof args.xml !== "string" || args.xml.length === 0) throw bad("xml must be the XML text");
  // Too large for the agent once in base64: NativeHost answers message_too_large with the size.
  const xml = bytesToBase64(new TextEncoder().encode(args.xml));
  if (args.parent !== undefined && typeof args.parent !== "string") throw bad("parent must be an element name");
  const signatureId = args.signatureId ?? args.signature_id;
  if (signatureId !== undefined && typeof signatureId !== "string") throw bad("signatureId must be a string");
  const signingTime = args.signingTime ?? args.signing_time;
  if (signingTime !== undefined && typeof signingTime !== "boolean") throw bad("signingTime must be true or false");
  const digest = args.digest === undefined ? undefined : hashAlgorithmName(args.digest);
  if (digest === null) throw new PageRequestError("unsupported_algorithm", `digest ${args.digest}`);
  return withoutUndefined({
    certificate: certificateRef(args.certificate),
    xml,
    parent: args.parent,
    digest,
    signature_id: signatureId,
    signing_time: signingTime,
    document: documentInfo(args.document),
  });
}

/** The page's view of a `sign-xml` result: the signed XML as text. */
export function signXmlResult(result) {
  return { ...result, xml: new TextDecoder().decode(base64ToBytes(result.xml)) };
}

/** Checks TokenSigning's `sign(cert, {type, hex}, ...)` hash argument; returns the algorithm
 * name and the hash as base64. Unlike the original, the type must match the hash length. */
export function legacyHash(hash) {
  if (!isObject(hash) || typeof hash.hex !== "string" || !HEX.test(hash.hex) || hash.hex === "") {
    throw bad("hash must be {type, hex}");
  }
  const bytes = hexToBytes(hash.hex);
  const algorithm = checkHash(hash.type ?? "SHA-256", bytes);
  return { algorithm, base64: bytesToBase64(bytes) };
}

/** Checks TokenSigning's certificate argument `{hex}`; returns the DER hex in lowercase. */
export function legacyCertificateHex(cert) {
  if (!isObject(cert) || typeof cert.hex !== "string" || !HEX.test(cert.hex) || cert.hex === "") {
    throw bad("certificate must be {hex} as returned by getCertificate");
  }
  return cert.hex.toLowerCase();
}

/** TokenSigning's `info` (what the page says is being signed) as a document title. */
export function legacyDocument(info) {
  if (typeof info !== "string" || info === "") return undefined;
  return { title: info.slice(0, MAX_DOCUMENT_TEXT_CHARS) };
}
