#!/usr/bin/env bash
# Runs every fuzz target (fuzz/, cargo fuzz + libFuzzer, issue 15) for a bounded time each, one
# after the other, and prints executions, exec/s and peak RSS per target. Fails on a crash, a
# hang (-timeout), or memory above the limit (-rss_limit_mb); the input that did it is in
# fuzz/artifacts/<target>/. Installs the nightly toolchain and cargo-fuzz when missing.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 20 s, every target)
# Works without a terminal (CI). Builds in target/fuzz (or $VSS_FUZZ_TARGET_DIR) (nightly, coverage instrumentation),
# never in the main workspace's own target directories.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${1:-20}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(native_frame request_json chunks config certificate xml_c14n xml_verify)

if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal </dev/null
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked </dev/null
fi

# test.sh lints the main workspace through clippy-driver (stable); not here.
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS VSS_LINTING_BUILD
export CARGO_TARGET_DIR="${VSS_FUZZ_TARGET_DIR:-$ROOT/target/fuzz}" CARGO_TERM_PROGRESS_WHEN=never
# No sanitizer: the code is safe Rust, so AddressSanitizer would find little and halve the
# speed; the build is optimised, with debug assertions and overflow checks on.
FUZZ_FLAGS=(--sanitizer none --debug-assertions)
nice -n 10 cargo +nightly fuzz build "${FUZZ_FLAGS[@]}" </dev/null

failed=()
summary=()
for t in "${TARGETS[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  log="$CARGO_TARGET_DIR/$t.log"
  echo "==> fuzz $t (${SECONDS_PER_TARGET} s)"
  status=ok
  # corpus: fuzz/corpus/<t> (grows, not committed), fuzz/seeds/<t> (read only)
  nice -n 10 cargo +nightly fuzz run "${FUZZ_FLAGS[@]}" "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="fuzz/artifacts/$t/" </dev/null >"$log" 2>&1 || status=FAILED
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  line=$(printf '%-14s %12s execs %9s exec/s %6s MB peak RSS  %s' "$t" "$(stat number_of_executed_units)" \
    "$(stat average_exec_per_sec)" "$(stat peak_rss_mb)" "$status")
  echo "$line"
  summary+=("$line")
  if [ "$status" != ok ]; then
    failed+=("$t")
    grep -E 'ERROR|panicked|SUMMARY|Test unit written' "$log" | head -20 >&2 || true
  fi
done
echo
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "==> fuzz targets failed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "==> no crash, hang or memory blow-up in ${#TARGETS[@]} targets"
