#!/usr/bin/env bash
# Builds the Windows MSI on Linux: cross-compiles vss-agent.exe, vss.exe and vss-setup.exe
# (x86_64-pc-windows-gnu, statically linked: no Visual C++ runtime needed), then runs wixl on
# installer/windows/vss-token-signing.wxs and patches what wixl cannot express.
#
#   installer/build-msi.sh [--version X.Y.Z] [--skip-build] [--out FILE]
#
# Needs: rustup target x86_64-pc-windows-gnu, gcc-mingw-w64-x86-64, wixl + msitools
# (installer/test.sh installs them). Output: target/msi/vss-token-signing-<version>.msi
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
BUILD=1
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --version) VERSION=$2; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$OUT" ] || OUT="$ROOT/target/msi/vss-token-signing-$VERSION.msi"

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR_WIN:-${CARGO_TARGET_DIR:-$ROOT/target}}
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
BIN="$CARGO_TARGET_DIR/x86_64-pc-windows-gnu/release"
if [ "$BUILD" = 1 ]; then
  echo "==> cross-building Windows binaries ($CARGO_TARGET_DIR)"
  cargo build --release --quiet --target x86_64-pc-windows-gnu -p vss-agent -p vss-cli -p vss-setup
fi

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
cp "$BIN/vss-agent.exe" "$BIN/vss.exe" "$BIN/vss-setup.exe" "$STAGE/"
cp installer/windows/vss-token-signing.wxs installer/windows/vn.vss.token_signing.json "$STAGE/"

# The binaries must need nothing beyond what every Windows has (no vcruntime, libgcc, pthread).
for exe in "$STAGE"/*.exe; do
  if x86_64-w64-mingw32-objdump -p "$exe" | grep -i "DLL Name" \
      | grep -Eiq 'vcruntime|msvcp|libgcc|libstdc|libwinpthread|api-ms-win-crt'; then
    echo "$exe depends on a runtime that is not part of Windows:" >&2
    x86_64-w64-mingw32-objdump -p "$exe" | grep "DLL Name" >&2
    exit 1
  fi
done

echo "==> wixl $VERSION"
mkdir -p "$(dirname "$OUT")"
(cd "$STAGE" && wixl -a x64 -D Version="$VERSION" -o product.msi vss-token-signing.wxs)

# What wixl 0.101 cannot express, patched in with msibuild:
# - the deployment properties in SecureCustomProperties, so a managed/GPO install passes them
#   to the elevated custom action;
# - IncludeMaximum (256) on the upgrade row, so the same version (a rebuild) also replaces an
#   installed one instead of installing side by side.
(
  cd "$STAGE"
  msiinfo export product.msi Property | tr -d '\r' \
    | awk -F'\t' 'BEGIN{OFS="\t"} NR>3 && $1=="SecureCustomProperties"{$2=$2";ALLOWED_ORIGINS;HASH_SIGNING_ORIGINS;PKCS11_MODULES;LOCK_POLICY;FORCE_INSTALL_EXTENSION;EXTENSION_UPDATE_URL;ALLOW_LOCAL_NETWORK;BLOCK_LEGACY_EXTENSION"} {print}' \
    > Property.idt
  msiinfo export product.msi Upgrade | tr -d '\r' \
    | awk -F'\t' 'BEGIN{OFS="\t"} NR>3 && $7=="WIX_UPGRADE_DETECTED"{$5=$5+256} {print}' \
    > Upgrade.idt
  msibuild product.msi -i Property.idt -i Upgrade.idt
)
cp "$STAGE/product.msi" "$OUT"
echo "$OUT"
