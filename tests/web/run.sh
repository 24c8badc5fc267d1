#!/usr/bin/env bash
# The dashboard's browser tests: starts a real huddle cluster on loopback (four `huddle upstream`
# with fault-control APIs, `huddle proxy` with the thermal policy; a task coordinator with four
# workers in overlay mode), a load against the proxy, then drives
# Debian's Chromium with playwright-core through tests/web/dashboard.test.mjs; screenshots go to
# docs/images/. Stops everything it started.
#
#   tests/web/run.sh [HUDDLE_BINARY]
#
# Env: HUDDLE_WEB_DIST  the built dashboard dir, used only when the admin listener does not serve
#                       the dashboard itself (default: <build>/src/web/dashboard next to the binary)
#      SCREENSHOTS      where to write PNGs (default: docs/images; "" for none)
#      CHROMIUM         the browser (default /usr/bin/chromium; exit 77 = skipped when missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
HUDDLE=$(realpath "${1:-${HUDDLE:-$root/build/release/apps/huddle/huddle}}")
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export SCREENSHOTS=${SCREENSHOTS-$root/docs/images}

if [[ ! -x $CHROMIUM ]]; then
  echo "run.sh: $CHROMIUM not found (apt-get install chromium): skipped" >&2
  exit 77
fi
if ! "$HUDDLE" upstream --help >/dev/null 2>&1; then
  echo "run.sh: SKIPPED: $HUDDLE has no 'upstream' command (apps/huddle/main.cc does not dispatch" \
    "the proxy's commands); give the huddle binary of a full build" >&2
  exit 77
fi
if [[ ! -d $here/node_modules/playwright-core ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

# The page's pure modules first (no browser, no cluster).
node --test "$here/unit.test.mjs"

WORK=$(mktemp -d /tmp/huddle-web-test.XXXXXX)
PIDS=()
cleanup() {
  local status=$?
  local pids=("${PIDS[@]}")
  for f in "$WORK"/*.pid; do [[ -f $f ]] && pids+=("$(cat "$f")"); done
  for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if ((status != 0)); then
    # A failed run keeps nothing else: show what the cluster's processes said.
    for f in "$WORK"/*.log; do
      [[ -f $f ]] || continue
      echo "run.sh: --- $(basename "$f") (last 40 lines) ---" >&2
      tail -n 40 "$f" >&2
    done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=cluster.sh
source "$here/cluster.sh"
start_cluster
start_tasks
ADMIN="http://127.0.0.1:$ADMIN_PORT"

if curl -sf "$ADMIN/ui/config.json" >/dev/null 2>&1; then
  BASE=$ADMIN
  echo "run.sh: the admin listener serves the dashboard: $BASE/"
else
  dist=${HUDDLE_WEB_DIST:-$(dirname "$HUDDLE")/../../src/web/dashboard}
  [[ -f $dist/index.html ]] || dist=$(dirname "$HUDDLE")/src/web/dashboard
  if [[ ! -f $dist/index.html ]]; then
    echo "run.sh: no built dashboard at $dist (set HUDDLE_WEB_DIST)" >&2
    exit 1
  fi
  node "$here/serve.mjs" "$dist" "$ADMIN" >"$WORK/serve.out" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do grep -q '^port ' "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  BASE="http://127.0.0.1:$(awk '/^port /{print $2}' "$WORK/serve.out")"
  echo "run.sh: the admin listener does not serve the dashboard yet; serving $dist at $BASE/ in front of $ADMIN"
fi

export BASE ADMIN WORK HUDDLE LISTEN_PORT CONTROL_u3 CONTROL_u4 TASKS_URL
[[ -n $SCREENSHOTS ]] && mkdir -p "$SCREENSHOTS"
status=0
node --test --test-concurrency=1 "$here/dashboard.test.mjs" || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- proxy log (tail)"; tail -20 "$WORK/proxy.log" || true
  echo "--- coordinator log (tail)"; tail -20 "$WORK/coordinator.log" || true
fi
exit $status
