#!/usr/bin/env bash
# The MSI's tables as msiinfo reads them: what an admin's packaging tool would show before
# deploying it. Files, registry rows, properties, custom actions, sequence and upgrade rows.
#
#   installer/tests/msi-tables.sh FILE.msi VERSION
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
MSI=$1 VERSION=$2
table() { msiinfo export "$MSI" "$1" | tr -d '\r'; }
row() { # row TABLE "tab-separated fields prefix" "what"
  if table "$1" | grep -qF -- "$2"; then pass "$3"; else fail "$3 (no row '$2' in $1)"; fi
}
echo "==> msiinfo $(basename "$MSI")"

summary=$(msiinfo suminfo "$MSI")
contains "64-bit package" "$summary" "x64;1033"
files=$(table File)
for f in vss-agent.exe vss.exe vss-setup.exe vn.vss.token_signing.json vn.vss.token_signing.firefox.json; do
  contains "File: $f" "$files" "$f"
done
lacks "File: no test shim in the package" "$files" bcryptprimitives
lacks "File: no test PKCS#11 module in the package" "$files" noisy-pkcs11
row Directory $'INSTALLDIR\tProgramFiles64Folder\tVSS Token Signing' "installs to Program Files (64-bit)"
for key in 'SOFTWARE\Google\Chrome' 'SOFTWARE\Microsoft\Edge' 'SOFTWARE\Chromium' \
    'SOFTWARE\BraveSoftware\Brave-Browser' 'SOFTWARE\CocCoc\Browser'; do
  row Registry $'\t2\t'"$key"$'\\NativeMessagingHosts\\vn.vss.token_signing\t\t[#HostManifestJson]' "HKLM native host key for $key"
done
row Registry $'\t2\tSOFTWARE\\Mozilla\\NativeMessagingHosts\\vn.vss.token_signing\t\t[#HostManifestFirefoxJson]' \
  "HKLM native host key for Firefox, pointing at Firefox's own manifest"
row Component $'HostManifestFirefox\t{3C0E8E0B-7F3D-4E55-9E0B-2F6A1B7C4D07}\tINSTALLDIR\t256' "Firefox manifest component is 64-bit with a fixed GUID"
row Registry $'\t2\tSOFTWARE\\VSS Token Signing\\Deployment\tLOCK_POLICY\t[LOCK_POLICY]' "LOCK_POLICY remembered for upgrades"
row Component $'HostManifest\t{3C0E8E0B-7F3D-4E55-9E0B-2F6A1B7C4D04}\tINSTALLDIR\t256' "components are 64-bit with fixed GUIDs"
properties=$(table Property)
contains "ProductVersion" "$properties" $'ProductVersion\t'"$VERSION"
contains "fixed UpgradeCode" "$properties" $'UpgradeCode\t{6F5B2C1E-9A47-4C3B-8E21-5D0A7C9B3E84}'
contains "per-machine (ALLUSERS=1)" "$properties" $'ALLUSERS\t1'
for p in ALLOWED_ORIGINS HASH_SIGNING_ORIGINS PKCS11_MODULES LOCK_POLICY FORCE_INSTALL_EXTENSION \
    EXTENSION_UPDATE_URL ALLOW_LOCAL_NETWORK BLOCK_LEGACY_EXTENSION; do
  secure=$(grep $'^SecureCustomProperties\t' <<<"$properties" || true)
  contains "$p is a secure property (reaches GPO installs)" "$secure" "$p"
done
appsearch=$(table AppSearch)
contains "AppSearch restores remembered properties" "$appsearch" $'LOCK_POLICY\tRemembered_LOCK_POLICY'
upgrade=$(table Upgrade)
contains "upgrade row: older and same versions are replaced (IncludeMaximum)" "$upgrade" $'\t'"$VERSION"$'\t\t257\t\tWIX_UPGRADE_DETECTED'
contains "upgrade row: newer versions detected (downgrade refused)" "$upgrade" $'\t'"$VERSION"$'\t\t\t2\t\tWIX_DOWNGRADE_DETECTED'
contains "launch condition refuses downgrades" "$(table LaunchCondition)" "NOT WIX_DOWNGRADE_DETECTED"
actions=$(table CustomAction)
contains "setup runs deferred, as LocalSystem, from the installed vss-setup.exe" "$actions" $'ApplyMachineSetup\t3090\tVssSetupExe\tapply --allowed-origins "[ALLOWED_ORIGINS]"'
contains "removal custom action" "$actions" $'RemoveMachineSetup\t3090\tVssSetupExe\tremove'
sequence=$(table InstallExecuteSequence)
contains "old version removed early (after InstallValidate)" "$sequence" $'RemoveExistingProducts\t\t1401'
contains "setup after files and registry" "$sequence" $'ApplyMachineSetup\tNOT REMOVE="ALL"\t5100'
contains "removal only on a real uninstall" "$sequence" $'RemoveMachineSetup\tREMOVE="ALL" AND NOT UPGRADINGPRODUCTCODE\t3400'
lacks "no UI sequence actions beyond wixl's defaults (silent install)" "$(table InstallUISequence)" "Dialog"
finish
