#!/usr/bin/env bash
# One registration on the demo portal, headless: builds what is missing, makes the demo
# SoftHSM2 token, registers the native host for a private Chromium profile, serves the portal
# on https://gddt.baohiemxahoi.gov.vn (mapped to 127.0.0.1, self-signed certificate), signs
# with the scripted pinentry, and prints the verifier's verdict and screenshot paths.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d node_modules/playwright-core ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
[ -x target/debug/vss-agent ] && [ -x target/debug/vss-testtoken ] && [ -x target/debug/vss ] || cargo build --quiet -p vss-agent -p vss-testkit -p vss-cli
exec node tests/e2e/demo.js "$@"
