#!/usr/bin/env bash
# The Debian package as an admin receives it: its metadata and file list, and the binaries
# from the extracted package actually running (`vss --version`, a framed `version` request to
# vss-agent started as Chromium starts it).
#
#   installer/tests/deb.sh FILE.deb WORKDIR
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
DEB=$1 WORK=$2
rm -rf "$WORK"; mkdir -p "$WORK"
EXT=aljobffeainbeaoomgcjaebgogaandcp
echo "==> $(basename "$DEB")"

info=$(dpkg-deb --info "$DEB")
contains "package name" "$info" "Package: vss-token-signing"
contains "shared-library dependencies computed" "$info" "Depends: libc6"
contains "a GUI pinentry recommended (the consent/PIN dialog)" "$info" "Recommends: pinentry-gnome3"
contents=$(dpkg-deb --contents "$DEB")
for path in ./usr/bin/vss-agent ./usr/bin/vss ./usr/sbin/vss-setup \
    ./etc/chromium/native-messaging-hosts/vn.vss.token_signing.json \
    ./etc/opt/chrome/native-messaging-hosts/vn.vss.token_signing.json \
    ./etc/opt/edge/native-messaging-hosts/vn.vss.token_signing.json \
    ./usr/lib/mozilla/native-messaging-hosts/vn.vss.token_signing.json \
    ./etc/vss-token-signing/config.toml \
    ./usr/lib/systemd/user/vss-agent.service \
    ./usr/share/doc/vss-token-signing/admin.md; do
  contains "contains $path" "$contents" "$path"
done
lacks "files owned by root" "$contents" "$(id -un 2>/dev/null | grep -v '^root$' || echo nobody-else)/"
lacks "serve unit not enabled (no wants/ symlink)" "$contents" "wants/"
lacks "nothing in /usr/local" "$contents" "./usr/local"
dpkg-deb --ctrl-tarfile "$DEB" | tar -x -O ./conffiles >"$WORK/conffiles"
contains "config.toml is a conffile (admin edits survive upgrades)" "$(cat "$WORK/conffiles")" /etc/vss-token-signing/config.toml

ROOT="$WORK/root"
dpkg-deb -x "$DEB" "$ROOT"
for browser in chromium opt/chrome opt/edge; do
  manifest=$(cat "$ROOT/etc/$browser/native-messaging-hosts/vn.vss.token_signing.json")
  python3 -c 'import json,sys; m=json.load(sys.stdin); assert m["name"]=="vn.vss.token_signing" and m["type"]=="stdio"' <<<"$manifest" \
    && pass "$browser manifest is valid JSON" || fail "$browser manifest is not a valid host manifest"
  contains "$browser manifest points at /usr/bin/vss-agent" "$manifest" '"path": "/usr/bin/vss-agent"'
  contains "$browser manifest allows only our extension" "$manifest" "\"chrome-extension://$EXT/\""
done
manifest=$(cat "$ROOT/usr/lib/mozilla/native-messaging-hosts/vn.vss.token_signing.json")
contains "Firefox manifest points at /usr/bin/vss-agent" "$manifest" '"path": "/usr/bin/vss-agent"'
contains "Firefox manifest allows the add-on id" "$manifest" '"allowed_extensions": [
    "token-signing@vss.vn"'
lacks "Firefox manifest has no Chromium allow-list" "$manifest" allowed_origins
unit=$(cat "$ROOT/usr/lib/systemd/user/vss-agent.service")
contains "unit starts serve mode" "$unit" "ExecStart=/usr/bin/vss-agent serve"
contains "unit is for the user's session" "$unit" "WantedBy=default.target"
if python3 -c 'import tomllib,sys; tomllib.load(open(sys.argv[1],"rb"))' "$ROOT/etc/vss-token-signing/config.toml"; then
  pass "shipped config.toml is valid TOML"
else
  fail "shipped config.toml is not valid TOML"
fi

contains "vss --version from the package" "$("$ROOT/usr/bin/vss" --version)" "vss 0.1.0"
contains "the tray starts at logon (XDG autostart)" "$(cat "$ROOT/etc/xdg/autostart/vss-tray.desktop")" "Exec=/usr/bin/vss-tray --autostart"
contains "vss-tray --version from the package" "$("$ROOT/usr/bin/vss-tray" --version)" "vss-tray 0.1.0"
contains "vss-setup --version from the package" "$("$ROOT/usr/sbin/vss-setup" --version)" "vss-setup 0.1.0"
reply=$(HOME="$WORK/home" python3 "$HERE/native_frames.py" "$ROOT/usr/bin/vss-agent" "chrome-extension://$EXT/" -- \
  '{"id":"1","command":"version","origin":"https://gddt.baohiemxahoi.gov.vn"}' 2>"$WORK/agent-stderr.log") \
  || fail "vss-agent output is not clean frames"
contains "vss-agent from the package answers a framed version request" "$reply" \
  '{"id": "1", "ok": true, "result": {"agent": "0.1.0", "protocol": 1}}'
reply=$(HOME="$WORK/home" python3 "$HERE/native_frames.py" "$ROOT/usr/bin/vss-agent" \
  /usr/lib/mozilla/native-messaging-hosts/vn.vss.token_signing.json token-signing@vss.vn -- \
  '{"id":"2","command":"version","origin":"https://gddt.baohiemxahoi.gov.vn"}' 2>>"$WORK/agent-stderr.log") \
  || fail "vss-agent started as Firefox starts it: output is not clean frames"
contains "vss-agent started as Firefox starts it (manifest path, add-on id) answers" "$reply" '"ok": true'
reply=$(HOME="$WORK/home" python3 "$HERE/native_frames.py" "$ROOT/usr/bin/vss-agent" \
  /usr/lib/mozilla/native-messaging-hosts/vn.vss.token_signing.json other-addon@example.com -- \
  '{"id":"3","command":"version","origin":"https://gddt.baohiemxahoi.gov.vn"}' 2>>"$WORK/agent-stderr.log") || true
contains "another Firefox add-on is refused" "$reply" '"code": "origin_not_allowed"'
finish
