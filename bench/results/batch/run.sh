#!/usr/bin/env bash
# System calls and CPU per forwarded packet of one rrtc binary under rrtc-loadgen (issue 18,
# batched receive). As scripts/loadgen-run.sh: one media worker, 127.0.0.1 only, rrtc pinned to
# core 1 and the load generator to core 0, both at nice -10. In the middle of each run, once
# media flows and the load generator's warm-up is over, a window of --window seconds counts the
# server's system calls (perf stat on the syscall tracepoints, all threads), its CPU time
# (/proc/<pid>/stat utime+stime, all threads) and rrtc_forward_packets_total from /metrics.
#
#   bench/results/batch/run.sh LABEL RRTC LOADGEN OUT [SCENARIOS] [DURATION] [WINDOW] [-- LOADGEN ARGS]
#
# The README's runs pass `-- --transport-cc off`: on this shared machine a starved server's
# transport-cc estimate pauses video for some subscribers in some runs (either binary), which
# changes the packets forwarded and so the per-packet numbers; without transport-cc the Router
# forwards everything.
#
# Writes OUT/LABEL-<scenario>.{json,txt,perf,window}. The .window line is what the README quotes.
set -euo pipefail
label=$1 rrtc=$(realpath "$2") loadgen=$(realpath "$3") out=$(realpath -m "$4")
scenarios=${5:-"1to10 1to50"}
duration=${6:-14}
window=${7:-8}
extra=()
if [[ $# -ge 8 && "$8" == "--" ]]; then extra=("${@:9}"); fi
root="$(cd "$(dirname "$0")/../../.." && pwd)"
# shellcheck source=scripts/bench-server.sh
source "$root/scripts/bench-server.sh"
bench_priority nice
mkdir -p "$out"
bench_workdir
forwarded() {
  curl -sf "http://127.0.0.1:$1/metrics" | awk '$1 == "rrtc_forward_packets_total" {print $2}'
}
cpu_ticks() {  # utime + stime of every thread, in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat"
}
events=raw_syscalls:sys_enter
for s in recvmsg recvmmsg recvfrom poll ppoll io_uring_enter sendto sendmsg write read futex; do
  events+=",syscalls:sys_enter_$s"
done
hz=$(getconf CLK_TCK)
for scenario in $scenarios; do
  port=$(free_port)
  start_bench_server "$rrtc" "$port" 1 "$out/rrtc.log" || exit 1
  nice -n -10 taskset -c 0 "$loadgen" --url "ws://127.0.0.1:$port/ws" --scenario "$scenario" \
    --duration "$duration" --server-pid "$server_pid" --json "$out/$label-$scenario.json" \
    "${extra[@]}" > "$out/$label-$scenario.txt" 2>&1 &
  loadgen_pid=$!
  # Media flowing, then past the load generator's 2 s warm-up.
  for _ in $(seq 600); do
    n=$(forwarded "$port" || echo 0); [[ "${n:-0}" != "0" ]] && break; sleep 0.1
  done
  sleep 3
  f0=$(forwarded "$port"); c0=$(cpu_ticks "$server_pid"); l0=$(cut -d' ' -f1 /proc/loadavg)
  perf stat -x, -e "$events" -p "$server_pid" -o "$out/$label-$scenario.perf" -- sleep "$window"
  f1=$(forwarded "$port"); c1=$(cpu_ticks "$server_pid"); l1=$(cut -d' ' -f1 /proc/loadavg)
  wait "$loadgen_pid" || true
  stop_bench_server
  total=$(awk -F, '$3 == "raw_syscalls:sys_enter" {print $1}' "$out/$label-$scenario.perf")
  packets=$((f1 - f0))
  awk -v label="$label" -v scenario="$scenario" -v total="$total" -v packets="$packets" \
      -v ticks=$((c1 - c0)) -v hz="$hz" -v l0="$l0" -v l1="$l1" -v window="$window" 'BEGIN {
    printf "%s %s: %d forwarded in %d s, %d syscalls = %.4f per forwarded packet, CPU %.2f us per forwarded packet (%.1f%% of a core), load average %s -> %s\n",
      label, scenario, packets, window, total, total / packets, ticks / hz * 1e6 / packets,
      ticks / hz / window * 100, l0, l1 }' | tee "$out/$label-$scenario.window"
  awk -F, -v packets="$packets" '$1 ~ /^[0-9]+$/ && $1 > 0 {
    printf "  %-36s %10d  %.4f per forwarded packet\n", $3, $1, $1 / packets }' \
    "$out/$label-$scenario.perf" | tee -a "$out/$label-$scenario.window"
done
