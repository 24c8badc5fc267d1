#!/usr/bin/env bash
# Runs the whole simulated benchmark suite (every built-in scenario, every policy, 10 trials) and
# the thermal parameter-sensitivity table, and regenerates docs/benchmarks/simulated.md's data:
#   docs/benchmarks/sim/tables.md        the generated tables (markdown)
#   docs/benchmarks/sim/results.json     every summary row as JSON
#   docs/benchmarks/sim/sensitivity.md   heat x alpha, thermal's p95 in slow_server
#   docs/benchmarks/sim/*.csv, *.png     per-trial figures, time series and plots (gnuplot)
# Usage: scripts/sim_suite.sh [path/to/huddle] [extra `huddle sim` flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
huddle=${1:-build/release/apps/huddle/huddle}
shift || true
out=docs/benchmarks/sim
mkdir -p "$out"
if ! command -v gnuplot >/dev/null; then
  echo "sim_suite: gnuplot not installed (apt-get install gnuplot-nox): no PNG plots" >&2
fi
start=$(date +%s)
"$huddle" sim --scenario all --out "$out" "$@" > "$out/tables.md"
"$huddle" sim --scenario all --format json "$@" > "$out/results.json"
"$huddle" sim --sensitivity --scenario slow_server "$@" > "$out/sensitivity.md"
echo "sim_suite: done in $(( $(date +%s) - start )) s; tables in $out/tables.md" >&2
