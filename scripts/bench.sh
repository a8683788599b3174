#!/usr/bin/env bash
# Benchmarks as a user experiences them (issue 14): the browser signHash and version round trips
# from a page on the portal origin (Chromium, the real extension and agent), the native host on
# stdio, cold start, the agent's memory after 100 requests, and `vss sign-xml` on 400 forms as a
# whole process — each next to the token's own cost (token_floor: straight cryptoki on the same
# SoftHSM2 key) measured in the same run, in alternating rounds. Prints a Markdown table.
#   scripts/bench.sh [--json FILE]      VSS_BENCH_ROUNDS (7), VSS_BENCH_FORMS (400)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${VSS_BENCH_SKIP_SETUP:-}" != 1 ]; then
  source scripts/setup.sh
  if [ ! -d node_modules/playwright-core ]; then
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
  fi
fi
# The same build as scripts/test.sh's release build (so that it is a no-op there).
cargo build --release --quiet -p vss-agent -p vss-cli -p vss-setup -p vss-testkit --bins --example token_floor
export VSS_AGENT=$PWD/target/release/vss-agent VSS_CLI=$PWD/target/release/vss \
  VSS_TESTTOKEN=$PWD/target/release/vss-testtoken
exec node tests/bench/bench.js "$@"
