#!/usr/bin/env bash
# Memory per subscriber of one rrtc binary (issue 18: "RSS per subscriber under 50 KB"), and
# where it goes.
#
#   bench/results/rss/run.sh --rrtc BIN --loadgen BIN --out DIR [--sizes "1 50 500"]
#                            [--duration 8] [--priority nice|rt|none] [--heaptrack N]
#
# For each size N: a fresh rrtc started as every benchmark starts it (scripts/bench-server.sh: one
# media worker, 127.0.0.1 only, pinned to core 1), one publisher (audio + 1 Mbit/s video) and N
# subscribers from rrtc-loadgen (`--scenario custom`, pinned to core 0) for --duration seconds.
# Written per size: DIR/n<N>.json and .txt (the loadgen's: VmHWM as server.rss_peak_kb) and
# DIR/n<N>.mem, the server's memory sampled every second while the loadgen runs, the sample with
# the largest VmRSS kept: /proc/PID/status (VmHWM, VmRSS, RssAnon, RssFile), smaps_rollup, the
# number of sockets it holds, the UDP slab's object size, and the receive / send queue bytes of
# its sockets (`ss -m`: kernel memory, which RSS does not count). DIR/summary.txt: per size the
# VmHWM and VmRSS, and per subscriber (value(N) - value(smallest size)) / (N - smallest size).
#
# --heaptrack N: instead, one run of size N under heaptrack (the rrtc binary's allocations by
# call stack; needs heaptrack from Debian): DIR/heaptrack-n<N>.zst and DIR/heaptrack-n<N>.txt
# (heaptrack_print's peak consumers). The process is slower under heaptrack, so N of 50 to 100.
set -euo pipefail

rrtc="" loadgen="" out="" duration=8 sizes="1 50 500" priority=nice heaptrack_n=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rrtc) rrtc="$(realpath "$2")"; shift 2 ;;
    --loadgen) loadgen="$(realpath "$2")"; shift 2 ;;
    --out) out="$(realpath -m "$2")"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --priority) priority="$2"; shift 2 ;;
    --heaptrack) heaptrack_n="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x "$rrtc" && -x "$loadgen" && -n "$out" ]] || { echo "need --rrtc, --loadgen and --out" >&2; exit 2; }
root="$(cd "$(dirname "$0")/../../.." && pwd)"
# shellcheck source=scripts/bench-server.sh
source "$root/scripts/bench-server.sh"
bench_priority "$priority"
mkdir -p "$out"
bench_workdir

# One snapshot of the server's memory, as "key value" lines.
snapshot() {
  local pid="$1"
  grep -E '^(VmHWM|VmRSS|RssAnon|RssFile|RssShmem):' "/proc/$pid/status" | tr -s ' \t' ' '
  sed -n '2,$p' "/proc/$pid/smaps_rollup" | tr -s ' \t' ' ' | sed 's/^/smaps_/'
  echo "sockets $(find "/proc/$pid/fd" -lname 'socket:*' 2>/dev/null | wc -l)"
  echo "udp_slab_object_bytes $(awk '$1 == "UDP" {print $4}' /proc/slabinfo)"
  # Kernel memory held in the server's socket queues (rmem_alloc + wmem_alloc of each socket).
  ss -uamnp 2>/dev/null | awk -v pid="pid=$pid," '
    index($0, pid) { want = 1; next }
    want && /skmem/ { match($0, /r[0-9]+/); r += substr($0, RSTART + 1, RLENGTH - 1);
                      match($0, /,t[0-9]+/); t += substr($0, RSTART + 2, RLENGTH - 2); want = 0 }
    END { printf "socket_rmem_bytes %d\nsocket_wmem_bytes %d\n", r, t }'
}

# Samples every second while `watch_pid` lives; keeps the snapshot with the largest VmRSS.
sample_memory() {
  local pid="$1" watch_pid="$2" file="$3" best=0 rss
  while kill -0 "$watch_pid" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do
    rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
    if [[ -n "$rss" && "$rss" -gt "$best" ]]; then
      best="$rss"
      snapshot "$pid" > "$file.tmp" 2>/dev/null && mv "$file.tmp" "$file"
    fi
    sleep 1
  done
}

if [[ -n "$heaptrack_n" ]]; then
  command -v heaptrack >/dev/null || { echo "heaptrack is not installed" >&2; exit 2; }
  wrapper="$work/rrtc-heaptrack.sh"
  printf '#!/bin/sh\nexec heaptrack -o %s %s "$@"\n' "$out/heaptrack-n$heaptrack_n" "$rrtc" > "$wrapper"
  chmod +x "$wrapper"
  port="$(free_port)"
  start_bench_server "$wrapper" "$port" 1 "$out/rrtc.log" || exit 1
  echo "== heaptrack, 1 -> $heaptrack_n ($(cut -d' ' -f1-3 /proc/loadavg))"
  "${prio[@]}" taskset -c 0 "$loadgen" --url "ws://127.0.0.1:$port/ws" --scenario custom \
    --publishers 1 --subscribers "$heaptrack_n" --duration "$duration" \
    --json "$out/heaptrack-n$heaptrack_n.json" 2>&1 | tee "$out/heaptrack-n$heaptrack_n.loadgen.txt"
  # The server's pid is heaptrack's shell script: stop rrtc, its child, and wait for the script,
  # which ends once heaptrack has written its file.
  rrtc_pid="$(pgrep -P "$server_pid" -f "$rrtc" | head -n 1)"
  [[ -n "$rrtc_pid" ]] && kill "$rrtc_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  heaptrack_print -f "$out/heaptrack-n$heaptrack_n".*zst --print-peaks 1 --print-allocators 0 \
    --print-temporary 0 --print-leaks 0 --peak-limit 40 --sub-peak-limit 3 \
    > "$out/heaptrack-n$heaptrack_n.txt"
  grep -E '^(peak heap memory|total memory leaked|calls to allocation)' "$out/heaptrack-n$heaptrack_n.txt" || true
  exit 0
fi

for n in $sizes; do
  port="$(free_port)"
  start_bench_server "$rrtc" "$port" 1 "$out/rrtc.log" || exit 1
  echo "== 1 -> $n ($(cut -d' ' -f1-3 /proc/loadavg))"
  "${prio[@]}" taskset -c 0 "$loadgen" --url "ws://127.0.0.1:$port/ws" --scenario custom \
    --publishers 1 --subscribers "$n" --duration "$duration" --server-pid "$server_pid" \
    --json "$out/n$n.json" > "$out/n$n.txt" 2>&1 &
  loadgen_pid=$!
  sample_memory "$server_pid" "$loadgen_pid" "$out/n$n.mem"
  wait "$loadgen_pid" || true
  tail -n 3 "$out/n$n.txt"
  stop_bench_server
done

/usr/bin/python3 - "$out" $sizes <<'PY' | tee "$out/summary.txt"
import json, sys
out, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
rows = {}
for n in sizes:
    step = json.load(open(f"{out}/n{n}.json"))["steps"][-1]
    mem = dict(line.split(" ", 1) for line in open(f"{out}/n{n}.mem").read().splitlines())
    kb = lambda key: int(mem[key].split()[0])
    rows[n] = dict(connected=step["connected"], hwm=step["server"]["rss_peak_kb"], rss=kb("VmRSS:"),
                   anon=kb("RssAnon:"), sockets=int(mem["sockets"]),
                   rmem=int(mem["socket_rmem_bytes"]), load=step["loadavg"]["start"],
                   loss=step["loss"])
print("size connected VmHWM_kB VmRSS_kB RssAnon_kB sockets socket_queues_kB loss load")
for n, r in rows.items():
    print(n, r["connected"], r["hwm"], r["rss"], r["anon"], r["sockets"], r["rmem"] // 1024,
          f'{r["loss"]:.4f}', r["load"])
base = rows[sizes[0]]
for n, r in rows.items():
    if n == sizes[0]:
        continue
    added = r["connected"] - base["connected"]
    if added <= 0:
        continue
    print(f"per subscriber, 1->{sizes[0]} to 1->{n} ({added} added): "
          f"VmHWM {(r['hwm'] - base['hwm']) / added:.1f} KB, "
          f"VmRSS {(r['rss'] - base['rss']) / added:.1f} KB, "
          f"RssAnon {(r['anon'] - base['anon']) / added:.1f} KB, "
          f"sockets {(r['sockets'] - base['sockets']) / added:.2f}")
PY
