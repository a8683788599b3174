#!/usr/bin/env bash
# Installs what the demo and the tests need on Debian/Ubuntu, only what is missing. Idempotent;
# works without a terminal (CI). Sourced by demo.sh and test.sh.
set -euo pipefail

APT_PACKAGES=(softhsm2 opensc p11-kit xmlsec1 pinentry-tty chromium openssl ca-certificates pkg-config libxml2-dev)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is missing: install Rust from https://rustup.rs first" >&2
  exit 1
fi
