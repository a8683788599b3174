// The service worker takes dossier commands only from the dossier page, in their expected shape.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dossierArguments, isDossierSender } from "../src/background/dossier-requests.js";

const ID = "aljobffeainbeaoomgcjaebgogaandcp";
const BASE = `chrome-extension://${ID}/`;

test("only the dossier page of this extension is a dossier sender", () => {
  assert.equal(isDossierSender({ id: ID, url: `${BASE}src/dossier/dossier.html` }, ID, BASE), true);
  assert.equal(isDossierSender({ id: ID, url: `${BASE}src/dossier/dossier.html#verify` }, ID, BASE), true);
  assert.equal(isDossierSender({ id: ID, url: `${BASE}src/popup/popup.html` }, ID, BASE), false);
  assert.equal(isDossierSender({ id: ID, url: "https://gddt.baohiemxahoi.gov.vn/src/dossier/dossier.html" }, ID, BASE), false);
  assert.equal(isDossierSender({ id: "b".repeat(32), url: `${BASE}src/dossier/dossier.html` }, ID, BASE), false);
  assert.equal(isDossierSender({ id: ID, url: `${BASE}src/dossier/dossier.html`, tab: { id: 1 }, frameId: 3 }, ID, BASE), false);
  assert.equal(isDossierSender({ id: ID }, ID, BASE), false);
  assert.equal(isDossierSender(null, ID, BASE), false);
});

test("the batch form only: a single-document sign-xml or sign-hash is never passed on", () => {
  const documents = [{ name: "a.xml", xml: "PGEvPg==" }];
  assert.deepEqual(dossierArguments("sign-xml", { certificate: "c", documents, parent: "x" }), { certificate: "c", documents });
  assert.equal(dossierArguments("sign-xml", { certificate: "c", xml: "PGEvPg==" }), null);
  assert.equal(dossierArguments("sign-hash", { certificate: "c", hash: "", hash_algorithm: "SHA-256" }), null);
  assert.equal(dossierArguments("status", {}), null);
  assert.deepEqual(dossierArguments("summarize-xml", { documents }), { documents });
  assert.equal(dossierArguments("summarize-xml", { documents: [{ name: 1 }] }), null);
  assert.deepEqual(dossierArguments("verify-xml", { xml: "PGEvPg==" }), { xml: "PGEvPg==" });
  assert.deepEqual(dossierArguments("list-certificates", {}), { filter: { include_expired: false } });
});
