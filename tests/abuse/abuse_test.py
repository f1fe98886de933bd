#!/usr/bin/python3
"""Issue 15's hostile-media rows through the real rrtc binary.

Starts rrtc (the test tree's, built with ASan + UBSan) on a free 127.0.0.1 port with one media
worker (the calm room and the abused room share it), runs rrtc-abuse-client for one row, and at
each of the client's sync points samples the server: /metrics, and CPU (utime + stime), RSS, fds,
UDP sockets and threads from /proc. Checks per row: the counters that must move, CPU, the
client's own checks (the calm subscriber's gaps, the abused stream going on), /healthz, resources
back to their baseline once the clients left, a clean exit and no sanitizer report.

  abuse_test.py --rrtc build/.../rrtc --client build/.../rrtc-abuse-client --row r14
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from rrtc_server import check, free_port, metrics, process_resources  # noqa: E402

DEADLINE = 30
LOG = [""]  # the server's log so far, for row_checks

# Per row: extra configuration for the server.
CONFIG = {
    "i2": "",
    # Under load the staller's one ClientHello can reach the server before its Peer is keyed and
    # be lost; then no DTLS deadline runs and the connect deadline (from the first offer) ends
    # it. 15 s keeps that inside the 25 s the row waits.
    "d2": "connect_timeout_seconds = 15\n",
    "r14": "",
    # Ten times the publisher's rate against a cap of 300 packets a second per track.
    "r5-rate": "max_track_packets_per_second = 300\n",
    "r5-nack": "",
    "c1": "",
}


def http_get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
        return reply.status, reply.read().decode()


def total(sample, pattern):
    """Sum of every sample whose name (labels included) matches `pattern` (a regex)."""
    return sum(v for k, v in sample.items() if re.fullmatch(pattern, k))


def has(sample, pattern):
    return any(re.fullmatch(pattern, k) for k in sample)


def resources(pid):
    r = process_resources(pid)
    return {"cpu": r["cpu_s"], "rss_mb": r["rss_kib"] / 1024, "threads": r["threads"],
            "fds": r["fds"], "udp": r["udp_sockets"]}


class Server:
    def __init__(self, binary, extra):
        self.binary, self.extra = binary, extra
        self.port = free_port()
        self.tmp = tempfile.TemporaryDirectory()
        self.stderr_path = os.path.join(self.tmp.name, "stderr.log")

    def __enter__(self):
        config = os.path.join(self.tmp.name, "rrtc.toml")
        with open(config, "w") as f:
            f.write(f'signaling_port = {self.port}\nlisten_address = "127.0.0.1"\n'
                    f'interfaces = ["127.0.0.1"]\nworkers = 1\n{self.extra}')
        self.stderr = open(self.stderr_path, "w")
        self.process = subprocess.Popen([self.binary, "--config", config],
                                        stdin=subprocess.DEVNULL, stdout=self.stderr,
                                        stderr=self.stderr)
        deadline = time.monotonic() + DEADLINE
        while True:
            check(self.process.poll() is None, "server exited at start")
            try:
                http_get(self.port, "/healthz")
                return self
            except OSError:
                check(time.monotonic() < deadline, "server did not come up")
                time.sleep(0.1)

    def log(self):
        with open(self.stderr_path) as f:
            return f.read()

    def stop(self):
        self.process.terminate()
        code = self.process.wait(timeout=DEADLINE)
        self.stderr.close()
        return code

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.tmp.cleanup()


def sample(server):
    return {"metrics": metrics(server.port), "proc": resources(server.process.pid),
            "t": time.monotonic()}


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def cpu_between(samples, a, b):
    """Seconds of server CPU and the share of one core between two sync points."""
    cpu = samples[b]["proc"]["cpu"] - samples[a]["proc"]["cpu"]
    wall = samples[b]["t"] - samples[a]["t"]
    return cpu, cpu / wall if wall > 0 else 0.0


def delta(samples, a, b, pattern):
    return total(samples[b]["metrics"], pattern) - total(samples[a]["metrics"], pattern)


def on_sync(row, event, server, samples, numbers):
    """What the runner does at a sync point before letting the client go on."""
    samples[event] = sample(server)
    if row == "d2" and event == "stall_start":
        # Both hostile handshakes (the junk one and the stalled one) must fail, at the latest at
        # the server's DTLS deadline (10 s from the first datagram): the seconds until both did.
        start = time.monotonic()
        ended = r"rrtc_media_(peers_failed|connect_timeouts)_total"
        before = total(samples["before"]["metrics"], ended)
        failed = wait_for(lambda: total(metrics(server.port), ended) >= before + 2, 25)
        numbers["stalled_handshake_failed_after_s"] = round(time.monotonic() - start, 2) \
            if failed else None
        samples["stall_failed"] = sample(server)


def row_checks(row, samples, numbers, failures):
    def expect(ok, what):
        if not ok:
            failures.append(what)

    m_end = samples["final"]["metrics"]
    if row == "i2":
        # libnice drops datagrams from addresses that never passed a check before they reach
        # rrtc: nothing of the blast may reach DTLS or SRTP.
        numbers["decrypt_failures_delta"] = delta(samples, "before", "final",
                                                  r"rrtc_media_srtp_decrypt_failures_total")
        # Sampled before the clients leave (a client's close counts as a failed Peer too).
        numbers["peers_failed_delta"] = delta(samples, "before", "after",
                                              r"rrtc_media_peers_failed_total")
        numbers["datagrams_received_delta"] = delta(samples, "before", "final",
                                                    r"rrtc_media_datagrams_received_total")
        expect(numbers["decrypt_failures_delta"] == 0, "no blast datagram reached SRTP")
        expect(numbers["peers_failed_delta"] == 0, "no Peer failed during the blast")
    elif row == "d2":
        expect(numbers.get("stalled_handshake_failed_after_s") is not None,
               "the stalled handshake's Peer failed within 25 s")
        rss = samples["stall_failed"]["proc"]["rss_mb"] - samples["before"]["proc"]["rss_mb"]
        numbers["rss_growth_mb_during_abuse"] = round(rss, 1)
        expect(rss < 50, "RSS grew less than 50 MB over the hostile handshakes")
        numbers["peers_failed_delta"] = delta(samples, "before", "stall_failed",
                                              r"rrtc_media_peers_failed_total")
        numbers["dtls_failures_logged"] = sorted(set(
            re.sub(r"peer \S+ ", "peer ", line.split("] ", 3)[-1])
            for line in LOG[0].splitlines() if "DTLS failed" in line))
        connect_deadline = any("not connected" in line for line in LOG[0].splitlines())
        numbers["ended_by_connect_deadline"] = connect_deadline
        expect(connect_deadline or any("timeout" in line.lower()
                                       for line in numbers["dtls_failures_logged"]),
               "the stalled handshake failed at a deadline (DTLS timeout or connect deadline)")
    elif row == "r14":
        for name, pattern in (("decrypt_failures", r"rrtc_media_srtp_decrypt_failures_total"),
                              ("replays", r"rrtc_media_srtp_replays_total"),
                              ("malformed_rtcp", r"rrtc_forward_malformed_rtcp_total"),
                              ("unroutable", r"rrtc_forward_unroutable_packets_total.*"),
                              ("keyframe_requests", r"rrtc_forward_keyframe_requests_total")):
            numbers[name + "_delta"] = delta(samples, "before", "final", pattern)
        # 300 malformed plain RTP + 100 short SRTP + 100 replays: every one dropped and counted,
        # as a decrypt failure or (an index the replay window has passed, checked before
        # authentication as RFC 3711 section 3.3 orders it) as a replay.
        dropped = numbers["decrypt_failures_delta"] + numbers["replays_delta"]
        expect(dropped >= 500, f"malformed, short and replayed SRTP counted ({dropped} < 500)")
        expect(numbers["replays_delta"] >= 100, "the 100 replays counted")
        expect(numbers["malformed_rtcp_delta"] >= 1, "malformed RTCP compounds counted")
        # 20 compounds of 999 PLIs must not become 20,000 key frame requests to calm-pub.
        expect(numbers["keyframe_requests_delta"] < 50, "PLI floods are not passed on 1:1")
    elif row == "r5-rate":
        cpu, share = cpu_between(samples, "storm_start", "storm_end")
        numbers["storm_cpu_s"], numbers["storm_cpu_core_share"] = round(cpu, 2), round(share, 3)
        numbers["policed_packets_delta"] = delta(samples, "storm_start", "final",
                                                 r"rrtc_forward_policed_packets_total.*")
        expect(has(m_end, r"rrtc_forward_policed_packets_total.*"),
               "rrtc_forward_policed_packets_total in /metrics")
        expect(numbers["policed_packets_delta"] >= 3000, "the storm's excess policed (>= 3,000)")
    elif row == "r5-nack":
        quiet, quiet_share = cpu_between(samples, "quiet_start", "quiet_end")
        cpu, share = cpu_between(samples, "storm_start", "storm_end")
        numbers["quiet_cpu_s"], numbers["quiet_cpu_core_share"] = round(quiet, 2), round(quiet_share, 3)
        numbers["storm_cpu_s"], numbers["storm_cpu_core_share"] = round(cpu, 2), round(share, 3)
        numbers["retransmitted_delta"] = delta(samples, "storm_start", "storm_end",
                                               r"rrtc_forward_retransmitted_packets_total")
        numbers["nacks_received_delta"] = delta(samples, "storm_start", "storm_end",
                                                r"rrtc_forward_nacks_received_total")
        numbers["retransmit_misses_delta"] = delta(samples, "storm_start", "storm_end",
                                                   r"rrtc_forward_retransmit_misses_total")
        numbers["retransmit_refused_delta"] = delta(samples, "storm_start", "final",
                                                    r"rrtc_forward_retransmit_refused.*")
        expect(numbers["nacks_received_delta"] >= 300, "the server received the NACK storm")
        # The subscriber gets ~1 Mbit/s; a budget of half of it is ~60 packets a second.
        expect(numbers["retransmitted_delta"] < 2000, "retransmissions bounded (< 2,000 in 4 s)")
        expect(numbers["retransmit_refused_delta"] >= 1000, "refused retransmissions counted")
        expect(share < quiet_share + 0.5, "the storm costs under half a core more than quiet")
    elif row == "c1":
        cpu, share = cpu_between(samples, "abuse_sent", "quiet_end")
        numbers["cpu_5s_after_s"], numbers["cpu_5s_after_core_share"] = round(cpu, 2), round(share, 3)
        numbers["sctp_dropped_delta"] = delta(samples, "before", "final",
                                              r"rrtc_sctp_packets_dropped_total.*")
        expect(share < 0.3, "no hot loop: under 30 % of a core over the 5 s after")
        expect(numbers["sctp_dropped_delta"] >= 1, "hostile SCTP counted in /metrics")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rrtc", required=True)
    parser.add_argument("--client", required=True)
    parser.add_argument("--row", required=True, choices=sorted(CONFIG))
    args = parser.parse_args()
    failures, numbers, samples = [], {}, {}
    with Server(args.rrtc, CONFIG[args.row]) as server:
        # The baseline is the server after one pair came and went (the media worker, its loop
        # and libnice's threads exist from the first participant on).
        warmup = subprocess.run(
            [args.client, "--url", f"ws://127.0.0.1:{server.port}/ws", "--scenario", "warmup"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True, timeout=DEADLINE)
        check(warmup.returncode == 0, "the warm-up pair did not connect")
        check(wait_for(lambda: total(metrics(server.port), r"rrtc_media_peers") == 0
                       and total(metrics(server.port), r"rrtc_participants") == 0, 20),
              "the warm-up pair did not leave")
        baseline = sample(server)
        client = subprocess.Popen(
            [args.client, "--url", f"ws://127.0.0.1:{server.port}/ws", "--scenario", args.row],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        result = None
        for line in client.stdout:
            try:
                message = json.loads(line)
            except ValueError:  # the client's own log lines
                sys.stderr.write(line)
                continue
            if not isinstance(message, dict):
                sys.stderr.write(line)
                continue
            if "event" in message:
                on_sync(args.row, message["event"], server, samples, numbers)
                client.stdin.write("go\n")
                client.stdin.flush()
            elif "result" in message:
                result = message
        code = client.wait(timeout=DEADLINE)
        check(result is not None, f"the client reported nothing (exit {code})")
        failures += [f"client: {f}" for f in result["failures"]]
        if code != 0 and not result["failures"]:
            failures.append(f"client exit {code}")
        status, _ = http_get(server.port, "/healthz")
        if status != 200:
            failures.append("/healthz not 200 after the abuse")
        # Resources back to the baseline once every client left.
        base = baseline["proc"]

        def settled():
            now = resources(server.process.pid)
            m = metrics(server.port)
            return (total(m, r"rrtc_media_peers") == 0 and total(m, r"rrtc_participants") == 0
                    and now["fds"] <= base["fds"] and now["udp"] <= base["udp"]
                    and now["threads"] <= base["threads"])
        back = wait_for(settled, 20)
        end = resources(server.process.pid)
        numbers["baseline"] = {k: base[k] for k in ("fds", "udp", "threads")}
        numbers["end"] = {k: end[k] for k in ("fds", "udp", "threads")}
        numbers["rss_mb"] = [round(base["rss_mb"], 1), round(end["rss_mb"], 1)]
        if not back:
            failures.append(f"resources not back to baseline: {numbers['baseline']} -> "
                            f"{numbers['end']}")
        # Every participant has left, so every Peer's counters are in (the engine collects them
        # once a second and when a participant goes).
        samples["final"] = sample(server)
        # The resource check above means something only if it sees the sockets: with the calm
        # pair in, the server holds at least one UDP socket per Peer.
        first = next(iter(samples.values()), None)  # the first sync point: the calm pair is in
        numbers["udp_sockets_with_calm_pair"] = first["proc"]["udp"] if first else None
        if first is None or first["proc"]["udp"] < 2:
            failures.append("the runner saw no UDP sockets of the calm pair's Peers")
        LOG[0] = server.log()
        if not result["failures"]:
            row_checks(args.row, samples, numbers, failures)
        code = server.stop()
        if code != 0:
            failures.append(f"server exit {code}")
        log = server.log()
        for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
            if marker in log:
                failures.append(f"sanitizer report in the server's log: {marker}")
        numbers["server_log_lines"] = log.count("\n")
        # Hundreds of hostile packets, a handful of log lines: nothing logs per packet (the
        # rows' runs log 18 to 25 lines, most of them peers connecting and leaving).
        if numbers["server_log_lines"] > 40:
            failures.append(f"the server logged {numbers['server_log_lines']} lines (> 40)")
    print(json.dumps({"row": args.row, "client": result["result"], "server": numbers}, indent=1))
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
