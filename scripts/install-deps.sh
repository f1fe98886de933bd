#!/usr/bin/env bash
# Installs what building, running and testing rrtc needs, from Debian 12's packages.
#   scripts/install-deps.sh [--test | --bench]
# Idempotent: asks apt-get only for packages that are missing; uses sudo when not root.
set -euo pipefail

# Build and runtime libraries.
packages=(
  build-essential cmake ninja-build pkg-config ccache
  clang libclang-rt-14-dev
  libnice-dev libssl-dev libsrtp2-dev libusrsctp-dev libglib2.0-dev liburing-dev
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libtomlplusplus-dev libspdlog-dev libfmt-dev libhiredis-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# --bench: the load generator's plot (scripts/plot-loadgen.py); heaptrack and ss (iproute2) for
# bench/results/rss/run.sh (--heaptrack, socket queues); perf (linux-perf) for the profiles under
# bench/results/. Installed without recommends: python3-matplotlib recommends python3-scipy, which
# pulls libboost-dev 1.74 and conflicts with the 1.81 packages; python3-munkres is named so apt
# does not reach for scipy to satisfy it.
no_recommends=()
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(python3-matplotlib python3-munkres heaptrack iproute2 linux-perf)
  no_recommends=(--no-install-recommends)
fi
# What the test suite drives: real peers, a TURN server, browsers (Chromium, and Firefox ESR for the
# simulcast interop spec); network namespaces (ip netns)
# and nftables to inject packet loss (tests/integration/netns.py); the openssl command for the
# webhook test's https receiver certificate; redis-server for the cluster tests (tests/cluster).
if [[ "${1:-}" == "--test" ]]; then
  packages+=(coturn python3 python3-aiortc python3-websockets chromium firefox-esr iproute2 nftables
             procps openssl redis-server)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js and npm drive the browser tests; any node >= 18 on PATH will do: Debian 12's nodejs is
# 18.20, which tests/e2e supports (run.mjs instead of --test-concurrency, playwright-core 1.61.1).
if [[ "${1:-}" == "--test" ]]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

if ((${#missing[@]} == 0)); then
  echo "install-deps: nothing missing"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${no_recommends[@]}" "${missing[@]}"
