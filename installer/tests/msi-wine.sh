#!/usr/bin/env bash
# The MSI under Wine, as an IT admin deploys it: silent install with properties, the installed
# agent answering Chrome's framed requests from the config the MSI wrote (locked against a user
# config and VSS_ALLOWED_ORIGINS), silent major upgrade, refused downgrade, silent uninstall
# leaving nothing behind — each proven with `wine reg query` and the files themselves.
#
#   installer/tests/msi-wine.sh OLD.msi NEW.msi WORKDIR
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
OLD_MSI=$1 NEW_MSI=$2 WORK=$3
rm -rf "$WORK"; mkdir -p "$WORK"
wine_env "$WORK/prefix"

echo "==> fresh Wine prefix"
wineboot --init >/dev/null 2>&1
wineserver -w

C="$WINEPREFIX/drive_c"
APP="$C/Program Files/VSS Token Signing"
PROGRAMDATA="$C/ProgramData/VSS Token Signing"
CONFIG="$PROGRAMDATA/config.toml"
EXT=aljobffeainbeaoomgcjaebgogaandcp
reg_query() { wine reg query "$@" 2>/dev/null | tr -d '\r' || true; }

# Test-only: Wine 8's bcryptprimitives.dll lacks ProcessPrng, which every Rust .exe imports.
# The shim goes into the install folder before the MSI runs (its custom action starts
# vss-setup.exe from there); the MSI neither ships nor knows it.
x86_64-w64-mingw32-gcc -O2 -shared -o "$WORK/bcryptprimitives.dll" "$HERE/processprng-shim.c" -ladvapi32
# Test-only PKCS#11 module that prints to stdout when loaded: frames must stay clean.
x86_64-w64-mingw32-gcc -O2 -shared -Wno-attributes -I/usr/include/p11-kit-1 -o "$WORK/noisy-pkcs11.dll" "$HERE/noisy-pkcs11.c"
mkdir -p "$APP" "$C/vss-test"
cp "$WORK/bcryptprimitives.dll" "$APP/"
cp "$WORK/noisy-pkcs11.dll" "$C/vss-test/"

# An admin's own force-install entry, which the MSI must neither overwrite nor delete.
wine reg add 'HKLM\SOFTWARE\Policies\Google\Chrome\ExtensionInstallForcelist' /v 1 /t REG_SZ \
  /d 'adminsownextensionaaaaaaaaaaaaaaa;https://intranet.example/crx' /f >/dev/null 2>&1

echo "==> install $(basename "$OLD_MSI") silently with properties"
if wine msiexec /i "$(winepath -w "$OLD_MSI")" /qn /l*v "$(winepath -w "$WORK/install.log")" \
    ALLOWED_ORIGINS="https://bhxh-noibo.example.vn" \
    PKCS11_MODULES='C:\vss-test\noisy-pkcs11.dll' \
    LOCK_POLICY=1 FORCE_INSTALL_EXTENSION=1 ALLOW_LOCAL_NETWORK=1 BLOCK_LEGACY_EXTENSION=1; then
  pass "msiexec /i exit 0"
else
  fail "msiexec /i failed (log: $WORK/install.log)"; tr -d '\0' <"$WORK/install.log" | grep -a -i "error\|return value 3" | head -20 >&2
fi
wineserver -w

check "vss-agent.exe installed" test -f "$APP/vss-agent.exe"
check "vss.exe installed" test -f "$APP/vss.exe"
check "vss-tray.exe installed" test -f "$APP/vss-tray.exe"
RUN_KEY='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run'
contains "the tray starts at each user's logon (HKLM Run)" \
  "$(reg_query "$RUN_KEY" /v 'VSS Token Signing Tray')" 'vss-tray.exe" --autostart'

echo "==> vss-tray.exe under Wine: starts from the install, reads the machine config, quits on request"
# Wine draws windows on X: the tray's hidden window and icon get a virtual display.
TRAY='C:\Program Files\VSS Token Signing\vss-tray.exe'
# A wineserver from the headless steps would keep its display-less desktop.
wineserver -k 2>/dev/null || true
wineserver -w
if xvfb-run -a bash -c '
    wine "$1" >"$2/tray.out" 2>&1 &
    pid=$!
    for _ in $(seq 1 150); do
      grep -rqs "vss-tray started" "$WINEPREFIX/drive_c" --include="vss-tray*.log" && break
      sleep 0.2
    done
    wine "$1" --quit || exit 1
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
    exit 1' _ "$TRAY" "$WORK"; then
  pass "vss-tray.exe --quit ends the running tray"
else
  fail "vss-tray.exe did not start and quit (output: $WORK/tray.out)"
fi
wineserver -k 2>/dev/null || true
wineserver -w
tray_log=$(grep -rhs "vss-tray started" "$WINEPREFIX/drive_c" --include="vss-tray*.log" || true)
contains "the tray read the machine config the MSI wrote" "$tray_log" 'machine_config="Some(\"C:'
contains "the machine config read is the ProgramData one" "$tray_log" "ProgramData"
check "host manifest installed" test -f "$APP/vn.vss.token_signing.json"
manifest=$(cat "$APP/vn.vss.token_signing.json")
contains "manifest allows only our extension" "$manifest" "\"chrome-extension://$EXT/\""
contains "manifest names the agent beside it" "$manifest" '"path": "vss-agent.exe"'
for key in 'Google\Chrome' 'Microsoft\Edge' 'Chromium' 'BraveSoftware\Brave-Browser' 'CocCoc\Browser'; do
  out=$(reg_query "HKLM\\SOFTWARE\\$key\\NativeMessagingHosts\\vn.vss.token_signing" /ve)
  contains "native host registered for $key" "$out" 'C:\Program Files\VSS Token Signing\vn.vss.token_signing.json'
done
contains "native host registered for Firefox, with its own manifest" \
  "$(reg_query 'HKLM\SOFTWARE\Mozilla\NativeMessagingHosts\vn.vss.token_signing' /ve)" \
  'C:\Program Files\VSS Token Signing\vn.vss.token_signing.firefox.json'
firefox_manifest=$(cat "$APP/vn.vss.token_signing.firefox.json" 2>/dev/null || true)
contains "Firefox manifest allows the add-on id" "$firefox_manifest" '"token-signing@vss.vn"'
contains "Firefox manifest names the agent beside it" "$firefox_manifest" '"path": "vss-agent.exe"'
for browser in 'Google\Chrome' 'Microsoft\Edge' 'CocCoc\CocCoc'; do
  P="HKLM\\SOFTWARE\\Policies\\$browser"
  contains "$browser forcelist entry of our own" "$(reg_query "$P\\ExtensionInstallForcelist" /v 84001)" "$EXT;https://clients2.google.com/service/update2/crx"
  contains "$browser blocks the legacy extension" "$(reg_query "$P\\ExtensionInstallBlocklist" /v 84001)" iglijbhfichnfmijbmebhcgbaagbbikc
  for policy in LoopbackNetworkAllowedForUrls LocalNetworkAccessAllowedForUrls; do
    lna=$(reg_query "$P\\$policy")
    contains "$browser $policy grants the BHXH portal" "$lna" "https://gddt.baohiemxahoi.gov.vn"
    contains "$browser $policy grants the admin-added origin" "$lna" "https://bhxh-noibo.example.vn"
  done
  contains "$browser NativeMessagingUserLevelHosts=0" "$(reg_query "$P" /v NativeMessagingUserLevelHosts)" "0x0"
done
contains "the admin's own forcelist entry is untouched" \
  "$(reg_query 'HKLM\SOFTWARE\Policies\Google\Chrome\ExtensionInstallForcelist' /v 1)" adminsownextension
config=$(cat "$CONFIG" 2>/dev/null || true)
echo "$config" | sed 's/^/    config.toml| /'
contains "config: admin origin" "$config" 'allowed_origins = ["https://bhxh-noibo.example.vn"]'
contains "config: module" "$config" 'modules = ['
contains "config: module path" "$config" 'noisy-pkcs11.dll'
contains "config: locked" "$config" 'lock = true'

echo "==> the installed agent, started as Chrome starts it, with a user trying to widen policy"
USERCONF="$C/users/$(whoami)/AppData/Roaming/VSS/VSS Token Signing/config"
mkdir -p "$USERCONF"
printf 'allowed_origins = ["https://user-added.example.vn"]\n' >"$USERCONF/config.toml"
agent() {
  VSS_ALLOWED_ORIGINS=https://env-added.example.vn \
    python3 "$HERE/native_frames.py" --timeout 120 \
    wine 'C:\Program Files\VSS Token Signing\vss-agent.exe' "chrome-extension://$EXT/" --parent-window=0 -- "$@" \
    2>>"$WORK/agent-stderr.log"
}
replies=$(agent \
  '{"id":"1","command":"version","origin":"https://gddt.baohiemxahoi.gov.vn"}' \
  '{"id":"2","command":"status","origin":"chrome-extension://'$EXT'"}' \
  '{"id":"3","command":"version","origin":"https://user-added.example.vn"}' \
  '{"id":"4","command":"version","origin":"https://env-added.example.vn"}' \
  '{"id":"5","command":"version","origin":"https://bhxh-noibo.example.vn"}') || fail "agent output is not clean frames"
echo "$replies" | sed 's/^/    reply| /' | cut -c1-400
contains "version answered" "$replies" '{"id": "1", "ok": true, "result": {"agent": "0.1.0", "protocol": 1}}'
status=$(grep '"id": "2"' <<<"$replies" || true)
contains "status: locked" "$status" '"locked": true'
contains "status: read the MSI's machine config" "$status" '"machine_config": "C:\\ProgramData\\VSS Token Signing\\config.toml"'
contains "status: admin origin allowed" "$status" '"https://bhxh-noibo.example.vn"'
lacks "status: user config origin ignored" "$status" 'user-added'
lacks "status: VSS_ALLOWED_ORIGINS ignored" "$status" 'env-added'
contains "status: the MSI's module loaded" "$status" '"loaded": true'
stderr_log=$(cat "$WORK/agent-stderr.log")
contains "the module's printf went to stderr, not into the frames" "$stderr_log" "noisy-pkcs11: C_Initialize via printf"
contains "the module's STD_OUTPUT_HANDLE write went to stderr" "$stderr_log" "noisy-pkcs11: via STD_OUTPUT_HANDLE"
contains "user-config origin refused" "$(grep '"id": "3"' <<<"$replies")" '"code": "origin_not_allowed"'
contains "env origin refused" "$(grep '"id": "4"' <<<"$replies")" '"code": "origin_not_allowed"'
contains "admin origin served" "$(grep '"id": "5"' <<<"$replies")" '"ok": true'
contains "vss.exe runs" "$(wine 'C:\Program Files\VSS Token Signing\vss.exe' --version 2>/dev/null | tr -d '\r')" "vss 0.1.0"
rm -rf "$C/users/$(whoami)/AppData/Roaming/VSS"

echo "==> vss.exe doctor --json, as installed by the MSI"
doctor=$(wine 'C:\Program Files\VSS Token Signing\vss.exe' doctor --json 2>>"$WORK/doctor-stderr.log" | tr -d '\r' || true)
echo "$doctor" | cut -c1-600 | sed 's/^/    doctor| /'
doctor_check() { # doctor_check NAME: "status<TAB>message" of that check
  # The MSI's test module prints to stdout when loaded; the report is the line holding "checks".
  python3 -c 'import json,sys
reports = []
for line in sys.stdin.read().splitlines():
    try:
        reports.append(json.loads(line))
    except ValueError:
        pass
report = [r for r in reports if isinstance(r, dict) and "checks" in r][-1]
for c in report["checks"]:
    if c["check"] == sys.argv[1]:
        print(c["status"] + "\t" + c["message"])' "$1" <<<"$doctor" 2>/dev/null || true
}
browser_check=$(doctor_check browser)
contains "doctor: the native host is registered (the MSI's HKLM keys)" "$browser_check" $'ok\t'
contains "doctor: names the MSI's manifest" "$browser_check" 'C:\Program Files\VSS Token Signing\vn.vss.token_signing.json'
contains "doctor: Cốc Cốc registration seen" "$browser_check" "Cốc Cốc"
contains "doctor: Firefox registration seen" "$browser_check" 'vn.vss.token_signing.firefox.json'
dialog_check=$(doctor_check dialog)
contains "doctor: the Win32 dialog is available (no pinentry on Windows)" "$dialog_check" $'ok\t'
contains "doctor: says which dialog" "$dialog_check" "Windows"
if [ -n "$browser_check" ] && [ -z "$(doctor_check agent)" ]; then pass "doctor: finds vss-agent.exe beside vss.exe"; else fail "doctor: agent check"; fi

echo "==> vss.exe install-host --browser coccoc / firefox: per-user registrations (HKCU)"
VSS_EXE='C:\Program Files\VSS Token Signing\vss.exe'
for browser in coccoc firefox; do
  if wine "$VSS_EXE" install-host --browser "$browser" >/dev/null 2>>"$WORK/install-host.log"; then
    pass "install-host --browser $browser exit 0"
  else
    fail "install-host --browser $browser failed: $(tail -3 "$WORK/install-host.log")"
  fi
done
wineserver -w
contains "HKCU Cốc Cốc host key points at the user's manifest" \
  "$(reg_query 'HKCU\Software\CocCoc\Browser\NativeMessagingHosts\vn.vss.token_signing' /ve)" 'VSS Token Signing\vn.vss.token_signing.json'
contains "HKCU Firefox host key points at the user's Firefox manifest" \
  "$(reg_query 'HKCU\Software\Mozilla\NativeMessagingHosts\vn.vss.token_signing' /ve)" 'VSS Token Signing\vn.vss.token_signing.firefox.json'
user_manifest=$(find "$C/users" -path '*AppData/Local/VSS Token Signing/vn.vss.token_signing.json' 2>/dev/null | head -1)
contains "the user's manifest names the installed agent" "$(cat "$user_manifest" 2>/dev/null)" 'VSS Token Signing\\vss-agent.exe'
wine "$VSS_EXE" install-host --browser coccoc --uninstall >/dev/null 2>>"$WORK/install-host.log" || fail "install-host --uninstall failed"
wine "$VSS_EXE" install-host --browser firefox --uninstall >/dev/null 2>>"$WORK/install-host.log" || fail "install-host --uninstall failed"
wineserver -w
lacks "HKCU Cốc Cốc host key removed" "$(reg_query 'HKCU\Software\CocCoc\Browser\NativeMessagingHosts')" vn.vss.token_signing
lacks "HKCU Firefox host key removed" "$(reg_query 'HKCU\Software\Mozilla\NativeMessagingHosts')" vn.vss.token_signing

uninstall_entries() {
  reg_query 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall' /s /f "VSS Token Signing" /d \
    | grep -c 'DisplayName' || true
}
echo "==> major upgrade to $(basename "$NEW_MSI"), silently, without properties"
if wine msiexec /i "$(winepath -w "$NEW_MSI")" /qn /l*v "$(winepath -w "$WORK/upgrade.log")"; then
  pass "upgrade exit 0"
else
  fail "upgrade failed (log: $WORK/upgrade.log)"
fi
wineserver -w
new_version=$(basename "$NEW_MSI" .msi | sed 's/.*-//')
contains "registered version is the new one" "$(reg_query 'HKLM\SOFTWARE\VSS Token Signing' /v Version)" "$new_version"
uninstall_list=$(reg_query 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall' /s)
n=$(grep -c "DisplayName.*VSS Token Signing" <<<"$uninstall_list" || true)
if [ "$n" = 1 ]; then pass "one product in Programs and Features"; else fail "$n products in Programs and Features"; fi
contains "upgrade kept the config" "$(cat "$CONFIG" 2>/dev/null || true)" 'lock = true'
contains "upgrade kept the forcelist entry" "$(reg_query 'HKLM\SOFTWARE\Policies\Google\Chrome\ExtensionInstallForcelist' /v 84001)" "$EXT"
contains "upgrade kept the native host" "$(reg_query 'HKLM\SOFTWARE\Google\Chrome\NativeMessagingHosts\vn.vss.token_signing' /ve)" vn.vss.token_signing.json
contains "agent answers after upgrade" "$(agent '{"id":"9","command":"version","origin":"https://gddt.baohiemxahoi.gov.vn"}')" '"ok": true'

echo "==> downgrade to $(basename "$OLD_MSI") is refused"
if wine msiexec /i "$(winepath -w "$OLD_MSI")" /qn >/dev/null 2>&1; then
  fail "downgrade was allowed"
else
  pass "downgrade refused"
fi
wineserver -w
contains "new version still installed" "$(reg_query 'HKLM\SOFTWARE\VSS Token Signing' /v Version)" "$new_version"

echo "==> silent uninstall"
if wine msiexec /x "$(winepath -w "$NEW_MSI")" /qn /l*v "$(winepath -w "$WORK/uninstall.log")"; then
  pass "msiexec /x exit 0"
else
  fail "uninstall failed (log: $WORK/uninstall.log)"
fi
wineserver -w
for key in 'Google\Chrome' 'Microsoft\Edge' 'Chromium' 'BraveSoftware\Brave-Browser' 'CocCoc\Browser' 'Mozilla'; do
  lacks "native host key gone for $key" "$(reg_query "HKLM\\SOFTWARE\\$key\\NativeMessagingHosts")" vn.vss.token_signing
done
for browser in 'Google\Chrome' 'Microsoft\Edge' 'CocCoc\CocCoc'; do
  policies=$(reg_query "HKLM\\SOFTWARE\\Policies\\$browser" /s)
  lacks "$browser: our list entries gone" "$policies" 84001
  lacks "$browser: NativeMessagingUserLevelHosts gone" "$policies" NativeMessagingUserLevelHosts
done
lacks "Edge policy key (created by us) gone" "$(reg_query 'HKLM\SOFTWARE\Policies\Microsoft')" 'Edge'
lacks "Cốc Cốc policy key (created by us) gone" "$(reg_query 'HKLM\SOFTWARE\Policies')" 'CocCoc'
contains "the admin's own forcelist entry survives uninstall" \
  "$(reg_query 'HKLM\SOFTWARE\Policies\Google\Chrome\ExtensionInstallForcelist' /v 1)" adminsownextension
lacks "product key gone" "$(reg_query 'HKLM\SOFTWARE')" 'VSS Token Signing'
lacks "the tray's autostart entry gone" "$(reg_query "$RUN_KEY")" 'VSS Token Signing Tray'
lacks "no Programs and Features entry" "$(reg_query 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall' /s)" 'VSS Token Signing'
check "config.toml gone" test ! -e "$CONFIG"
check "ProgramData folder gone" test ! -e "$PROGRAMDATA"
echo "==> AUTOSTART_TRAY=0: installed without the autostart entry"
if wine msiexec /i "$(winepath -w "$NEW_MSI")" /qn AUTOSTART_TRAY=0; then
  wineserver -w
  check "vss-tray.exe installed" test -f "$APP/vss-tray.exe"
  lacks "no autostart entry" "$(reg_query "$RUN_KEY")" 'VSS Token Signing Tray'
  wine msiexec /x "$(winepath -w "$NEW_MSI")" /qn
  wineserver -w
else
  fail "install with AUTOSTART_TRAY=0 failed"
fi
left=$(cd "$APP" && ls -A)
if [ "$left" = "bcryptprimitives.dll" ]; then
  pass "install folder holds only the test's own shim"
else
  fail "install folder still holds: $left"
fi
finish
