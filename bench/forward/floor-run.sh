#!/usr/bin/env bash
# Memory per subscriber and CPU per forwarded packet of one rrtc binary, beside rrtc-floor's
# io-uring variant: the before/after numbers of issue 18's "one stored copy" and "written once".
#
#   bench/forward/floor-run.sh --rrtc BIN --loadgen BIN --floor BIN --out DIR [--duration 8]
#                              [--scenarios "1to1 1to10 1to50 1to500"] [--no-floor]
#                              [--priority nice|rt|none] [-- loadgen args]
#
# As scripts/loadgen-run.sh does it (which builds its own binaries; this one takes them, so a
# base commit's rrtc and the tree's can be measured with one load generator): for each scenario a
# fresh rrtc (one media worker, 127.0.0.1 its only ICE address, pinned to core 1 with
# `taskset -c 1`), the load generator pinned to core 0, both at `nice -n -10` (or SCHED_FIFO 10
# with `--priority rt`, for a machine busy with other work); DIR/<scenario>.json
# and .txt. Then rrtc-floor's io-uring variant at N = 10 and 50 (same cores, 3 s each):
# DIR/floor-n10.json, DIR/floor-n50.json; and, when the 1to10 / 1to50 scenario ran, paced at the
# packets/s rrtc forwarded in it (DIR/floor-n<N>-paced.json). Every JSON records the load average.
# Per subscriber memory: (VmHWM of 1to500 - VmHWM of 1to1) / (participants connected in 1to500
# - in 1to1).
set -euo pipefail

rrtc="" loadgen="" floor="" out="" duration=8 scenarios="1to1 1to10 1to50 1to500" run_floor=1
priority=nice
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rrtc) rrtc="$(realpath "$2")"; shift 2 ;;
    --loadgen) loadgen="$(realpath "$2")"; shift 2 ;;
    --floor) floor="$(realpath "$2")"; shift 2 ;;
    --out) out="$(realpath -m "$2")"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --scenarios) scenarios="$2"; shift 2 ;;
    --no-floor) run_floor=0; shift ;;
    --priority) priority="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x "$rrtc" && -x "$loadgen" && -n "$out" ]] || { echo "need --rrtc, --loadgen and --out" >&2; exit 2; }
root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=scripts/bench-server.sh
source "$root/scripts/bench-server.sh"
bench_priority "$priority"
mkdir -p "$out"
bench_workdir

for scenario in $scenarios; do
  port="$(free_port)"
  start_bench_server "$rrtc" "$port" 1 "$out/rrtc.log" || exit 1
  echo "== $scenario ($(cut -d' ' -f1-3 /proc/loadavg))"
  "${prio[@]}" taskset -c 0 "$loadgen" --url "ws://127.0.0.1:$port/ws" --scenario "$scenario" \
    --duration "$duration" --server-pid "$server_pid" --json "$out/$scenario.json" \
    "${extra[@]}" 2>&1 | tee "$out/$scenario.txt"
  stop_bench_server
done

if [[ $run_floor == 1 && -x "$floor" ]]; then
  for n in 10 50; do
    echo "== rrtc-floor io-uring N=$n ($(cut -d' ' -f1-3 /proc/loadavg))"
    "${prio[@]}" "$floor" --subscribers "$n" --cpu 1 --drain-cpu 0 --seconds 3 --variant io-uring \
      --json "$out/floor-n$n.json" | tee "$out/floor-n$n.txt"
    # And paced at the rate rrtc forwarded in the 1to<n> scenario: the floor woken once per
    # incoming packet, as rrtc is, so wake-up costs are in both figures.
    if [[ -f "$out/1to$n.json" ]]; then
      pps="$(/usr/bin/python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["steps"][-1]["forwarded_pps"]))' "$out/1to$n.json")"
      if [[ "$pps" -gt 0 ]]; then
        echo "== rrtc-floor io-uring N=$n paced at $pps packets/s ($(cut -d' ' -f1-3 /proc/loadavg))"
        "${prio[@]}" "$floor" --subscribers "$n" --cpu 1 --drain-cpu 0 --seconds 3 \
          --variant io-uring --pps "$pps" --json "$out/floor-n$n-paced.json" \
          | tee "$out/floor-n$n-paced.txt"
      fi
    fi
  done
fi
/usr/bin/python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
def step(name):
    path = os.path.join(out, name + ".json")
    if not os.path.exists(path):
        return None
    data = json.load(open(path))
    steps = data.get("steps") or data.get("windows") or [data]
    return steps[-1]
rows = {}
for s in ("1to1", "1to10", "1to50", "1to500", "rooms"):
    st = step(s)
    if st is None:
        continue
    server = st.get("server", {})
    rows[s] = server
    print(f"{s}: cpu/fwd {server.get('cpu_per_forwarded_packet_us')} us, VmHWM "
          f"{server.get('rss_peak_kb')} kB, loss {st.get('loss')}, load {st.get('loadavg')}")
if "1to1" in rows and "1to500" in rows:
    # Per participant connected beyond 1to1's two (a loaded machine may connect fewer than 501).
    extra = step("1to500")["connected"] - step("1to1")["connected"]
    per = (rows["1to500"]["rss_peak_kb"] - rows["1to1"]["rss_peak_kb"]) / max(extra, 1)
    print(f"RSS per subscriber: {per:.1f} kB ({extra} more participants connected than in 1to1)")
PY
