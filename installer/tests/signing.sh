#!/usr/bin/env bash
# Authenticode signing of the release (issue 16): a test code-signing CA and certificate made
# here with openssl (codeSigning EKU), the MSI built and signed by installer/build-msi.sh — once
# with a PKCS#12 file and an RFC 3161 time stamp from a local time-stamping authority, once with
# the key on a SoftHSM2 token through PKCS#11 — and every .exe inside and the .msi itself checked
# with `osslsigncode verify` against that CA; a changed byte must break the signature.
#
#   installer/tests/signing.sh WORKDIR     (after build-msi.sh has cross-built the binaries)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$HERE/lib.sh"
WORK=$1
rm -rf "$WORK"; mkdir -p "$WORK"
cd "$WORK"
SUBJECT="VSS Token Signing Test Release"

echo "==> test CA, code-signing certificate, time-stamping authority"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj "/CN=VSS Test Root CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
sign_leaf() { # sign_leaf NAME EKU
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$SUBJECT/O=VSS Token Signing" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -out "$1.pem" \
    -extfile <(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,%s\n' "$2") 2>/dev/null
}
sign_leaf codesign codeSigning
sign_leaf tsa timeStamping
cat codesign.pem ca.pem >chain.pem
printf 'test-password\n' >password.txt
openssl pkcs12 -export -inkey codesign.key -in codesign.pem -certfile ca.pem -passout file:password.txt -out codesign.p12

# A local RFC 3161 time-stamping authority on 127.0.0.1 (openssl ts -reply behind a tiny HTTP server).
cat >tsa.cnf <<'CNF'
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = .
serial = ./tsaserial
signer_cert = ./tsa.pem
signer_key = ./tsa.key
certs = ./ca.pem
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
CNF
echo 01 >tsaserial
cat >tsa.py <<'PY'
import http.server, subprocess, sys, tempfile
class TSA(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        query = self.rfile.read(int(self.headers["Content-Length"]))
        with tempfile.NamedTemporaryFile() as q:
            q.write(query); q.flush()
            reply = subprocess.run(["openssl", "ts", "-reply", "-config", "tsa.cnf", "-queryfile", q.name],
                                   capture_output=True, timeout=20).stdout
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), TSA)
print(server.server_port, flush=True)
server.timeout = 60
for _ in range(20):
    server.handle_request()
PY
coproc TSA_SERVER { timeout 600 python3 tsa.py; }
read -r TSA_PORT <&"${TSA_SERVER[0]}"
trap 'kill "$TSA_SERVER_PID" 2>/dev/null || true' EXIT

verify_signed() { # verify_signed LABEL FILE...
  local label=$1 file out
  shift
  for file in "$@"; do
    if out=$(osslsigncode verify -CAfile ca.pem -in "$file" 2>&1); then
      contains "$label: $(basename "$file") signed by the release certificate" "$out" "CN=$SUBJECT"
    else
      fail "$label: $(basename "$file") does not verify: $(tail -3 <<<"$out")"
    fi
  done
}

echo "==> MSI signed with a PKCS#12 file and an RFC 3161 time stamp"
"$ROOT/installer/build-msi.sh" --version 0.1.1 --skip-build --out "$WORK/p12.msi" \
  --sign-pkcs12 "$WORK/codesign.p12" --sign-password-file "$WORK/password.txt" --timestamp-url "http://127.0.0.1:$TSA_PORT/" >/dev/null
mkdir -p p12-files
(cd p12-files && msiextract ../p12.msi >/dev/null)
mapfile -t exes < <(find p12-files -name '*.exe' | sort)
[ ${#exes[@]} = 4 ] && pass "four .exe files (agent, vss, vss-setup, vss-tray) in the signed MSI" || fail "${#exes[@]} .exe files in the signed MSI"
verify_signed "PKCS#12" p12.msi "${exes[@]}"
contains "the MSI carries an RFC 3161 time stamp" "$(osslsigncode verify -CAfile ca.pem -TSA-CAfile ca.pem -in p12.msi 2>&1)" "Timestamp Server Signature verification: ok"

echo "==> a changed byte breaks the signature"
tamper() { # tamper FILE OFFSET → FILE.tampered with one byte flipped (OFFSET "cab": inside the
  # MSI's embedded cabinet, i.e. inside a stream the signature covers)
  cp "$1" "$1.tampered"
  python3 - "$1.tampered" "$2" <<'PY'
import sys
path, where = sys.argv[1], sys.argv[2]
data = bytearray(open(path, "rb").read())
offset = data.find(b"MSCF") + 2048 if where == "cab" else int(where)
data[offset] ^= 0x01
open(path, "wb").write(data)
PY
}
agent_exe=$(printf '%s\n' "${exes[@]}" | grep vss-agent.exe)
tamper "$agent_exe" 4096
if osslsigncode verify -CAfile ca.pem -in "$agent_exe.tampered" >/dev/null 2>&1; then
  fail "vss-agent.exe with a changed byte still verifies"
else
  pass "vss-agent.exe with a changed byte fails verification"
fi
tamper p12.msi cab
if osslsigncode verify -CAfile ca.pem -in p12.msi.tampered >/dev/null 2>&1; then
  fail "the MSI with a changed byte still verifies"
else
  pass "the MSI with a changed byte fails verification"
fi
openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 1 -subj "/CN=Other CA" 2>/dev/null
if osslsigncode verify -CAfile other.pem -in p12.msi >/dev/null 2>&1; then
  fail "the MSI verifies against an unrelated CA"
else
  pass "the MSI does not verify against an unrelated CA"
fi

echo "==> MSI signed with the key on a PKCS#11 token (SoftHSM2)"
ENGINE=$(find /usr/lib -name pkcs11.so -path '*engines*' 2>/dev/null | head -1)
MODULE=/usr/lib/softhsm/libsofthsm2.so
if [ -z "$ENGINE" ] || [ ! -f "$MODULE" ]; then
  fail "PKCS#11 signing needs libengine-pkcs11-openssl and softhsm2"
else
  mkdir -p tokens
  printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\n' "$WORK" >softhsm2.conf
  export SOFTHSM2_CONF=$WORK/softhsm2.conf
  softhsm2-util --init-token --free --label codesign --so-pin 87654321 --pin 123456 >/dev/null
  openssl pkcs8 -topk8 -nocrypt -in codesign.key -out codesign.pk8
  softhsm2-util --import codesign.pk8 --token codesign --label codesign --id 01 --pin 123456 >/dev/null
  printf '123456\n' >pin.txt
  "$ROOT/installer/build-msi.sh" --version 0.1.1 --skip-build --out "$WORK/pkcs11.msi" \
    --sign-pkcs11-engine "$ENGINE" --sign-pkcs11-module "$MODULE" \
    --sign-key 'pkcs11:token=codesign;object=codesign;type=private' --sign-cert "$WORK/chain.pem" \
    --sign-password-file "$WORK/pin.txt" >/dev/null
  mkdir -p pkcs11-files
  (cd pkcs11-files && msiextract ../pkcs11.msi >/dev/null)
  mapfile -t exes < <(find pkcs11-files -name '*.exe' | sort)
  verify_signed "PKCS#11" pkcs11.msi "${exes[@]}"
fi
finish
