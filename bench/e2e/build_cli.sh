#!/usr/bin/env bash
# Builds the `huddle` binary in a configured build directory (default build/release) and the
# load generator next to it. Prints the two paths.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
cmake --build "$build" --target huddle >/dev/null
echo "$build/apps/huddle/huddle"
c++ -std=c++20 -O2 -DNDEBUG "$root/bench/e2e/loadgen.cc" -o "$build/loadgen" -lpthread
echo "$build/loadgen"
