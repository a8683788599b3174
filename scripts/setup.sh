#!/usr/bin/env bash
# Installs what the demo and the tests need on Debian/Ubuntu, only what is missing. Idempotent;
# works without a terminal (CI). Sourced by demo.sh and test.sh.
set -euo pipefail

APT_PACKAGES=(softhsm2 opensc p11-kit libp11-kit-dev gcc xmlsec1 pinentry-tty chromium firefox-esr openssl ca-certificates
  # the openssl crate (path validation, OCSP, CRL in vss-cert) links the system libssl
  libssl-dev pkg-config
  # the differential C14N test (libxml2 through lxml, and xmllint)
  python3-lxml libxml2-utils
  # the tray's session tests and demo: a display, a notification server, dialogs, screenshots
  xvfb x11-utils xdotool dunst zenity imagemagick xclip dbus fonts-dejavu-core)

source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
ensure_apt_packages "${APT_PACKAGES[@]}"

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is missing: install Rust from https://rustup.rs first" >&2
  exit 1
fi
