#!/usr/bin/env bash
# Installs the Debian packages that huddle's build, tests and benchmarks need. Idempotent: it only
# calls apt-get when something is missing, and refreshes the package index first in that case.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang-format
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libboost-all-dev libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libsqlite3-dev libpq-dev libssl-dev postgresql
  python3 gnuplot-nox chromium
  python3-dev pybind11-dev python3-pybind11 python3-pytest
  haproxy nginx-light
  # promtool (Debian ships it in the server's package): the metrics tests check every /metrics.
  prometheus
  clang-16 libclang-rt-16-dev llvm
)
# Node.js builds the dashboard. Machines that already have node and npm (for example from
# NodeSource, whose nodejs conflicts with Debian's npm) keep theirs.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
if [[ -n ${HUDDLE_EXTRA_PACKAGES:-} ]]; then
  read -r -a extra <<<"$HUDDLE_EXTRA_PACKAGES"
  packages+=("${extra[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
((${#missing[@]} == 0)) && exit 0

echo "deps.sh: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "deps.sh: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
