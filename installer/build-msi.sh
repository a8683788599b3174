#!/usr/bin/env bash
# Builds the Windows MSI on Linux: cross-compiles vss-agent.exe, vss.exe and vss-setup.exe
# (x86_64-pc-windows-gnu, statically linked: no Visual C++ runtime needed), then runs wixl on
# installer/windows/vss-token-signing.wxs and patches what wixl cannot express. The host
# manifests come from `vss-setup print-manifest` (the deployment facts in crates/vss-setup).
#
#   installer/build-msi.sh [--version X.Y.Z] [--skip-build] [--out FILE] [signing options]
#
# Authenticode signing (osslsigncode) of every .exe before it goes into the MSI, then of the MSI
# (give absolute paths: the script runs from the repository root):
#   --sign-pkcs12 FILE.p12                      certificate and key in a PKCS#12 file, or
#   --sign-pkcs11-module MODULE.so --sign-key 'pkcs11:…' --sign-cert CERT.pem
#       [--sign-pkcs11-engine ENGINE.so]        a key on a token (the engine: libengine-pkcs11-openssl)
#   --sign-password-file FILE                   the PKCS#12 password or the token PIN (never on a command line)
#   --timestamp-url URL                         RFC 3161 time-stamping authority (optional)
#
# Needs: rustup target x86_64-pc-windows-gnu, gcc-mingw-w64-x86-64, wixl + msitools
# (installer/test.sh installs them). Output: target/msi/vss-token-signing-<version>.msi
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
BUILD=1
OUT=""
SIGN_PKCS12="" SIGN_PKCS11_MODULE="" SIGN_PKCS11_ENGINE="" SIGN_KEY="" SIGN_CERT=""
SIGN_PASSWORD_FILE="" TIMESTAMP_URL=""
while [ $# -gt 0 ]; do
  case "$1" in
    --version) VERSION=$2; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --out) OUT=$2; shift 2 ;;
    --sign-pkcs12) SIGN_PKCS12=$2; shift 2 ;;
    --sign-pkcs11-module) SIGN_PKCS11_MODULE=$2; shift 2 ;;
    --sign-pkcs11-engine) SIGN_PKCS11_ENGINE=$2; shift 2 ;;
    --sign-key) SIGN_KEY=$2; shift 2 ;;
    --sign-cert) SIGN_CERT=$2; shift 2 ;;
    --sign-password-file) SIGN_PASSWORD_FILE=$2; shift 2 ;;
    --timestamp-url) TIMESTAMP_URL=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$OUT" ] || OUT="$ROOT/target/msi/vss-token-signing-$VERSION.msi"

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR_WIN:-${CARGO_TARGET_DIR:-$ROOT/target}}
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
BIN="$CARGO_TARGET_DIR/x86_64-pc-windows-gnu/release"
if [ "$BUILD" = 1 ]; then
  echo "==> cross-building Windows binaries ($CARGO_TARGET_DIR)"
  cargo build --release --quiet --target x86_64-pc-windows-gnu -p vss-agent -p vss-cli -p vss-setup -p vss-tray
fi
SETUP="$CARGO_TARGET_DIR/release/vss-setup"
if [ "$BUILD" = 1 ] || [ ! -x "$SETUP" ]; then
  echo "==> vss-setup for this machine (prints the host manifests)"
  cargo build --release --quiet -p vss-setup
fi

# Signing: one osslsigncode invocation per file, the same options for every file.
SIGN_ARGS=()
if [ -n "$SIGN_PKCS12" ]; then
  SIGN_ARGS=(-pkcs12 "$SIGN_PKCS12")
elif [ -n "$SIGN_PKCS11_MODULE" ]; then
  [ -n "$SIGN_KEY" ] && [ -n "$SIGN_CERT" ] || { echo "--sign-pkcs11-module needs --sign-key and --sign-cert" >&2; exit 2; }
  [ -z "$SIGN_PKCS11_ENGINE" ] || SIGN_ARGS=(-pkcs11engine "$SIGN_PKCS11_ENGINE")
  SIGN_ARGS+=(-pkcs11module "$SIGN_PKCS11_MODULE" -certs "$SIGN_CERT" -key "$SIGN_KEY")
fi
if [ ${#SIGN_ARGS[@]} -gt 0 ]; then
  command -v osslsigncode >/dev/null || { echo "signing needs osslsigncode (apt-get install osslsigncode)" >&2; exit 2; }
  [ -z "$SIGN_PASSWORD_FILE" ] || SIGN_ARGS+=(-readpass "$SIGN_PASSWORD_FILE")
  [ -z "$TIMESTAMP_URL" ] || SIGN_ARGS+=(-ts "$TIMESTAMP_URL")
  SIGN_ARGS+=(-h sha256 -n "VSS Token Signing" -i "https://github.com/vss-token-signing/vss-token-signing")
fi
sign() { # sign FILE: replaces FILE by its signed copy
  [ ${#SIGN_ARGS[@]} -gt 0 ] || return 0
  echo "==> signing $(basename "$1")"
  osslsigncode sign "${SIGN_ARGS[@]}" -in "$1" -out "$1.signed" >/dev/null
  mv "$1.signed" "$1"
}

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
cp "$BIN/vss-agent.exe" "$BIN/vss.exe" "$BIN/vss-setup.exe" "$BIN/vss-tray.exe" "$STAGE/"
cp installer/windows/vss-token-signing.wxs "$STAGE/"
# The manifests name vss-agent.exe relative to themselves (Chrome and Firefox allow a relative
# path on Windows), so they do not depend on where INSTALLDIR is.
"$SETUP" print-manifest --browser chrome --path vss-agent.exe >"$STAGE/vn.vss.token_signing.json"
"$SETUP" print-manifest --browser firefox --path vss-agent.exe >"$STAGE/vn.vss.token_signing.firefox.json"

# The binaries must need nothing beyond what every Windows has (no vcruntime, libgcc, pthread).
for exe in "$STAGE"/*.exe; do
  if x86_64-w64-mingw32-objdump -p "$exe" | grep -i "DLL Name" \
      | grep -Eiq 'vcruntime|msvcp|libgcc|libstdc|libwinpthread|api-ms-win-crt'; then
    echo "$exe depends on a runtime that is not part of Windows:" >&2
    x86_64-w64-mingw32-objdump -p "$exe" | grep "DLL Name" >&2
    exit 1
  fi
done

for exe in "$STAGE"/*.exe; do sign "$exe"; done

echo "==> wixl $VERSION"
mkdir -p "$(dirname "$OUT")"
(cd "$STAGE" && wixl -a x64 -D Version="$VERSION" -o product.msi vss-token-signing.wxs)

# What wixl 0.101 cannot express, patched in with msibuild:
# - the deployment properties in SecureCustomProperties, so a managed/GPO install passes them
#   to the elevated custom action;
# - IncludeMaximum (256) on the upgrade row, so the same version (a rebuild) also replaces an
#   installed one instead of installing side by side;
# - the condition of the tray's autostart component (HKLM Run): AUTOSTART_TRAY = "1".
(
  cd "$STAGE"
  msiinfo export product.msi Property | tr -d '\r' \
    | awk -F'\t' 'BEGIN{OFS="\t"} NR>3 && $1=="SecureCustomProperties"{$2=$2";ALLOWED_ORIGINS;HASH_SIGNING_ORIGINS;PKCS11_MODULES;LOCK_POLICY;FORCE_INSTALL_EXTENSION;EXTENSION_UPDATE_URL;ALLOW_LOCAL_NETWORK;BLOCK_LEGACY_EXTENSION;AUTOSTART_TRAY"} {print}' \
    > Property.idt
  msiinfo export product.msi Upgrade | tr -d '\r' \
    | awk -F'\t' 'BEGIN{OFS="\t"} NR>3 && $7=="WIX_UPGRADE_DETECTED"{$5=$5+256} {print}' \
    > Upgrade.idt
  msiinfo export product.msi Component | tr -d '\r' \
    | awk -F'\t' 'BEGIN{OFS="\t"} NR>3 && $1=="TrayAutostart"{$5="AUTOSTART_TRAY = \"1\""} {print}' \
    > Component.idt
  grep -q 'AUTOSTART_TRAY = "1"' Component.idt
  msibuild product.msi -i Property.idt -i Upgrade.idt -i Component.idt
)
sign "$STAGE/product.msi"
cp "$STAGE/product.msi" "$OUT"
echo "$OUT"
