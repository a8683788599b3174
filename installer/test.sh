#!/usr/bin/env bash
# Every installer test (issue 7), on a fresh Debian machine, without a terminal or a display:
# installs its packages, cross-builds the Windows binaries, builds two MSI versions and the .deb,
# and checks them (installer/tests/*.sh, docs/admin.md "How the installers are tested").
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
START=$SECONDS

APT_PACKAGES=(msitools wixl wine wine64 gcc-mingw-w64-x86-64 dpkg-dev libp11-kit-dev python3 xvfb xauth
  osslsigncode libengine-pkcs11-openssl softhsm2 openssl)
source scripts/lib/apt.sh
ensure_apt_packages "${APT_PACKAGES[@]}"
rustup target list --installed | grep -qx x86_64-pc-windows-gnu || rustup target add x86_64-pc-windows-gnu

# One target dir for everything (the Linux debug and release builds, the Windows release build):
# each crate is compiled once per target and profile. `--build-only` builds what the tests
# need, `--skip-build` tests what was built (scripts/test.sh runs the two apart).
MODE=all
case "${1:-}" in
  --build-only) MODE=build ;;
  --skip-build) MODE=test ;;
  "") ;;
  *) echo "usage: installer/test.sh [--build-only|--skip-build]" >&2; exit 2 ;;
esac
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
WORK="$CARGO_TARGET_DIR/installer-test"
mkdir -p "$WORK"
failed=()
run() { # run NAME command...
  echo "==> $1"
  if ! "${@:2}"; then failed+=("$1"); fi
}
# The Win32 dialog's unit tests, built in release so they share the Windows release build.
dialog_test_exe() {
  cargo test --release --target x86_64-pc-windows-gnu -p vss-dialog --lib --no-run 2>&1 \
    | sed -n 's/.*Executable .*(\(.*\.exe\)).*/\1/p' | head -1
}

if [ "$MODE" != test ]; then
  echo "==> Windows release build, the dialog tests, the Linux release build for the .deb"
  cargo build --release --quiet --target x86_64-pc-windows-gnu -p vss-agent -p vss-cli -p vss-setup -p vss-tray
  [ -n "$(dialog_test_exe)" ] || { echo "the dialog tests did not build" >&2; exit 1; }
  # scripts/test.sh builds with clippy-driver as the workspace wrapper: the build above was
  # the Windows clippy already (-D warnings).
  if [ -z "${VSS_LINTING_BUILD:-}" ]; then
    echo "==> Windows clippy (dialog, agent, CLI, setup)"
    cargo clippy --release --quiet --target x86_64-pc-windows-gnu -p vss-dialog -p vss-agent -p vss-cli -p vss-setup -p vss-tray -- -D warnings
  fi
  [ -n "${VSS_LINTING_BUILD:-}" ] || cargo build --release --quiet -p vss-agent -p vss-cli -p vss-setup -p vss-tray
  [ "$MODE" = build ] && exit 0
fi

echo "==> MSIs"
installer/build-msi.sh --version 0.1.0 --skip-build --out "$WORK/vss-token-signing-0.1.0.msi"
installer/build-msi.sh --version 0.1.1 --skip-build --out "$WORK/vss-token-signing-0.1.1.msi"

run "Authenticode: every .exe and the MSI signed (PKCS#12 + RFC 3161, PKCS#11), tampering detected" \
  installer/tests/signing.sh "$WORK/signing"
run "msiinfo: the MSI's tables" installer/tests/msi-tables.sh "$WORK/vss-token-signing-0.1.1.msi" 0.1.1
run "Wine: install, agent, upgrade, downgrade, uninstall" \
  installer/tests/msi-wine.sh "$WORK/vss-token-signing-0.1.0.msi" "$WORK/vss-token-signing-0.1.1.msi" "$WORK/wine"

# The Win32 consent/PIN dialog's own tests, on a virtual display (a window needs one even under
# Wine): a helper thread types a PIN into the real window and clicks, cancels, confirms, or
# lets it time out.
dialog_tests() {
  local exe
  exe=$(dialog_test_exe)
  [ -n "$exe" ] || { echo "no dialog test executable" >&2; return 1; }
  case "$exe" in /*) ;; *) exe="$ROOT/$exe" ;; esac
  cp "$WORK/wine/bcryptprimitives.dll" "$(dirname "$exe")/"
  (
    export WINEPREFIX="$WORK/wine/prefix" WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    # A wineserver left from the headless tests would keep its display-less desktop.
    wineserver -k 2>/dev/null || true
    wineserver -w
    xvfb-run -a wine "$exe" win32
  )
}
run "Win32 dialog under Wine + Xvfb" dialog_tests

echo "==> Debian package"
installer/build-deb.sh --skip-build --out "$WORK/vss-token-signing.deb"
run "the .deb" installer/tests/deb.sh "$WORK/vss-token-signing.deb" "$WORK/deb"

# scripts/test.sh runs these in its workspace test suite (same binaries, no second build).
if [ -z "${VSS_LINTING_BUILD:-}" ]; then
  run "LOCK_POLICY on Linux (the real agent)" \
    cargo test --quiet -p vss-agent --test lock_policy
  run "vss-setup: property parsing, config merge, policy plan" \
    cargo test --quiet -p vss-setup
fi

echo "==> installer tests took $((SECONDS - START)) s"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "==> installer tests passed"
