#!/usr/bin/env bash
# Builds bench/e2e/huddle-cli from a configured build directory (default build/h-proxy).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/h-proxy}
cmake --build "$build" --target huddle_proxy >/dev/null
cd "$build"
libs=(src/proxy/libhuddle_proxy.a libhuddle_core_cluster.a libhuddle_core_health.a
      libhuddle_core_thermal.a libhuddle_core_metrics.a libhuddle_core_policy.a
      libhuddle_core_control.a libhuddle_core_stats.a src/common/libhuddle_common.a libhuddle_core.a)
extra=()
for l in libhuddle_core_tasks.a libhuddle_core_waves.a; do [[ -f $l ]] && extra+=("$l"); done
c++ -std=c++23 -O2 -DNDEBUG -DBOOST_BEAST_USE_STD_STRING_VIEW -DBOOST_ASIO_NO_DEPRECATED \
  -I"$root/src" -I"$root/include" "$root/bench/e2e/huddle_cli.cc" -o "$build/huddle-cli" \
  "${libs[@]}" "${extra[@]}" -lyaml-cpp -lpthread
echo "$build/huddle-cli"
c++ -std=c++20 -O2 -DNDEBUG "$root/bench/e2e/loadgen.cc" -o "$build/loadgen" -lpthread
echo "$build/loadgen"
