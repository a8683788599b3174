#!/usr/bin/env bash
# Every test: formatting, clippy, Rust unit and integration tests against real SoftHSM2 tokens
# and xmlsec1, the browser suite in real Chromium, the installers (MSI under Wine, .deb) and the
# benchmarks. Installs what it needs; idempotent. Prints each suite's time at the end.
#
# Cost (issue 14): every crate is compiled at most once per target and profile, all in target/:
#   - clippy runs inside the builds (clippy-driver as RUSTC_WORKSPACE_WRAPPER, -D warnings):
#     the debug test build is the Linux clippy, the Windows release build the Windows clippy;
#   - one Linux release build serves the benchmarks and the .deb, one Windows release build the
#     MSIs and the Win32 dialog tests (built in release too);
#   - the builds run first, one after the other (each already uses both cores); then the suites,
#     which mostly wait on browsers, Wine and tokens, run in two parallel lanes.
#
# Adding a suite is one line in a lane below: `suite NAME command...` (times it, records it,
# goes on after a failure; the run fails at the end). Suites in one lane run in order; the two
# lanes run side by side, so a suite must keep its state (ports, SoftHSM2 token dirs,
# WINEPREFIX) in its own temporary directory — every current suite does.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/setup.sh
START=$SECONDS

export CARGO_TARGET_DIR="$ROOT/target" CARGO_TERM_PROGRESS_WHEN=never
# Clippy in every build of the workspace's own crates (dependencies are compiled by rustc as
# usual): a lint is a build error, as with `cargo clippy -- -D warnings`.
RUSTC_WORKSPACE_WRAPPER=$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)
export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
export VSS_LINTING_BUILD=1 # tells installer/test.sh that its builds are linted already

LOGS="$ROOT/target/test-logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"

# suite NAME command...: runs one suite, records its time and result in $LOGS/NAME.result.
suite() {
  local name=$1 started=$SECONDS status=ok
  shift
  echo "==> $name"
  "$@" || status=FAILED
  echo "$name|$((SECONDS - started))|$status" >>"$LOGS/results"
  [ "$status" = ok ] || echo "==> FAILED: $name" >&2
}

# lane NAME function: runs a lane in the background, its output in $LOGS/NAME.log.
lane() {
  local name=$1
  shift
  ("$@") >"$LOGS/lane-$name.log" 2>&1 &
  LANES+=("$name:$!")
}
LANES=()

# --- Builds: each crate once per target and profile ---------------------------------------
build_debug() { # the workspace's tests, examples and binaries (linted)
  cargo test --workspace --all-targets --no-run --quiet
  # Integration tests run other crates' binaries too (vss-testtoken, vss-setup): same profile,
  # so only those few are compiled here.
  cargo build --workspace --bins --quiet
}
build_release() { # the benchmarks' (the tray's idle cost too) and the .deb's binaries
  cargo build --release --quiet -p vss-agent -p vss-cli -p vss-setup -p vss-testkit -p vss-tray --bins --example token_floor
  cargo build --release --quiet -p vss-xml --example xml_linear
}
build_windows() { # the MSIs' binaries and the Win32 dialog tests (linted)
  installer/test.sh --build-only
}
suite "fmt" cargo fmt --all -- --check
suite "build: debug + clippy" build_debug
if [ -n "$(grep '|FAILED$' "$LOGS/results" || true)" ]; then
  echo "==> formatting or the debug build failed; nothing else runs" >&2
  cat "$LOGS/results" >&2
  exit 1
fi
suite "build: release (bench, .deb)" build_release
suite "build: Windows release + clippy" build_windows

if [ ! -x node_modules/.bin/eslint ] || [ ! -d node_modules/playwright-core ]; then
  suite "npm ci" env PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

# --- Suites, two lanes side by side ------------------------------------------------------
lane_a() {
  suite "rust tests" cargo test --workspace --quiet --no-fail-fast
  suite "browser (Chromium)" tests/e2e/run.sh
  suite "browser (Firefox)" tests/e2e/run-firefox.sh
  suite "tray (Xvfb, D-Bus, dunst)" tests/tray/run.sh
}
lane_b() {
  # the fuzz targets, 20 s each (before the benchmarks, which it would disturb)
  suite "fuzz (cargo fuzz, 20 s per target)" scripts/fuzz.sh 20
  suite "C14N vs libxml2 (differential)" tests/c14n-diff/run.sh
  suite "installers (MSI/Wine, .deb)" installer/test.sh --skip-build
  suite "benchmarks" env VSS_BENCH_SKIP_SETUP=1 VSS_BENCH_ROUNDS=3 scripts/bench.sh
  # Parse + C14N time per MiB, 1 KiB to 6 MiB, adversarial shapes: fails when it grows (issue 17).
  suite "XML linear-time bench" target/release/examples/xml_linear --check
}
lane a lane_a
lane b lane_b
for entry in "${LANES[@]}"; do
  wait "${entry#*:}" || true
  echo "---------------- lane ${entry%%:*} ----------------"
  cat "$LOGS/lane-${entry%%:*}.log"
done

echo
printf '%-40s %8s  %s\n' "suite" "seconds" "result"
failed=0
while IFS='|' read -r name seconds status; do
  printf '%-40s %8s  %s\n' "$name" "$seconds" "$status"
  [ "$status" = ok ] || failed=1
done <"$LOGS/results"
printf '%-40s %8s\n' "total (wall clock)" "$((SECONDS - START))"
if [ "$failed" != 0 ]; then
  echo "==> some suites failed" >&2
  exit 1
fi
echo "==> all tests passed"
