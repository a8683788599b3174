#!/usr/bin/env bash
# Every test: formatting, clippy, Rust unit and integration tests against real SoftHSM2 tokens
# and xmlsec1, and the browser suite in real Chromium. Installs what it needs; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "==> building binaries (the integration tests run them)"
cargo build --workspace --bins --quiet
echo "==> cargo test"
cargo test --workspace --quiet

if [ -x tests/e2e/run.sh ]; then
  echo "==> browser tests (Chromium)"
  tests/e2e/run.sh
fi
echo "==> all tests passed"
