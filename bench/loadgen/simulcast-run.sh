#!/usr/bin/env bash
# Simulcast versus single-stream publishing through one rrtc (bench/README.md, "Simulcast"):
# one publisher and N receive-only subscribers, N in --sizes, each run three times (--repeats),
# a fresh server per run pinned to core 1 and the loadgen to core 0 (both at nice -10, as
# scripts/loadgen-run.sh does), JSON + text per run in --out as
# loadgen-<label>-<single|simulcast>-n<N>-r<k>.{json,txt}; then the table
# (bench/loadgen/simulcast_table.py).
#
# Usage: bench/loadgen/simulcast-run.sh --rrtc <rrtc> --loadgen <rrtc-loadgen> --label <name>
#        [--out bench/results/simulcast] [--sizes "10 50"] [--repeats 3] [--duration 10]
#        [-- extra loadgen options]
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/bench/results/simulcast"
sizes="10 50"
repeats=3
duration=10
rrtc=""
loadgen=""
label=""
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rrtc) rrtc="$(realpath "$2")"; shift 2 ;;
    --loadgen) loadgen="$(realpath "$2")"; shift 2 ;;
    --label) label="$2"; shift 2 ;;
    --out) out="$(realpath -m "$2")"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x "$rrtc" && -x "$loadgen" && -n "$label" ]] || {
  echo "usage: $0 --rrtc <rrtc> --loadgen <rrtc-loadgen> --label <name> [...]" >&2; exit 2; }

mkdir -p "$out"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_server() {
  local port="$1"
  cat > "$work/rrtc.toml" <<TOML
signaling_port = $port
listen_address = "127.0.0.1"
interfaces = ["127.0.0.1"]
workers = 1
max_participants_per_room = 1000
max_connections_per_ip = 100000
max_messages_per_second = 1000
log_level = "warn"
TOML
  (cd "$work" && exec nice -n -10 taskset -c 1 "$rrtc" "$work/rrtc.toml" >>"$work/rrtc.log" 2>&1) &
  server_pid=$!
  for _ in $(seq 100); do
    if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "rrtc did not come up on port $port" >&2
  return 1
}

for n in $sizes; do
  for k in $(seq "$repeats"); do
    for mode in single simulcast; do
      flags=()
      [[ "$mode" == simulcast ]] && flags=(--simulcast)
      name="loadgen-$label-$mode-n$n-r$k"
      port="$(free_port)"
      start_server "$port"
      echo "== $name (rrtc pid $server_pid on 127.0.0.1:$port)"
      nice -n -10 taskset -c 0 "$loadgen" --url "ws://127.0.0.1:$port/ws" --scenario custom \
        --publishers 1 --subscribers "$n" --duration "$duration" --server-pid "$server_pid" \
        --json "$out/$name.json" "${flags[@]}" "${extra[@]}" 2>&1 | tee "$out/$name.txt"
      kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
      server_pid=""
    done
  done
done
/usr/bin/python3 "$root/bench/loadgen/simulcast_table.py" "$out"/loadgen-"$label"-*.json
