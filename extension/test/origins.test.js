// The origins the service worker derives from what the browser says, in Chrome and in Firefox.

import assert from "node:assert/strict";
import { test } from "node:test";

import { extensionOrigin, senderOrigin } from "../src/background/origins.js";

test("the extension's own pages are named by its id, per browser", () => {
  assert.equal(extensionOrigin("aljobffeainbeaoomgcjaebgogaandcp"), "chrome-extension://aljobffeainbeaoomgcjaebgogaandcp");
  assert.equal(extensionOrigin("token-signing@vss.vn", "moz-extension:"), "moz-extension://token-signing@vss.vn");
});

test("a sender's origin comes from sender.origin, else from sender.url (Firefox)", () => {
  assert.equal(senderOrigin({ origin: "https://gddt.baohiemxahoi.gov.vn", url: "https://evil.example/" }), "https://gddt.baohiemxahoi.gov.vn");
  assert.equal(senderOrigin({ url: "https://gddt.baohiemxahoi.gov.vn/dang-ky?x=1" }), "https://gddt.baohiemxahoi.gov.vn");
  assert.equal(senderOrigin({}), undefined);
});
