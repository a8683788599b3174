#!/usr/bin/env bash
# Builds the Debian package from a staged tree with dpkg-deb (no cargo-deb needed):
# /usr/bin/vss-agent, /usr/bin/vss, /usr/sbin/vss-setup, host manifests for Chromium, Google
# Chrome (and Brave, which reads Chrome's folder), Edge and Firefox — printed by
# `vss-setup print-manifest` from the deployment facts in crates/vss-setup —,
# /etc/vss-token-signing/config.toml (a conffile, all comments), and the systemd user unit
# (not enabled).
#
#   installer/build-deb.sh [--skip-build] [--out FILE]     → target/deb/vss-token-signing_<v>_<arch>.deb
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
ARCH=$(dpkg --print-architecture)
BUILD=1 OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) BUILD=0; shift ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$OUT" ] || OUT="$ROOT/target/deb/vss-token-signing_${VERSION}-1_${ARCH}.deb"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR_DEB:-${CARGO_TARGET_DIR:-$ROOT/target}}
if [ "$BUILD" = 1 ]; then
  echo "==> release build ($CARGO_TARGET_DIR)"
  cargo build --release --quiet -p vss-agent -p vss-cli -p vss-setup -p vss-tray
fi
BIN="$CARGO_TARGET_DIR/release"

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
PKG="$STAGE/pkg"
install -d -m 0755 "$PKG/DEBIAN" "$PKG/usr/bin" "$PKG/usr/sbin" "$PKG/etc/vss-token-signing" \
  "$PKG/usr/lib/systemd/user" "$PKG/usr/share/doc/vss-token-signing" "$PKG/etc/xdg/autostart"
install -m 0755 -s "$BIN/vss-agent" "$BIN/vss" "$BIN/vss-tray" "$PKG/usr/bin/"
# The tray starts at each user's logon (XDG autostart); the user's own entry overrides it.
install -m 0644 installer/debian/vss-tray.desktop "$PKG/etc/xdg/autostart/vss-tray.desktop"
install -m 0755 -s "$BIN/vss-setup" "$PKG/usr/sbin/"
install -m 0644 installer/debian/config.toml "$PKG/etc/vss-token-signing/config.toml"
install -m 0644 installer/debian/vss-agent.service "$PKG/usr/lib/systemd/user/vss-agent.service"
manifest() { # manifest BROWSER DIR
  install -d -m 0755 "$PKG/$2"
  "$BIN/vss-setup" print-manifest --browser "$1" --path /usr/bin/vss-agent >"$PKG/$2/vn.vss.token_signing.json"
  chmod 0644 "$PKG/$2/vn.vss.token_signing.json"
}
manifest chromium etc/chromium/native-messaging-hosts
manifest chrome etc/opt/chrome/native-messaging-hosts
manifest edge etc/opt/edge/native-messaging-hosts
manifest firefox usr/lib/mozilla/native-messaging-hosts
install -m 0644 docs/admin.md README.md "$PKG/usr/share/doc/vss-token-signing/"
cat >"$PKG/usr/share/doc/vss-token-signing/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: vss-token-signing
Source: https://github.com/vss-token-signing/vss-token-signing

Files: *
License: MIT or Apache-2.0
COPYRIGHT
echo /etc/vss-token-signing/config.toml >"$PKG/DEBIAN/conffiles"

# Shared-library dependencies as dpkg-shlibdeps computes them for these binaries.
mkdir -p "$STAGE/src/debian"
printf 'Source: vss-token-signing\n\nPackage: vss-token-signing\nArchitecture: any\n' >"$STAGE/src/debian/control"
DEPENDS=$(cd "$STAGE/src" && dpkg-shlibdeps -O "$PKG/usr/bin/vss-agent" "$PKG/usr/bin/vss" "$PKG/usr/bin/vss-tray" "$PKG/usr/sbin/vss-setup" 2>/dev/null \
  | sed -n 's/^shlibs:Depends=//p')
SIZE=$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
sed -e "s|@VERSION@|${VERSION}-1|" -e "s|@ARCH@|$ARCH|" -e "s|@SIZE@|$SIZE|" -e "s|@DEPENDS@|$DEPENDS|" \
  installer/debian/control.in >"$PKG/DEBIAN/control"
mkdir -p "$(dirname "$OUT")"
dpkg-deb --root-owner-group --build "$PKG" "$OUT" >/dev/null
echo "$OUT"
