#!/usr/bin/env bash
# The differential C14N test in CI (issue 15): vss-xml against libxml2 (python3-lxml) on
# generated documents, with a fixed seed, in both Canonical XML 1.0 modes and exclusive C14N.
# Usage: tests/c14n-diff/run.sh [DOCS_PER_MODE] [SEED]   (defaults: 2000, 15)
set -euo pipefail
cd "$(dirname "$0")/../.."
DOCS=${1:-2000}
SEED=${2:-15}
cargo build --quiet -p vss-xml --example c14n_stream
BIN="${CARGO_TARGET_DIR:-target}/debug/examples/c14n_stream"
# the system Python: python3-lxml is a Debian package (scripts/setup.sh)
exec /usr/bin/python3 tests/c14n-diff/diff.py --bin "$BIN" --docs "$DOCS" --seed "$SEED" \
  --modes c14n10,c14n10-comments,exc-c14n,exc-c14n-comments
