#!/usr/bin/env bash
# Runs every Google Benchmark executable of a build and writes JSON results next to it, then
# renders docs/benchmarks/core-tables.md from them. Usage: scripts/run_benchmarks.sh build/release
set -euo pipefail
build=${1:-build/release}
out="$build/bench-results"
mkdir -p "$out"
shopt -s nullglob
ran=()
for exe in "$build"/bench/*_benchmark; do
  name=$(basename "$exe")
  echo "== $name"
  # Pin to one core when taskset exists: the machines are noisy, a fixed core makes runs comparable.
  pin=()
  command -v taskset >/dev/null && pin=(taskset -c 1)
  "${pin[@]}" "$exe" --benchmark_out="$out/$name.json" --benchmark_out_format=json \
    --benchmark_min_time=0.2 ${BENCH_FILTER:+--benchmark_filter="$BENCH_FILTER"}
  ran+=("$out/$name.json")
done
if ((${#ran[@]})); then
  python3 scripts/bench_report.py "${ran[@]}" > docs/benchmarks/core-tables.md
  echo "wrote docs/benchmarks/core-tables.md (docs/benchmarks/core.md quotes it)"
fi
