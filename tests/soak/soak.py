#!/usr/bin/python3
"""Churn soak (issue 15, row L1) against the real rrtc binary: participants join, publish and
leave, cleanly and abruptly, while the server's RSS, open fds, threads and UDP ports are sampled
every --interval seconds; fails when they grow.

Clients are rrtc-loadgen processes (bench/loadgen), --clients of them at a time, each two
publishers and one subscriber (audio and video) in a room of its own (the loadgen names its
participants after the room, so two processes cannot share one): every join and leave makes
server offers to the others in the room. Each runs a random 2-6 s of media;
--kill-fraction of them are killed with SIGKILL part-way (their sockets vanish mid-call, maybe
mid-handshake) instead of leaving; a new one starts whenever one ends.

Phases and what must hold:
  warm-up  --warmup seconds of churn (lazy per-process state: worker loops, rings, caches,
           malloc arenas), then every client gone: the "warm" sample.
  churn    the rest of --seconds; a sample every --interval seconds.
  end      every client gone, participants and peers back to 0 in /metrics: the "end" sample.
  fds, threads and UDP ports: the end sample is at most the warm sample (polled for up to
           --settle seconds: a killed client's peer waits for its timeouts). Fewer is fine: the
           warm sample may catch a connection of the last warm-up client still closing.
  RSS:     the mean of the last three churn samples is at most the mean of the first three
           plus 10 % plus 16 MiB, and the end sample at most the warm one plus the same.
The samples are printed as a table and written to --out.

Usage: soak.py --rrtc <rrtc> --loadgen <rrtc-loadgen> [--seconds N] [--out FILE]
  --seconds defaults to $SOAK_SECONDS, else 600. Exit 0 on success, 1 on growth or failure.
"""
import argparse
import os
import random
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from rrtc_server import Server, metrics, process_resources  # noqa: E402

RSS_TOLERANCE_FRACTION = 0.10
RSS_TOLERANCE_KIB = 16 * 1024


def resources(pid):
    """RSS (KiB), open fds, threads and bound UDP sockets of a process, from /proc."""
    r = process_resources(pid)
    return {"rss_kib": r["rss_kib"], "fds": r["fds"], "threads": r["threads"],
            "udp_ports": r["udp_sockets"]}


class Churn:
    """Keeps `clients` rrtc-loadgen processes running until stopped."""

    def __init__(self, loadgen, port, server_pid, clients, kill_fraction, rng, log):
        self.loadgen, self.port, self.server_pid = loadgen, port, server_pid
        self.clients, self.kill_fraction = clients, kill_fraction
        self.rng, self.log = rng, log
        self.running = []  # (process, kill_at or None)
        self.started = self.killed = self.finished = self.failed = 0
        self.slot = 0

    def start_one(self):
        room = f"soak{self.slot}"
        self.slot += 1
        media = self.rng.uniform(2, 6)
        command = [self.loadgen, "--url", f"ws://127.0.0.1:{self.port}/ws",
                   "--scenario", "custom", "--rooms", "1", "--publishers", "2",
                   "--subscribers", "1", "--room-prefix", room, "--duration", f"{media:.1f}",
                   "--warmup", "0.5", "--drain", "0.5", "--connect-timeout", "10",
                   "--media-timeout", "3", "--bitrate", "300000", "--fps", "15",
                   "--server-pid", str(self.server_pid)]
        process = subprocess.Popen(command, stdout=self.log, stderr=self.log)
        kill_at = None
        if self.rng.random() < self.kill_fraction:
            kill_at = time.monotonic() + self.rng.uniform(0.2, 1 + media)
        self.running.append((process, kill_at))
        self.started += 1

    def step(self, starting):
        now = time.monotonic()
        still = []
        for process, kill_at in self.running:
            if process.poll() is not None:
                self.finished += 1
                self.failed += process.returncode != 0
            elif kill_at is not None and now >= kill_at:
                process.send_signal(signal.SIGKILL)
                process.wait()
                self.killed += 1
            else:
                still.append((process, kill_at))
        self.running = still
        while starting and len(self.running) < self.clients:
            self.start_one()

    def run_for(self, seconds, on_tick=None):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.step(starting=True)
            if on_tick:
                on_tick()
            time.sleep(0.1)

    def drain(self, deadline_s=30):
        """No new clients; the running ones end on their own (killed ones already are)."""
        end = time.monotonic() + deadline_s
        while self.running and time.monotonic() < end:
            self.step(starting=False)
            time.sleep(0.1)
        for process, _ in self.running:
            process.kill()
            process.wait()
        self.running = []


def wait_idle(server, deadline_s):
    """Until /metrics shows no participant and no peer; True if it did within the deadline."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        values = metrics(server.port)
        if values.get("rrtc_participants", 0) == 0 and values.get("rrtc_media_peers", 0) == 0:
            return True
        time.sleep(0.2)
    return False


def settle(pid, warm, deadline_s):
    """The end sample: polled until fds, threads and UDP ports are back to the warm sample."""
    end = time.monotonic() + deadline_s
    while True:
        sample = resources(pid)
        if all(sample[k] <= warm[k] for k in ("fds", "threads", "udp_ports")):
            return sample
        if time.monotonic() >= end:
            return sample
        time.sleep(0.5)


COLUMNS = ["t_s", "phase", "rss_mib", "fds", "threads", "udp_ports", "participants", "peers",
           "clients_started", "clients_killed"]


def row_text(row):
    cells = []
    for column in COLUMNS:
        value = row[column]
        cells.append(f"{value:.1f}" if isinstance(value, float) else str(value))
    return "  ".join(f"{cell:>15}" if i else f"{cell:>6}" for i, cell in enumerate(cells))


def main():
    parser = argparse.ArgumentParser(description="churn soak of the real rrtc binary")
    parser.add_argument("--rrtc", required=True)
    parser.add_argument("--loadgen", required=True)
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 600)))
    parser.add_argument("--warmup", type=float, default=None,
                        help="seconds of churn before the warm sample (default: a sixth, 10-60)")
    parser.add_argument("--interval", type=float, default=10)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--kill-fraction", type=float, default=0.4)
    parser.add_argument("--settle", type=float, default=60)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SOAK_SEED", 1)))
    parser.add_argument("--out", default="soak-samples.txt")
    args = parser.parse_args()
    warmup = args.warmup if args.warmup is not None else min(60, max(10, args.seconds / 6))
    rng = random.Random(args.seed)
    config = ('workers = 2\nlog_level = "warn"\nmax_connections_per_ip = 100000\n'
              'max_messages_per_second = 1000\n')
    # ASan's quarantine holds freed memory up to 256 MiB by default, which would read as growth.
    env = {"ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16"}
    rows, failures = [], []
    started_at = time.monotonic()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    client_log = open(args.out + ".clients.log", "w")

    with Server(args.rrtc, config, env=env) as server:
        pid = server.process.pid
        churn = Churn(args.loadgen, server.port, pid, args.clients, args.kill_fraction, rng,
                      client_log)

        def sample(phase, values=None):
            values = values or resources(pid)
            m = metrics(server.port)
            row = {"t_s": round(time.monotonic() - started_at), "phase": phase,
                   "rss_mib": values["rss_kib"] / 1024, "fds": values["fds"],
                   "threads": values["threads"], "udp_ports": values["udp_ports"],
                   "participants": int(m.get("rrtc_participants", 0)),
                   "peers": int(m.get("rrtc_media_peers", 0)),
                   "clients_started": churn.started, "clients_killed": churn.killed,
                   "rss_kib": values["rss_kib"]}
            rows.append(row)
            print(row_text(row), flush=True)
            return row

        print("  ".join(f"{c:>15}" if i else f"{c:>6}" for i, c in enumerate(COLUMNS)))
        sample("start")
        churn.run_for(warmup)
        churn.drain()
        if not wait_idle(server, args.settle):
            failures.append("participants or peers left after the warm-up")
        warm = sample("warm")

        next_sample = time.monotonic() + args.interval

        def tick():
            nonlocal next_sample
            if time.monotonic() >= next_sample:
                next_sample += args.interval
                sample("churn")

        churn.run_for(max(0, args.seconds - warmup), tick)
        churn.drain()
        if not wait_idle(server, args.settle):
            failures.append("participants or peers left at the end")
        end = sample("end", settle(pid, warm, args.settle))
        if not failures:
            sample("end+5s", (time.sleep(5), resources(pid))[1])

        for key in ("fds", "threads", "udp_ports"):
            if end[key] > warm[key]:
                failures.append(f"{key}: {warm[key]} after the warm-up, {end[key]} at the end")
        churn_rows = [r for r in rows if r["phase"] == "churn"]
        if len(churn_rows) >= 6:
            first = sum(r["rss_kib"] for r in churn_rows[:3]) / 3
            last = sum(r["rss_kib"] for r in churn_rows[-3:]) / 3
            if last > first * (1 + RSS_TOLERANCE_FRACTION) + RSS_TOLERANCE_KIB:
                failures.append(f"RSS grew during the churn: {first / 1024:.1f} MiB (first three "
                                f"samples) to {last / 1024:.1f} MiB (last three)")
        if end["rss_kib"] > warm["rss_kib"] * (1 + RSS_TOLERANCE_FRACTION) + RSS_TOLERANCE_KIB:
            failures.append(f"RSS: {warm['rss_mib']:.1f} MiB after the warm-up, "
                            f"{end['rss_mib']:.1f} MiB at the end")
        completed = churn.finished - churn.failed
        if completed == 0:
            failures.append("no client completed a call: the soak measured nothing")
        summary = (f"{churn.started} clients started, {churn.killed} killed with SIGKILL, "
                   f"{completed} completed a call, {churn.failed} exited non-zero; "
                   f"seed {args.seed}, {args.seconds:.0f} s, warm-up {warmup:.0f} s, "
                   f"{args.clients} at a time, 2 publishers + 1 subscriber each")
    client_log.close()

    with open(args.out, "w") as out:
        out.write(f"# rrtc churn soak: {' '.join(sys.argv[1:])}\n# {summary}\n")
        out.write("# tolerance: fds, threads, UDP ports no growth (end <= warm); RSS +10 % + 16 MiB\n")
        out.write("  ".join(f"{c:>15}" if i else f"{c:>6}" for i, c in enumerate(COLUMNS)) + "\n")
        for row in rows:
            out.write(row_text(row) + "\n")
        out.write("result: " + ("FAILED: " + "; ".join(failures) if failures else "passed") + "\n")
    print(summary)
    print(f"samples written to {args.out}")
    if failures:
        for failure in failures:
            print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    print("soak passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
