#!/bin/bash
# The 400 kbit/s simulcast browser spec N times, each with HOGS busy shell loops beside it on
# the same cores (a stand-in for a slow or shared CI machine), the server at debug level.
# Appends one line per run to OUT/summary.txt and keeps the spec's output and the server's logs
# of both tests. RRTC_E2E_ATTEMPTS=1: each run is one attempt, so failures show.
# Usage: run-loaded.sh LABEL N HOGS OUT   (from anywhere; RRTC_BINARY defaults to build/test/rrtc)
set -u
label=$1 runs=$2 hogs=$3 out=$4
root=$(cd "$(dirname "$0")/../../../.." && pwd)
mkdir -p "$out"
cd "$root/tests/e2e"
for i in $(seq 1 "$runs"); do
  pids=""
  for _ in $(seq 1 "$hogs"); do (while :; do :; done) & pids="$pids $!"; done
  rm -f artifacts/the_publisher*.log artifacts/a_viewer_with*.log
  RRTC_E2E_ATTEMPTS=1 RRTC_E2E_LOG_LEVEL=debug RRTC_BINARY=${RRTC_BINARY:-$root/build/test/rrtc} \
    node run.mjs specs/simulcast_layers.test.js > "$out/sl-$label-$i.log" 2>&1
  rc=$?
  kill $pids 2>/dev/null; wait $pids 2>/dev/null
  echo "$label-$i rc=$rc load=$(cut -d' ' -f1 /proc/loadavg) $(grep -h 'longest stalls\|lifted at\|went from\|back to\|lost .* packets\|AssertionError\|Error: timed out' "$out/sl-$label-$i.log" | head -8 | tr '\n' ' ')" >> "$out/summary.txt"
  cp artifacts/the_publisher*.log "$out/sl-$label-$i-server.log" 2>/dev/null
  cp artifacts/a_viewer_with*.log "$out/sl-$label-$i-tiles-server.log" 2>/dev/null
done
