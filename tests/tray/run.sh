#!/usr/bin/env bash
# The tray's session tests (crates/vss-tray/tests/session.rs) in a desktop session of their
# own: Xvfb, a private session bus (`dbus-daemon --session`, not bus activation), and dunst
# started explicitly on that display and bus; the tests are the panel (StatusNotifierWatcher
# and host). Screenshots go to target/tray-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK=$(mktemp -d /tmp/vss-tray-session.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Wait until CMD succeeds, at most SECONDS.
wait_until() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "tests/tray: $what did not come up" >&2
      return 1
    fi
    sleep 0.2
  done
}

# The idle benchmark measures the release build, as users run it (scripts/test.sh builds it
# with the other release binaries).
[ -x "$CARGO_TARGET_DIR/release/vss-tray" ] || cargo build --release --quiet -p vss-tray

# Xvfb picks a free display and tells which on fd 3.
exec 3>"$WORK/display"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
PIDS+=($!)
exec 3>&-
wait_until 10 "Xvfb" test -s "$WORK/display"
export DISPLAY=":$(head -1 "$WORK/display")"
wait_until 10 "the X display $DISPLAY" xdpyinfo

dbus-daemon --session --nofork --nopidfile --print-address=4 4>"$WORK/bus" >"$WORK/dbus.log" 2>&1 &
PIDS+=($!)
wait_until 10 "dbus-daemon" test -s "$WORK/bus"
DBUS_SESSION_BUS_ADDRESS=$(head -1 "$WORK/bus")
export DBUS_SESSION_BUS_ADDRESS
# Nothing may be bus-activated behind the tests' back (no XDG_RUNTIME_DIR services either).
unset XDG_RUNTIME_DIR

DISPLAY=$DISPLAY dunst -config tests/tray/dunstrc >"$WORK/dunst.log" 2>&1 &
PIDS+=($!)
wait_until 10 "dunst on the session bus" busctl --user status org.freedesktop.Notifications

echo "tests/tray: DISPLAY=$DISPLAY, bus $DBUS_SESSION_BUS_ADDRESS, dunst $(dunst -v 2>&1 | head -1)"
status=0
cargo test -p vss-tray --test session --quiet -- --ignored --test-threads=1 "$@" || status=$?
if [ $status -ne 0 ]; then
  echo "---- dunst log" >&2
  tail -20 "$WORK/dunst.log" >&2 || true
fi
exit $status
