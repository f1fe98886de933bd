#!/usr/bin/env bash
# Where rrtc's own time goes (issue 18): perf samples of one Release rrtc (built with -g) under
# one load-generator scenario, per thread and symbol. Writes the text reports, never perf.data.
#
#   bench/results/cost/profile.sh RRTC LOADGEN OUTDIR SCENARIO [WORKERS] [SERVER_CPUS] [-- loadgen args]
#
# SCENARIO is "1to10" / "1to50" (one worker, rrtc on core 1, the loadgen on core 0, both
# SCHED_FIFO 10, as bench/forward/floor-run.sh --priority rt) or "bigroom:N" (N subscribers of
# one publisher; with WORKERS=2 and BENCH_EXTRA_TOML="spread_min_subscribers = 0" the spread
# room of bench/bigroom/run.sh --mode spread, rrtc and loadgen on cores 0-1). The loadgen runs
# 30 s (per bigroom step); perf samples every thread of rrtc at 999 Hz for 10 s from the 12th
# second (PROFILE_WAIT: for bigroom, once every subscriber is connected), first without call graphs (self time per thread and symbol),
# then with DWARF call graphs for the callers (caller report, children).
set -euo pipefail
rrtc="$(realpath "$1")" loadgen="$(realpath "$2")" out="$(realpath -m "$3")" scenario="$4"
workers="${5:-1}" cpus="${6:-1}"
shift 4; [[ $# -gt 0 && "$1" != "--" ]] && shift; [[ $# -gt 0 && "$1" != "--" ]] && shift
[[ $# -gt 0 && "$1" == "--" ]] && shift
extra=("$@")
root="$(cd "$(dirname "$0")/../../.." && pwd)"
source "$root/scripts/bench-server.sh"
bench_priority rt
bench_workdir
mkdir -p "$out"
export BENCH_WORKERS="$workers"
port="$(free_port)"
start_bench_server "$rrtc" "$port" "$cpus" "$out/rrtc.log"
lg_cpus=0; [[ "$workers" -gt 1 ]] && lg_cpus="0-1"
args=(--scenario "$scenario" --duration 30)
if [[ "$scenario" == bigroom:* ]]; then
  args=(--scenario bigroom --sizes "${scenario#bigroom:}" --duration 30 --connect-timeout 60
        --threads "$workers")
  ulimit -n 65536 2>/dev/null || true
fi
{ echo "# $(date -u +%FT%TZ) $0 $rrtc $scenario workers=$workers cpus=$cpus extra=${BENCH_EXTRA_TOML:-} ${extra[*]:-}"
  echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"; } > "$out/commands.txt"
"${prio[@]}" taskset -c "$lg_cpus" "$loadgen" --url "ws://127.0.0.1:$port/ws" "${args[@]}" \
  --server-pid "$server_pid" --json "$out/loadgen.json" "${extra[@]}" > "$out/loadgen.txt" 2>&1 &
lg=$!
# Sample once the media flows: one publisher's N copies, or every bigroom subscriber connected.
sleep "${PROFILE_WAIT:-12}"
perf record -F 999 -p "$server_pid" -o "$work/flat.data" -- sleep 10 2> "$out/perf-record.txt"
perf record -F 499 --call-graph dwarf,16384 -p "$server_pid" -o "$work/cg.data" -- sleep 4 2>> "$out/perf-record.txt"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/commands.txt"
wait "$lg" || true
# The top of each report (head would end perf report with SIGPIPE under pipefail: file first).
top() { local lines="$1" file="$2"; shift 2; perf report "$@" --stdio > "$work/report.txt" 2>/dev/null || true
  grep -v '^$' "$work/report.txt" | head -"$lines" > "$out/$file" || true; }
top 40 by-thread.txt -i "$work/flat.data" --no-children --sort comm
top 150 by-thread-symbol.txt -i "$work/flat.data" --no-children --sort comm,dso,sym
top 60 by-dso.txt -i "$work/flat.data" --no-children --sort dso
top 100 by-symbol.txt -i "$work/flat.data" --no-children --sort dso,sym
top 150 children.txt -i "$work/cg.data" --children --sort sym -g none --percent-limit 1.5
top 600 callers.txt -i "$work/cg.data" --no-children --sort sym -g caller,0.5,callee,function,percent --percent-limit 2
echo "perf reports in $out"
