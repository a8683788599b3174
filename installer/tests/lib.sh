# Shared by the installer tests: assertions that say what failed, and a headless Wine.
# Sourced; expects `set -euo pipefail`.

FAILURES=0
pass() { echo "  ok: $*"; }
fail() { echo "  FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
check() { # check "what" command...
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}
contains() { # contains "what" "haystack" "needle"
  if grep -qF -- "$3" <<<"$2"; then pass "$1"; else fail "$1 (no '$3' in: $(head -c 600 <<<"$2"))"; fi
}
lacks() { # lacks "what" "haystack" "needle"
  if grep -qF -- "$3" <<<"$2"; then fail "$1 ('$3' present)"; else pass "$1"; fi
}
finish() {
  if [ "$FAILURES" -gt 0 ]; then echo "$FAILURES check(s) failed" >&2; exit 1; fi
}

# A private, headless Wine: no X display, no debug chatter, no Mono/Gecko install prompts.
wine_env() {
  export WINEPREFIX=$1 WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  unset DISPLAY WAYLAND_DISPLAY
}
