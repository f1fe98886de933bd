#!/usr/bin/env bash
# The media worker's polls and writes for 2 s of a 1 -> 10 room (one worker, no pinning):
#   strace-run.sh RRTC LOADGEN OUT.txt    (the strace output, with -k stacks)
# strace-1to10.txt counts them: polls, and what each found ready (fd 3 is the GMainContext's
# wake-up eventfd), and the writes (every one to fd 3, from g_main_context_dispatch).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
source "$root/scripts/bench-server.sh"
bench_priority none; bench_workdir
port=$(free_port)
start_bench_server "$1" "$port" 1 /dev/null
"$2" --url "ws://127.0.0.1:$port/ws" --scenario 1to10 --duration 12 --server-pid "$server_pid" > /dev/null 2>&1 &
sleep 8
tid=$(grep -l rrtc-media-0 /proc/"$server_pid"/task/*/comm | head -1 | xargs dirname | xargs basename)
timeout 2 strace -k -p "$tid" -e trace=poll,write -o "$3" || true
kill $(jobs -p) 2>/dev/null || true
