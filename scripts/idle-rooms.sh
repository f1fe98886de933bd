#!/usr/bin/env bash
# What idle participants cost the server: CPU and wake-ups of rrtc with rooms full of connected
# participants who send no media.
#
#   scripts/idle-rooms.sh --rrtc PATH --loadgen PATH --label NAME [--rooms 50] [--seconds 30]
#                         [--out bench/results/idle] [--settle 5] [--priority nice|rt|none]
#
# Starts the given rrtc like scripts/loadgen-run.sh does (a free 127.0.0.1 port, 127.0.0.1 its
# only ICE address, one media worker, pinned with `taskset -c 1`), and the given rrtc-loadgen
# pinned to core 0 with `--scenario custom --rooms N --publishers 0 --subscribers 2`: N rooms of
# two receive-only participants, each offering one data-channel m-line, so nobody sends media.
# The loadgen sends no RTCP either while it receives no stream; what remains is ICE consent /
# keepalive traffic and the server's own timers.
#
# Once the loadgen says every participant is connected and /metrics agrees (rrtc_media_peers and
# rrtc_media_peers_connected_total = 2 N, rrtc_media_peers_failed_total = 0), it waits --settle
# seconds, then reads rrtc's CPU time (utime + stime of /proc/PID/stat, all threads) and context
# switches (voluntary + nonvoluntary of /proc/PID/task/*/status: /proc/PID/status alone counts
# only the main thread) at the start and end of --seconds of idleness, without touching the
# server in between (no /metrics scrape). It writes <out>/<label>.json and <out>/<label>.txt:
# rooms, participants connected, seconds, CPU seconds, CPU % of one core, context switches per
# second, plus a per-thread breakdown, the schedstat run time (ns resolution; utime + stime come
# in 10 ms ticks), how long rrtc was runnable but waiting for a CPU (schedstat: other work on its
# core), the DTLS/SRTP datagrams it received and the RTP/RTCP it sent around the window (/metrics
# scraped just before the settle time and just after the window) and the load average.
#
# The loadgen's measurement window (--duration) is made to outlast ours, so its own /metrics and
# /proc samples fall outside our window; its JSON and text go to <out>/<label>.loadgen.json and
# .loadgen.txt (its server CPU covers its longer window, our scrapes included).
#
# --priority as in loadgen-run.sh: both processes at `nice -n -10` (default, needs root),
# SCHED_FIFO 10 (`rt`), or as they are (`none`). Every process started here is stopped on exit.
# Only 127.0.0.1 is used.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
rrtc=""
loadgen=""
label=""
rooms=50
seconds=30
settle=5
out="$root/bench/results/idle"
priority=nice
server_core=1
loadgen_core=0
usage() {
  sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rrtc) rrtc="$(realpath -m "$2")"; shift 2 ;;
    --loadgen) loadgen="$(realpath -m "$2")"; shift 2 ;;
    --label) label="$2"; shift 2 ;;
    --rooms) rooms="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --settle) settle="$2"; shift 2 ;;
    --out) out="$(realpath -m "$2")"; shift 2 ;;
    --priority) priority="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown option $1" >&2; usage ;;
  esac
done
[[ -n "$rrtc" && -n "$loadgen" && -n "$label" ]] || usage
[[ -x "$rrtc" ]] || { echo "no executable rrtc at $rrtc" >&2; exit 2; }
[[ -x "$loadgen" ]] || { echo "no executable rrtc-loadgen at $loadgen" >&2; exit 2; }
[[ "$rooms" =~ ^[1-9][0-9]*$ ]] || { echo "--rooms is a positive integer" >&2; exit 2; }
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "--seconds is a positive integer" >&2; exit 2; }
[[ "$settle" =~ ^[0-9]+$ ]] || { echo "--settle is an integer >= 0" >&2; exit 2; }
[[ "$label" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "--label: letters, digits, . _ -" >&2; exit 2; }
# shellcheck source=scripts/bench-server.sh
source "$(dirname "$0")/bench-server.sh"
bench_priority "$priority"
participants=$((rooms * 2))
# The loadgen keeps everyone connected for its window: ours (settle + seconds) plus slack for
# polling and scraping, so that its closing samples come after our window.
loadgen_duration=$((settle + seconds + 8))
connect_timeout=60

mkdir -p "$out"
work="$(mktemp -d)"
server_pid=""
loadgen_pid=""
stop_pid() {  # pid: SIGTERM, then SIGKILL after 5 s
  local pid="$1"
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$loadgen_pid"
  stop_pid "$server_pid"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(free_port)"
if ! start_bench_server "$rrtc" "$port" "$server_core" "$work/rrtc.log"; then
  echo "its log:" >&2
  cat "$work/rrtc.log" >&2
  exit 1
fi
echo "== idle rooms: rrtc pid $server_pid ($(cat /proc/$server_pid/comm)) on 127.0.0.1:$port," \
  "core $server_core; $rooms rooms x 2 receive-only participants"

"${prio[@]}" taskset -c "$loadgen_core" "$loadgen" --url "ws://127.0.0.1:$port/ws" \
  --scenario custom --rooms "$rooms" --publishers 0 --subscribers 2 \
  --duration "$loadgen_duration" --warmup 0 --connect-timeout "$connect_timeout" \
  --server-pid "$server_pid" --json "$work/loadgen.json" >"$work/loadgen.txt" 2>&1 &
loadgen_pid=$!

metric() {  # file name: the value of an unlabelled sample, or nothing
  awk -v n="$2" '$1 == n { print $2; exit }' "$1"
}
scrape() {  # file
  curl -sf "http://127.0.0.1:$port/metrics" -o "$1"
}

# Wait for the loadgen's "<c> of <n> connected" line, then for /metrics to show them all.
deadline=$((SECONDS + connect_timeout + 30))
loadgen_connected=""
while [[ -z "$loadgen_connected" ]]; do
  loadgen_connected="$(sed -n 's/^ *\([0-9]*\) of \([0-9]*\) connected.*/\1/p' "$work/loadgen.txt")"
  if [[ -z "$loadgen_connected" ]]; then
    if ! kill -0 "$loadgen_pid" 2>/dev/null || ((SECONDS > deadline)); then
      echo "the loadgen never reported its participants connected:" >&2
      cat "$work/loadgen.txt" >&2
      exit 1
    fi
    sleep 0.2
  fi
done
ok=0
for _ in $(seq 50); do
  scrape "$work/metrics-before"
  peers="$(metric "$work/metrics-before" rrtc_media_peers)"
  connected_total="$(metric "$work/metrics-before" rrtc_media_peers_connected_total)"
  failed_total="$(metric "$work/metrics-before" rrtc_media_peers_failed_total)"
  if [[ "$peers" == "$participants" && "$connected_total" == "$participants" && \
        "${failed_total:-0}" == "0" ]]; then
    ok=1
    break
  fi
  sleep 0.2
done
if [[ $ok -ne 1 || "$loadgen_connected" != "$participants" ]]; then
  echo "not everyone connected: loadgen says $loadgen_connected of $participants, /metrics" \
    "rrtc_media_peers $peers, connected_total $connected_total, failed_total $failed_total" >&2
  cat "$work/loadgen.txt" >&2
  exit 1
fi
echo "   $participants participants connected (loadgen and /metrics); settling ${settle}s," \
  "then ${seconds}s of idleness"
sleep "$settle"

# The window: nothing but two /proc samples, seconds apart.
/usr/bin/python3 - "$server_pid" "$seconds" "$work/window.json" <<'PY'
import json, os, sys, time

pid, seconds, path = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]

def sample():
    s = {"t": time.monotonic(), "loadavg": open("/proc/loadavg").read().split()[:3]}
    # Whole-process utime + stime (all threads, dead ones included), in clock ticks.
    stat = open(f"/proc/{pid}/stat").read()
    fields = stat[stat.rindex(")") + 2:].split()
    s["utime"], s["stime"] = int(fields[11]), int(fields[12])
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            base = f"/proc/{pid}/task/{tid}"
            comm = open(f"{base}/comm").read().strip()
            status = dict(line.split(":", 1) for line in open(f"{base}/status").read().splitlines()
                          if ":" in line)
            runtime_ns, wait_ns, slices = (int(x) for x in open(f"{base}/schedstat").read().split())
            threads[tid] = {"comm": comm, "vcs": int(status["voluntary_ctxt_switches"]),
                            "ivcs": int(status["nonvoluntary_ctxt_switches"]),
                            "runtime_ns": runtime_ns, "wait_ns": wait_ns, "slices": slices}
        except (FileNotFoundError, ProcessLookupError):
            pass  # the thread exited while we read
    s["threads"] = threads
    return s

start_t = time.monotonic()
a = sample()
time.sleep(max(0.0, seconds - (time.monotonic() - start_t)))
b = sample()
json.dump({"start": a, "end": b}, open(path, "w"))
PY
scrape "$work/metrics-after"
alive=1
kill -0 "$server_pid" 2>/dev/null || alive=0

echo "   window done; waiting for the loadgen to finish its own"
loadgen_rc=0
wait "$loadgen_pid" || loadgen_rc=$?
loadgen_pid=""
cp "$work/loadgen.txt" "$out/$label.loadgen.txt"
[[ -f "$work/loadgen.json" ]] && cp "$work/loadgen.json" "$out/$label.loadgen.json"
stop_pid "$server_pid"
server_pid=""
cp "$work/rrtc.log" "$out/$label.rrtc.log"
[[ -s "$out/$label.rrtc.log" ]] || rm -f "$out/$label.rrtc.log"

/usr/bin/python3 - "$work" "$out" "$label" "$rooms" "$participants" "$seconds" "$settle" \
  "$loadgen_connected" "$rrtc" "$loadgen" "$priority" "$alive" "$loadgen_rc" <<'PY'
import datetime, hashlib, json, os, sys

(work, out, label, rooms, participants, seconds, settle, loadgen_connected, rrtc, loadgen,
 priority, alive, loadgen_rc) = sys.argv[1:]
rooms, participants, settle = int(rooms), int(participants), int(settle)
window = json.load(open(f"{work}/window.json"))
a, b = window["start"], window["end"]
elapsed = b["t"] - a["t"]
hz = os.sysconf("SC_CLK_TCK")

def metrics(path):
    values = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        name, _, value = line.rpartition(" ")
        name = name.split("{", 1)[0]  # labelled samples are summed
        if name.endswith("_bucket"):
            continue
        try:
            values[name] = values.get(name, 0) + float(value)
        except ValueError:
            pass
    return values

before, after = metrics(f"{work}/metrics-before"), metrics(f"{work}/metrics-after")
def delta(name):
    return after.get(name, 0) - before.get(name, 0)

cpu_s = ((b["utime"] + b["stime"]) - (a["utime"] + a["stime"])) / hz
threads, vcs, ivcs, runtime_ns, wait_ns, slices = [], 0, 0, 0, 0, 0
for tid in sorted(set(a["threads"]) | set(b["threads"]), key=int):
    ta, tb = a["threads"].get(tid), b["threads"].get(tid)
    zero = {"vcs": 0, "ivcs": 0, "runtime_ns": 0, "wait_ns": 0, "slices": 0}
    if tb is None:  # exited during the window: what it did after the first sample is lost
        tb = ta
    ta = ta or zero
    d = {k: tb[k] - ta[k] for k in zero}
    vcs, ivcs, runtime_ns, wait_ns, slices = (vcs + d["vcs"], ivcs + d["ivcs"],
                                              runtime_ns + d["runtime_ns"],
                                              wait_ns + d["wait_ns"], slices + d["slices"])
    threads.append({"tid": int(tid), "comm": tb["comm"],
                    "cpu_seconds": round(d["runtime_ns"] / 1e9, 6),
                    "voluntary_ctxt_switches": d["vcs"], "nonvoluntary_ctxt_switches": d["ivcs"],
                    "context_switches_per_second": round((d["vcs"] + d["ivcs"]) / elapsed, 2),
                    "new": tid not in a["threads"], "exited": tid not in b["threads"]})

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

gauges = ["rrtc_rooms", "rrtc_participants", "rrtc_media_peers", "rrtc_signaling_sessions"]
gauges += ["rrtc_data_channels_opened_total"]
counters = ["rrtc_media_peers_connected_total", "rrtc_media_peers_failed_total",
            "rrtc_media_datagrams_received_total", "rrtc_media_bytes_received_total",
            "rrtc_media_rtcp_packets_received_total", "rrtc_media_rtp_packets_received_total",
            "rrtc_media_packets_sent_total", "rrtc_forward_packets_total",
            "rrtc_data_messages_received_total", "rrtc_signaling_messages_received_total",
            "rrtc_signaling_messages_sent_total", "rrtc_signaling_received_bytes_total",
            "rrtc_signaling_sent_bytes_total", "rrtc_signaling_sessions_dropped_total",
            "rrtc_http_requests_total"]
connected_after = after.get("rrtc_media_peers")
result = {
    "label": label,
    "utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "rooms": rooms,
    "participants": participants,
    "participants_connected": int(loadgen_connected),
    "participants_connected_after_window": None if connected_after is None else int(connected_after),
    "peers_failed_during_window": int(delta("rrtc_media_peers_failed_total")),
    "server_alive_after_window": alive == "1",
    "seconds": round(elapsed, 3),
    "settle_seconds": settle,
    "cpu_seconds": round(cpu_s, 3),
    "cpu_percent_of_one_core": round(100 * cpu_s / elapsed, 3),
    "cpu_seconds_schedstat": round(runtime_ns / 1e9, 6),
    "cpu_percent_of_one_core_schedstat": round(100 * runtime_ns / 1e9 / elapsed, 3),
    "context_switches": vcs + ivcs,
    "voluntary_context_switches": vcs,
    "nonvoluntary_context_switches": ivcs,
    "context_switches_per_second": round((vcs + ivcs) / elapsed, 2),
    "schedstat_timeslices_per_second": round(slices / elapsed, 2),
    # Time rrtc's threads were runnable but waited for a CPU: other work on its core.
    "runqueue_wait_seconds": round(wait_ns / 1e9, 3),
    "threads": threads,
    "metrics_around_window": {
        "note": "scraped just before the settle time and just after the window: "
                "deltas span settle + window + the scrapes themselves",
        "gauges_after": {g: after.get(g) for g in gauges},
        "deltas": {c: delta(c) for c in counters},
        "uptime_span_seconds": round(after.get("rrtc_uptime_seconds", 0)
                                     - before.get("rrtc_uptime_seconds", 0), 3),
    },
    "loadavg_start": [float(x) for x in a["loadavg"]],
    "loadavg_end": [float(x) for x in b["loadavg"]],
    "priority": priority,
    "server_core": 1,
    "loadgen_core": 0,
    "loadgen_exit_code": int(loadgen_rc),
    "rrtc": {"path": rrtc, "sha256": sha256(rrtc)},
    "loadgen": {"path": loadgen, "sha256": sha256(loadgen)},
    "machine": " ".join(os.uname()[i] for i in (0, 2, 4)),
    "cpus": os.cpu_count(),
}
json.dump(result, open(f"{out}/{label}.json", "w"), indent=2)
open(f"{out}/{label}.json", "a").write("\n")

span = result["metrics_around_window"]["uptime_span_seconds"] or 1
d = result["metrics_around_window"]["deltas"]
lines = [
    f"idle rooms: {label} ({result['utc']})",
    f"rooms                      {rooms}",
    f"participants connected     {result['participants_connected']} of {participants}"
    f" (after the window: {result['participants_connected_after_window']},"
    f" failed during it: {result['peers_failed_during_window']})",
    f"seconds                    {result['seconds']}",
    f"CPU seconds                {result['cpu_seconds']} (utime+stime; schedstat"
    f" {result['cpu_seconds_schedstat']})",
    f"CPU % of one core          {result['cpu_percent_of_one_core']} (schedstat"
    f" {result['cpu_percent_of_one_core_schedstat']})",
    f"context switches / s       {result['context_switches_per_second']}"
    f" (voluntary {vcs}, nonvoluntary {ivcs}, all threads)",
    f"media datagrams in / s     {d['rrtc_media_datagrams_received_total'] / span:.1f}"
    f" (RTP/RTCP sent {d['rrtc_media_packets_sent_total'] / span:.1f}/s; over {span:.1f} s"
    f" around the window, /metrics)",
    f"load average               {' '.join(a['loadavg'])} -> {' '.join(b['loadavg'])}"
    f" (rrtc runnable but waiting for a CPU {result['runqueue_wait_seconds']} s)",
    "threads (cpu s, ctx switches/s):",
]
for t in threads:
    if t["cpu_seconds"] > 0 or t["context_switches_per_second"] > 0:
        lines.append(f"  {t['comm']:<16} {t['cpu_seconds']:>9.4f} {t['context_switches_per_second']:>9.2f}")
text = "\n".join(lines) + "\n"
open(f"{out}/{label}.txt", "w").write(text)
print(text, end="")
PY
echo "results in $out/$label.json and $out/$label.txt"
