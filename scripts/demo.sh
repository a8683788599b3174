#!/usr/bin/env bash
# The main job on a demo SoftHSM2 token: list the token's certificate, sign a hash with the
# scripted PIN dialog, verify the signature with openssl (not our code), then — when the
# browser part is present — a portal-shaped page signs in real Chromium, and the extension's
# "Ký hồ sơ" page signs two dossier files.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "==> building"
cargo build --release --quiet --bins
BIN=target/release

DEMO=$(mktemp -d /tmp/vss-demo.XXXXXX)
echo "==> creating a demo token in $DEMO (SoftHSM2, PIN 123456)"
"$BIN/vss-testtoken" --dir "$DEMO" --scenario demo >/dev/null
export SOFTHSM2_CONF="$DEMO/softhsm2.conf" VSS_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so
export VSS_PINENTRY="$PWD/tests/pinentry/scripted-pinentry" VSS_TEST_PIN=123456 VSS_TEST_PINENTRY_LOG="$DEMO/dialogs.log"
export VSS_CONFIG="$DEMO/config.toml" XDG_DATA_HOME="$DEMO/data"

echo; echo "==> vss tokens"; "$BIN/vss" tokens
echo; echo "==> vss certs"; "$BIN/vss" certs

echo; echo "==> vss sign-hash (SHA-256 of a dossier file)"
printf 'Tờ khai D02-TS tháng 11/2026 của CÔNG TY TNHH PHẦN MỀM AN SINH\n' > "$DEMO/dossier.txt"
HASH=$(sha256sum "$DEMO/dossier.txt" | cut -c1-64)
"$BIN/vss" sign-hash --json --hash "$HASH" --title "dossier.txt" > "$DEMO/signature.json"
echo "The PIN dialog showed:"; sed 's/^/    /' "$DEMO/dialogs.log"

echo "==> verifying the signature with openssl"
python3 - "$DEMO" <<'PY'
import base64, json, sys
d = sys.argv[1]
r = json.load(open(f"{d}/signature.json"))
open(f"{d}/signature.bin", "wb").write(base64.b64decode(r["signature"]))
open(f"{d}/cert.der", "wb").write(base64.b64decode(r["certificate"]))
print("    algorithm:", r["signature_algorithm"])
PY
openssl x509 -inform DER -in "$DEMO/cert.der" -pubkey -noout > "$DEMO/pub.pem"
openssl dgst -sha256 -verify "$DEMO/pub.pem" -signature "$DEMO/signature.bin" "$DEMO/dossier.txt"

echo; echo "==> the portal flow in Chromium"
tests/e2e/demo.sh
echo; echo "==> the extension's \"Ký hồ sơ\" page signs two dossiers (one consent, one PIN)"
node tests/e2e/demo-dossier.js
echo; echo "==> the background app (vss-tray) under Xvfb: \"Ký hồ sơ…\" from its menu signs two dossiers"
# tests/tray/run.sh makes the desktop session (Xvfb, a session bus, dunst); the test plays the
# panel (clicks the menu over D-Bus) and the person (the file chooser, the PIN).
# The first signs through zenity's real file chooser, typed at with xdotool; the second shows
# the outcome notice's "Mở thư mục".
tests/tray/run.sh signing_through_the_real_file_chooser the_outcome_notice_opens_the_folder --nocapture 2>&1 \
  | grep -A8 '^notification:' || echo "(the tray demo did not run: see tests/tray/run.sh)"

echo; echo "Demo files: $DEMO"
