#!/usr/bin/env bash
# Runs the whole simulated benchmark suite (every built-in scenario, every policy, 10 trials) and
# the thermal parameter-sensitivity table; docs/benchmarks/simulated.md quotes what it writes:
#   docs/benchmarks/sim/tables.md        the generated tables (markdown)
#   docs/benchmarks/sim/results.json     every summary row as JSON
#   docs/benchmarks/sim/sensitivity.md   heat x alpha, thermal's p95 in slow_server
#   docs/benchmarks/sim/*.png            latency and traffic-share plots (needs gnuplot)
# Per-trial CSVs and time series go to build/sim-suite/ (not committed).
# Usage: scripts/sim_suite.sh [path/to/huddle] [extra `huddle sim` flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
huddle=${1:-build/release/apps/huddle/huddle}
shift || true
docs=docs/benchmarks/sim
work=build/sim-suite
mkdir -p "$docs" "$work"
if ! command -v gnuplot >/dev/null; then
  echo "sim_suite: gnuplot not installed (apt-get install gnuplot-nox): no PNG plots" >&2
fi
start=$(date +%s)
"$huddle" sim --scenario all --out "$work" "$@" > "$docs/tables.md"
"$huddle" sim --scenario all --format json "$@" > "$docs/results.json"
"$huddle" sim --sensitivity --scenario slow_server "$@" > "$docs/sensitivity.md"
cp "$work"/*.png "$docs"/ 2>/dev/null || true
echo "sim_suite: done in $(( $(date +%s) - start )) s; tables in $docs/tables.md" >&2
