#!/usr/bin/env bash
# Browser side of VSS Token Signing, end to end: lint the extension and tests, the extension's
# unit tests (node --test), then every portal flow in Debian's Chromium with the real vss-agent
# and SoftHSM2 tokens. Exits non-zero on any failure. Needs: node >= 20.19, /usr/bin/chromium,
# softhsm2, openssl, cargo. npm dependencies (package.json at the repo root) are installed
# when missing; playwright-core never downloads a browser.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x node_modules/.bin/eslint ] || [ ! -d node_modules/playwright-core ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

# scripts/test.sh built every binary already (a build of only these packages could resolve
# other features and compile them again).
[ -n "${VSS_LINTING_BUILD:-}" ] || cargo build --quiet -p vss-agent -p vss-testkit -p vss-cli
for bin in target/debug/vss-agent target/debug/vss-testtoken target/debug/vss; do
  [ -x "$bin" ] || { echo "missing $bin after cargo build" >&2; exit 1; }
done

echo "== eslint"
npx --no-install eslint extension tests/e2e tests/bench
echo "== extension unit tests"
node --test extension/test/
echo "== end-to-end in Chromium"
node --test --test-concurrency=1 tests/e2e/specs/
