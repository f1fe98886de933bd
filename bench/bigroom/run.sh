#!/usr/bin/env bash
# The webinar measurement of issue 18: ONE room, one publisher (audio + 1 Mbit/s video) and
# receive-only subscribers added in steps (rrtc-loadgen's `bigroom` scenario: 100, 200, 400, 600,
# 800, 1000 by default), a window per step, until loss >= 0.1 % or the server's hop latency p99
# >= 5 ms (or a participant fails). Per step: the server's CPU per thread (each media worker's
# share), the loadgen's CPU, forwarded packets/s, loss, hop p50/p99, RSS, load average.
#
#   bench/bigroom/run.sh --rrtc BIN --loadgen BIN --out DIR [--label NAME]
#                        [--mode one|spread] [--workers N] [--server-cpus 1] [--loadgen-cpus 0]
#                        [--loadgen-threads 1] [--config "key = value"]... [--sizes 100,200,...]
#                        [--duration 5] [--priority nice|rt|none] [-- loadgen args]
#
# --mode one (default): the room on one media worker as today, rrtc pinned to core 1 and the
#   loadgen to core 0 (scripts/loadgen-run.sh's layout).
# --mode spread: two media workers, rrtc and the loadgen (two loop threads) both free to use
#   both cores, the room's egress spread over the workers: --config names the spread key (e.g.
#   "spread_min_subscribers = 0"), added to the config as given.
# The individual options override the mode's. Writes DIR/NAME.json (the loadgen's steps), .txt,
# DIR/rrtc.log, DIR/NAME.metrics (the server's /metrics after the last step), and prints the
# table of bench/bigroom/table.py (also DIR/NAME.md).
set -euo pipefail

rrtc="" loadgen="" out="" label="" mode=one duration=5 priority=nice
sizes="100,200,400,600,800,1000"
workers="" server_cpus="" loadgen_cpus="" loadgen_threads=""
config=()
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rrtc) rrtc="$(realpath "$2")"; shift 2 ;;
    --loadgen) loadgen="$(realpath "$2")"; shift 2 ;;
    --out) out="$(realpath -m "$2")"; shift 2 ;;
    --label) label="$2"; shift 2 ;;
    --mode) mode="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --server-cpus) server_cpus="$2"; shift 2 ;;
    --loadgen-cpus) loadgen_cpus="$2"; shift 2 ;;
    --loadgen-threads) loadgen_threads="$2"; shift 2 ;;
    --config) config+=("$2"); shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --priority) priority="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x "$rrtc" && -x "$loadgen" && -n "$out" ]] || { echo "need --rrtc, --loadgen and --out" >&2; exit 2; }
case "$mode" in
  one) : "${workers:=1}" "${server_cpus:=1}" "${loadgen_cpus:=0}" "${loadgen_threads:=1}" ;;
  spread) : "${workers:=2}" "${server_cpus:=0,1}" "${loadgen_cpus:=0,1}" "${loadgen_threads:=2}" ;;
  *) echo "--mode is one or spread" >&2; exit 2 ;;
esac
[[ -n "$label" ]] || label="$mode"
root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=scripts/bench-server.sh
source "$root/scripts/bench-server.sh"
bench_priority "$priority"
mkdir -p "$out"
bench_workdir
# A thousand peers on each side: sockets, timers and WebSockets.
ulimit -n 65536 2>/dev/null || true

largest="${sizes##*,}"
export BENCH_WORKERS="$workers"
export BENCH_MAX_PARTICIPANTS=$((largest + 10))
BENCH_EXTRA_TOML="$(printf '%s\n' "${config[@]}")"
export BENCH_EXTRA_TOML
port="$(free_port)"
start_bench_server "$rrtc" "$port" "$server_cpus" "$out/rrtc.log"
{
  echo "# bench/bigroom/run.sh --mode $mode: workers $workers, rrtc on cpus $server_cpus," \
    "loadgen on cpus $loadgen_cpus with $loadgen_threads loop threads, sizes $sizes," \
    "${duration} s windows, priority $priority, config: ${config[*]:-(none)}"
  echo "# rrtc $rrtc ($(git -C "$root" rev-parse --short HEAD) + working tree), $(date -u +%FT%TZ)," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/$label.txt"
"${prio[@]}" taskset -c "$loadgen_cpus" "$loadgen" --url "ws://127.0.0.1:$port/ws" \
  --scenario bigroom --sizes "$sizes" --threads "$loadgen_threads" --duration "$duration" \
  --connect-timeout 60 --server-pid "$server_pid" --json "$out/$label.json" "${extra[@]}" \
  2>&1 | tee -a "$out/$label.txt"
cp "$work/rrtc.toml" "$out/$label.rrtc.toml"
# The server's counters after the last step (pacing, hand-off drops, bandwidth estimates).
curl -s --max-time 5 "http://127.0.0.1:$port/metrics" > "$out/$label.metrics" || true
stop_bench_server
/usr/bin/python3 "$root/bench/bigroom/table.py" "$out/$label.json" | tee "$out/$label.md"
