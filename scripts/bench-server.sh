# Sourced by the benchmark scripts (scripts/loadgen-run.sh, scripts/idle-rooms.sh,
# bench/forward/floor-run.sh, bench/results/batch/run.sh): one Release rrtc for a measurement,
# the way all of them start it. 127.0.0.1 only (its only ICE address), one media worker, limits
# raised for hundreds of loopback clients, pinned to a core at the chosen priority; stopped and
# its working directory removed when the script exits.
#
#   bench_priority nice|rt|none   sets prio=(...) (nice -n -10, chrt -f 10, or nothing)
#   bench_workdir                 sets work (a temporary directory) and the exit trap
#   free_port                     prints a free TCP port on 127.0.0.1
#   start_bench_server RRTC PORT CORE LOG
#                                 (BENCH_WORKERS, BENCH_MAX_PARTICIPANTS and BENCH_EXTRA_TOML,
#                                 more lines, change the config; CORE may be a list, "0,1")
#                                 writes $work/rrtc.toml, starts RRTC pinned to CORE (its
#                                 output appended to LOG), sets server_pid, waits for /healthz
#   stop_bench_server             stops it (also done at exit)

bench_priority() {
  case "$1" in
    nice) prio=(nice -n -10) ;;
    rt) prio=(chrt -f 10) ;;
    none) prio=() ;;
    *) echo "--priority is nice, rt or none" >&2; exit 2 ;;
  esac
}

stop_bench_server() {
  if [[ -n "${server_pid:-}" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

bench_workdir() {
  work="$(mktemp -d)"
  server_pid=""
  trap 'stop_bench_server; rm -rf "$work"' EXIT
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_bench_server() {
  local rrtc="$1" port="$2" core="$3" log="$4"
  cat > "$work/rrtc.toml" <<TOML
signaling_port = $port
listen_address = "127.0.0.1"
interfaces = ["127.0.0.1"]
workers = ${BENCH_WORKERS:-1}
max_participants_per_room = ${BENCH_MAX_PARTICIPANTS:-1000}
max_connections_per_ip = 100000
max_messages_per_second = 1000
log_level = "warn"
${BENCH_EXTRA_TOML:-}
TOML
  # exec all the way down: $! is rrtc's own pid.
  (cd "$work" && exec "${prio[@]}" taskset -c "$core" "$rrtc" "$work/rrtc.toml" >>"$log" 2>&1) &
  server_pid=$!
  for _ in $(seq 100); do
    if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "rrtc did not come up on port $port" >&2
  return 1
}
