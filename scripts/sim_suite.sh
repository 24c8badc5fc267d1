#!/usr/bin/env bash
# Runs the whole simulated benchmark suite (every built-in scenario, every policy, 10 trials) and
# the thermal parameter-sensitivity table; docs/benchmarks/simulated.md quotes what it writes:
#   docs/benchmarks/sim/tables.md        the generated tables (markdown)
#   docs/benchmarks/sim/results.json     every summary row as JSON
#   docs/benchmarks/sim/sensitivity.md   heat x alpha, thermal's p95 in slow_server
#   docs/benchmarks/sim/yardsticks.md    every policy against clairvoyant and lower_bound, the
#                                        default's rank and where it misses (sim_yardsticks.py)
#   docs/benchmarks/sim/*.png            latency and traffic-share plots (needs gnuplot)
# Per-trial CSVs and time series go to build/sim-suite/ (not committed).
# Usage: scripts/sim_suite.sh [path/to/huddle] [extra `huddle sim` flags...]
# The reported seeds are 101-110 (`--seed 101`), not the 1-10 the policies were developed on; a
# `--seed` among the extra flags overrides it.
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
"$huddle" sim --scenario all --seed 101 --out "$work" --json-out "$docs/results.json" "$@" \
  > "$docs/tables.md"
"$huddle" sim --sensitivity --scenario slow_server --seed 101 "$@" > "$docs/sensitivity.md"
/usr/bin/python3 scripts/sim_yardsticks.py "$docs/results.json" > "$docs/yardsticks.md"
cp "$work"/*.png "$docs"/ 2>/dev/null || true
echo "sim_suite: done in $(( $(date +%s) - start )) s; tables in $docs/tables.md" >&2
