#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets into fuzz/seeds/<target>/ from the test vectors,
the XML corpus and a few hand-made inputs (run again after changing them; the output is
committed). scripts/fuzz.sh copies the seeds into the working corpus before a run."""

import glob
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "seeds")
sys.path.insert(0, os.path.join(ROOT, "tests", "c14n-diff"))


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return f.read()


shutil.rmtree(OUT, ignore_errors=True)

# --- XML: the corpus, the W3C C14N examples, the XMLDSig vectors, generated documents
xml_files = sorted(glob.glob(os.path.join(ROOT, "tests/xml-corpus/*.xml"))
                   + glob.glob(os.path.join(ROOT, "tests/vectors/c14n/*/*.xml")))
for p in xml_files:
    put("xml_c14n", os.path.relpath(p, ROOT).replace("/", "_"), read(p))
for p in sorted(glob.glob(os.path.join(ROOT, "tests/vectors/xmldsig/*.xml"))) + [
        os.path.join(ROOT, "tests/xml-corpus/tk1-ts-signed-by-xmlsec1.xml")]:
    put("xml_verify", os.path.basename(p), read(p))
try:
    import diff  # tests/c14n-diff/diff.py: its generator, fixed seed
    gen = diff.Gen(random.Random("fuzz-seeds"))
    for i in range(60):
        put("xml_c14n", "generated-%02d.xml" % i, gen.document())
except ImportError as e:  # lxml missing: the generated seeds are skipped
    print("no generated XML seeds:", e, file=sys.stderr)

# --- certificates: DER as the token and KeyInfo give them, identity lines
put("certificate", "test-rsa-2048-cert.der", read("tests/xml-corpus/keys/test-rsa-2048-cert.der"))
pem = read("tests/vectors/xmldsig/cacert.pem")
der = subprocess.run(["openssl", "x509", "-outform", "DER"], input=pem, capture_output=True).stdout
if der:
    put("certificate", "cacert.der", der)
put("certificate", "subject.txt", "UID=MST:0101234567-001\nUID=CCCD:001099012345\nCN=C\u00f4ng ty A\nO=MST:0312345678\n")
put("certificate", "reference.txt", "sha256:" + "ab" * 32)

# --- config: the packaged machine file, every key set
put("config", "debian-config.toml", read("installer/debian/config.toml"))
put("config", "all-keys.toml", '''lock = false
allowed_origins = ["https://portal.example.vn", "http://localhost:8080"]
hash_signing_origins = ["https://portal.example.vn"]
modules = ["/usr/lib/softhsm/libsofthsm2.so"]
pinentry = "/usr/bin/pinentry-gnome3"
dialog_timeout_seconds = 120
lang = "vi"

[serve]
port = 15203

[tray]
autostart = true
''')

# --- requests: one per command
requests = [
    {"id": "1", "command": "version"},
    {"id": "2", "command": "status", "lang": "en"},
    {"id": "3", "command": "list-certificates", "arguments": {"filter": {"mst": "0101234567"}}},
    {"id": "4", "command": "sign-hash", "origin": "https://portal.example.vn",
     "arguments": {"certificate": "sha256:" + "ab" * 32, "hash": "q" * 43 + "=",
                   "hash_algorithm": "sha256", "padding": "pkcs1",
                   "document": {"name": "a.pdf", "description": "x"}, "mst": "0101234567"}},
    {"id": "5", "command": "sign-xml", "arguments": {"certificate": "c", "xml": "PFRLMS1UUz48L1RLMS1UUz4=",
                                                   "parent": "TK1-TS", "digest": "sha256", "c14n": "c14n10",
                                                   "signature_id": "sig", "signing_time": True}},
    {"id": "6", "command": "sign-xml", "arguments": {"certificate": "c", "documents": [
        {"name": "h\u1ed3 s\u01a1.xml", "xml": "PGEvPg=="}, {"name": "b.xml", "xml": "PGIvPg=="}]}},
    {"id": "7", "command": "verify-xml", "arguments": {"xml": "PGEvPg=="}},
    {"id": "8", "command": "summarize-xml", "arguments": {"documents": [{"name": "a", "xml": "PGEvPg=="}],
                                                        "certificate": "c"}},
]
for r in requests:
    put("request_json", "request-%s.json" % r["id"], json.dumps(r, ensure_ascii=False))
put("request_json", "arguments.txt", 'sign-hash\n{"certificate":"c","hash":"AA==","hash_algorithm":"sha1"}')

# --- native-messaging frames: several requests in a row, a truncated one, a huge length
frames = b"".join(struct.pack("<I", len(json.dumps(r).encode())) + json.dumps(r).encode() for r in requests[:4])
put("native_frame", "frames.bin", b"\x00" + frames)
put("native_frame", "truncated.bin", b"\x00" + frames[:-5])
big = b'{"id":"big-1","command":"sign-xml","arguments":{"xml":"'
put("native_frame", "too-large.bin", b"\x01" + struct.pack("<I", 8 * 1024 * 1024 + 10) + big)
put("native_frame", "corrupt.bin", b"\x00" + struct.pack("<I", 0xFFFFFFF0))


# --- chunks: a field-split reply and a whole-result reply, as the agent sends them
def chunks(id_, parts, field, result):
    payload = "".join(parts)
    digest = hashlib.sha256(payload.encode()).hexdigest()
    out = []
    for i, p in enumerate(parts):
        header = {"seq": i, "total": len(parts), "field": field}
        c = {"id": id_, "chunk": header, "data": p}
        if i + 1 == len(parts):
            header["sha256"] = digest
            if result is not None:
                c["result"] = result
        out.append(c)
    return json.dumps(out, ensure_ascii=False)


put("chunks", "field.json", chunks("a", ["PD94", "bWwg", "dj0i"], "xml", {"other": 1}))
whole = json.dumps({"documents": [{"name": "h\u1ed3 s\u01a1", "ok": True, "xml": "PGEvPg=="}]})
put("chunks", "whole.json", chunks("b", [whole[:20], whole[20:]], "$", None))
put("chunks", "one.json", chunks("c", ["x"], "xml", {}))
# --- inputs that once failed (fuzz/regressions/<target>/): replayed by every run
for p in sorted(glob.glob(os.path.join(ROOT, "fuzz", "regressions", "*", "*"))):
    put(os.path.basename(os.path.dirname(p)), "regression-" + os.path.basename(p), read(os.path.relpath(p, ROOT)))
print("seeds in", OUT)
