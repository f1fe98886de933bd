#!/usr/bin/env bash
# Interleaved A/B of rrtc's io_uring sends against plain sendmsg, with one Release binary: the
# config key io_uring (IO_URING=auto, then IO_URING=off) is the only difference. Each pair runs
# the loadgen's `rooms` scenario with --rooms rooms of 10 (8: about 125,000 forwarded packets/s)
# through scripts/loadgen-run.sh (rrtc on core 1, the loadgen on core 0), and the script prints
# the server's CPU per forwarded packet of every run and the medians.
#
#   scripts/io-uring-ab.sh [--pairs 5] [--rooms 8] [--duration 5] [--priority rt]
#                          [--build-dir build/bench] [--out bench/results/io-uring-ab]
#
# Results: <out>/uring-<n>/rooms.{json,txt} and <out>/off-<n>/rooms.{json,txt}, and the summary
# in <out>/summary.txt. A busy machine shows in each JSON's load average: compare only pairs
# measured on a quiet one.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
pairs=5
rooms=8
duration=5
priority=rt
build="$root/build/bench"
out="$root/bench/results/io-uring-ab"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pairs) pairs="$2"; shift 2 ;;
    --rooms) rooms="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --priority) priority="$2"; shift 2 ;;
    --build-dir) build="$(realpath -m "$2")"; shift 2 ;;
    --out) out="$(realpath -m "$2")"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
for ((n = 1; n <= pairs; n++)); do
  for mode in uring off; do
    setting=auto
    [[ "$mode" == off ]] && setting=off
    IO_URING="$setting" "$root/scripts/loadgen-run.sh" --build-dir "$build" \
      --out "$out/$mode-$n" --scenarios rooms --priority "$priority" --duration "$duration" \
      -- --rooms "$rooms" >/dev/null
  done
done
/usr/bin/python3 - "$out" "$pairs" <<'PY' | tee "$out/summary.txt"
import json, statistics, sys
out, pairs = sys.argv[1], int(sys.argv[2])
print(f"server CPU per forwarded packet (us), rooms scenario, {pairs} interleaved pairs")
medians = {}
for mode, name in (("uring", "io_uring (IO_URING=auto)"), ("off", "sendmsg (IO_URING=off)")):
    values, loads = [], []
    for n in range(1, pairs + 1):
        step = json.load(open(f"{out}/{mode}-{n}/rooms.json"))["steps"][0]
        values.append(step["server"]["cpu_per_forwarded_packet_us"])
        loads.append(step["loadavg"])
    medians[mode] = statistics.median(values)
    print(f"{name}: {' '.join(f'{v:.2f}' for v in values)}  median {medians[mode]:.2f}"
          f"  fwd_pps {step['forwarded_pps']:.0f}  load average {loads}")
PY
