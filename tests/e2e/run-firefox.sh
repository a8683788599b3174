#!/usr/bin/env bash
# The portal stories in Debian's firefox-esr over WebDriver BiDi (puppeteer-core), with the same
# extension sources, the real vss-agent and SoftHSM2 tokens (tests/e2e/firefox/). Needs: node >=
# 20.19, /usr/bin/firefox-esr, softhsm2, openssl, cargo. puppeteer-core never downloads a browser.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -d node_modules/puppeteer-core ]; then
  PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
cargo build --quiet -p vss-agent -p vss-testkit -p vss-cli
echo "== end-to-end in Firefox ($(firefox-esr --version 2>/dev/null))"
node --test --test-concurrency=1 tests/e2e/firefox/
