#!/usr/bin/env bash
# Every test: formatting, clippy, Rust unit and integration tests against real SoftHSM2 tokens
# and xmlsec1, the browser suites in real Chromium and Firefox, and the installers (MSI under Wine, .deb).
# Installs what it needs; idempotent.
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

echo "==> browser tests (Chromium)"
tests/e2e/run.sh
echo "==> browser tests (Firefox)"
tests/e2e/run-firefox.sh
echo "==> installer tests (Windows cross-build, MSI under Wine, .deb)"
installer/test.sh
echo "==> all tests passed"
