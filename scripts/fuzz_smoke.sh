#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset, tests/fuzz/) and runs each from its seed corpus.
#   scripts/fuzz_smoke.sh               CI: FUZZ_RUNS inputs per target (default 20000), a few
#                                       minutes in all; every committed seed runs first, so a kept
#                                       reproducer (corpus/<target>/finding-*) fails until fixed.
#   scripts/fuzz_smoke.sh --long [T..]  `make fuzz`: FUZZ_SECONDS per target (default 600), the
#                                       working corpus kept in build/fuzz/corpus/<target>.
# Crash inputs go to build/fuzz/artifacts/<target>/. One line per target: inputs run, exec/s,
# verdict; exits non-zero when any target found a crash, a leak or a timeout.
set -euo pipefail
cd "$(dirname "$0")/.."

long=0
if [[ ${1:-} == --long ]]; then
  long=1
  shift
fi
build=build/fuzz
fuzz_dir=tests/fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

targets=("$@")
if ((${#targets[@]} == 0)); then
  for source in "$fuzz_dir"/*_fuzz.cc; do
    name=$(basename "$source" _fuzz.cc)
    targets+=("$name")
  done
fi

# HTTP targets get the HTTP token dictionary.
dict_for() {
  case $1 in
    request_head | response_head | chunked_scanner | body_framing | upstream_head_round_trip)
      echo "-dict=$fuzz_dir/http.dict" ;;
  esac
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
command -v llvm-symbolizer >/dev/null && export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer)}

failed=()
printf '%-26s %12s %10s  %s\n' target inputs exec/s verdict
for t in "${targets[@]}"; do
  binary=$build/tests/fuzz/fuzz_$t
  seeds=$fuzz_dir/corpus/$t
  artifacts=$build/artifacts/$t/
  mkdir -p "$artifacts"
  if ((long)); then
    work=$build/corpus/$t
    limit=(-max_total_time="${FUZZ_SECONDS:-600}")
  else
    work=$scratch/$t
    limit=(-runs="${FUZZ_RUNS:-20000}")
  fi
  mkdir -p "$work"
  log=$build/artifacts/$t.log
  # New inputs go to the first (working) directory; the committed seeds stay as written.
  set +e
  "$binary" "$work" "$seeds" "${limit[@]}" -max_len=4096 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts" $(dict_for "$t") >"$log" 2>&1
  rc=$?
  set -e
  inputs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  verdict=ok
  if ((rc != 0)); then
    verdict="FAILED (rc $rc): $(grep -m1 -E 'FUZZ_CHECK failed|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' "$log" || echo see "$log"); log $log"
    failed+=("$t")
  fi
  printf '%-26s %12s %10s  %s\n' "$t" "${inputs:-?}" "${rate:-?}" "$verdict"
done
if ((${#failed[@]} > 0)); then
  echo "fuzz: findings in ${failed[*]} (reproducers in $build/artifacts/)" >&2
  exit 1
fi
