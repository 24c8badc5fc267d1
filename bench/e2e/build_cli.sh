#!/usr/bin/env bash
# Builds the `huddle` binary in a configured build directory (default build/release) and the
# load generator next to it. Prints the two paths.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
cmake --build "$build" --target huddle >/dev/null
echo "$build/apps/huddle/huddle"
# -include utility: Boost 1.74's asio uses std::exchange without including <utility>.
c++ -std=c++20 -O2 -DNDEBUG -include utility "$root/bench/e2e/loadgen.cc" -o "$build/loadgen" -lpthread
echo "$build/loadgen"
