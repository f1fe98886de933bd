#!/usr/bin/env bash
# Runs rrtc-loadgen's scenarios against a Release rrtc pinned to one core, and plots the results.
#
#   scripts/loadgen-run.sh [--build-dir build/bench] [--out bench/results] [--duration 10]
#                          [--scenarios "1to1 1to10 1to50 1to500 audio join-storm ramp"]
#                          [--simulcast "10 50" [--repeats 3] [--label simulcast]]
#                          [--rrtc <rrtc> --loadgen <rrtc-loadgen>]
#                          [--priority nice|rt|none] [-- loadgen args]
#
# Configures the build dir (Release, gcc) unless it exists, builds rrtc and rrtc-loadgen, then for
# each scenario starts a fresh rrtc on a free 127.0.0.1 port (127.0.0.1 its only ICE address,
# one media worker, pinned with `taskset -c 1`), runs the load generator pinned to the other core
# (`taskset -c 0`), writes <out>/<scenario>.json and .txt, and stops rrtc. Finally
# scripts/plot-loadgen.py draws <out>/loadgen.png from the JSON files (needs python3-matplotlib).
# Traffic stays on 127.0.0.1.
#
# --priority: on a machine shared with other work, both processes run at `nice -n -10` (default,
# needs root), or SCHED_FIFO 10 with `rt` (chrt; the kernel's RT throttling still leaves 5 % of
# each core to others), or as they are with `none`. Each step's JSON records the load average
# and how late the load generator's pacing timer woke, so a disturbed run shows.
#
# --simulcast "N...": instead of the scenarios, simulcast against single-stream publishing
# (bench/README.md, "Simulcast"): for each N, one publisher and N receive-only subscribers, run
# without and then with the loadgen's --simulcast, --repeats times, each against a fresh server;
# <out> (default bench/results/simulcast)/loadgen-<label>-<single|simulcast>-n<N>-r<k>.{json,txt},
# then the table of bench/loadgen/simulcast_table.py (medians of the repeats and their ranges,
# with the load average each run started at). --rrtc / --loadgen: run these binaries, configure and build
# nothing (a sanitizer or clang build of your own, or the base commit's server).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build/bench"
out=""
duration=10
scenarios="1to1 1to10 1to50 1to500 audio join-storm ramp"
simulcast_sizes=""
repeats=3
label=simulcast
rrtc=""
loadgen=""
server_core=1
loadgen_core=0
priority=nice
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build="$(realpath -m "$2")"; shift 2 ;;
    --out) out="$(realpath -m "$2")"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --scenarios) scenarios="$2"; shift 2 ;;
    --simulcast) simulcast_sizes="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --label) label="$2"; shift 2 ;;
    --rrtc) rrtc="$(realpath "$2")"; shift 2 ;;
    --loadgen) loadgen="$(realpath "$2")"; shift 2 ;;
    --priority) priority="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

if [[ -z "$out" ]]; then
  out="$root/bench/results"
  [[ -n "$simulcast_sizes" ]] && out="$root/bench/results/simulcast"
fi
if [[ -n "$rrtc" || -n "$loadgen" ]]; then
  [[ -x "$rrtc" && -x "$loadgen" ]] || { echo "--rrtc and --loadgen go together" >&2; exit 2; }
else
  "$root/scripts/install-deps.sh" --bench
  rrtc="$build/rrtc"
  loadgen="$build/bench/loadgen/rrtc-loadgen"
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    gen=()
    command -v ninja >/dev/null && gen=(-G Ninja)
    cmake -S "$root" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DRRTC_BUILD_TESTS=OFF \
      -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++
  fi
  cmake --build "$build" -j2 --target rrtc rrtc-loadgen
fi
# shellcheck source=scripts/bench-server.sh
source "$root/scripts/bench-server.sh"
bench_priority "$priority"
mkdir -p "$out"
bench_workdir

start_server() { start_bench_server "$rrtc" "$1" "$server_core" "$out/rrtc.log"; }

: > "$out/rrtc.log"
# One loadgen run against a fresh server: run <name> <loadgen args...>.
run() {
  local name="$1" port
  shift
  port="$(free_port)"
  start_server "$port"
  echo "== $name (rrtc pid $server_pid on 127.0.0.1:$port, core $server_core, load $(cut -d' ' -f1-3 /proc/loadavg))"
  "${prio[@]}" taskset -c "$loadgen_core" "$loadgen" --url "ws://127.0.0.1:$port/ws" \
    --duration "$duration" --server-pid "$server_pid" --json "$out/$name.json" "$@" "${extra[@]}" \
    2>&1 | tee "$out/$name.txt"
  stop_bench_server
}

if [[ -n "$simulcast_sizes" ]]; then
  for n in $simulcast_sizes; do
    for k in $(seq "$repeats"); do
      run "loadgen-$label-single-n$n-r$k" --scenario custom --publishers 1 --subscribers "$n"
      run "loadgen-$label-simulcast-n$n-r$k" --scenario custom --publishers 1 --subscribers "$n" \
        --simulcast
    done
  done
  /usr/bin/python3 "$root/bench/loadgen/simulcast_table.py" "$out"/loadgen-"$label"-*.json
  echo "results in $out"
  exit 0
fi

for scenario in $scenarios; do
  run "$scenario" --scenario "$scenario"
done

# rrtc-floor results in <out>/floor/ (bench/README.md) draw the floor into the CPU plot.
shopt -s nullglob
/usr/bin/python3 "$root/scripts/plot-loadgen.py" --out "$out/loadgen.png" "$out"/*.json "$out"/floor/*.json
echo "results in $out"
