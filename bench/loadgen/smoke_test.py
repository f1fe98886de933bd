#!/usr/bin/python3
"""Smoke test of rrtc-loadgen against the real rrtc binary: one publisher and one subscriber in
one room for a few seconds. The publisher must send audio and video, the server must decrypt
what it sent (/metrics, as the loadgen reports it), and the subscriber must receive forwarded
packets with one-way latency values.

Usage: smoke_test.py --rrtc <rrtc binary> --loadgen <rrtc-loadgen binary>

rrtc is started here on a free 127.0.0.1 port with 127.0.0.1 as its only ICE address, and
stopped at the end."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/integration"))
from rrtc_server import Server, check  # noqa: E402


def main():
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    check("--rrtc" in args and "--loadgen" in args,
          "usage: smoke_test.py --rrtc <rrtc> --loadgen <rrtc-loadgen>")
    config = "workers = 1\nlog_level = \"warn\"\nmax_connections_per_ip = 1000\n" \
             "max_messages_per_second = 1000\n"
    with Server(args["--rrtc"], config) as server:
        port = server.port
        out = os.path.join(server.tmp.name, "out.json")
        run = subprocess.run(
            [args["--loadgen"], "--url", f"ws://127.0.0.1:{port}/ws", "--scenario", "1to1",
             "--duration", "3", "--warmup", "1", "--media-timeout", "5",
             "--server-pid", str(server.process.pid), "--json", out],
            timeout=90, capture_output=True, text=True)
        print(run.stdout)
        print(run.stderr, file=sys.stderr)
        check(run.returncode == 0, f"rrtc-loadgen exited with {run.returncode}")
        with open(out) as f:
            result = json.load(f)
        step = result["steps"][0]
        server_side = step["server"]
        check(step["connected"] == 2 and step["failed"] == 0, f"not both connected: {step}")
        # Publisher side: audio at 50/s and video at the configured rate were sent.
        check(step["packets_sent_audio"] >= 100, f"audio not sent: {step}")
        check(step["packets_sent_video"] >= 100, f"video not sent: {step}")
        # Server side: what was sent arrived and was decrypted.
        check(server_side["decrypt_failures"] == 0, f"decrypt failures: {server_side}")
        check(server_side["rtp_received"] >= 0.9 * step["packets_sent"],
              f"server decrypted {server_side['rtp_received']} of {step['packets_sent']}")
        check(server_side["cpu_seconds"] > 0, f"no server CPU measured: {server_side}")
        # Subscriber side: forwarded packets with latency values.
        check(step["packets_expected"] == step["packets_sent"], f"expected: {step}")
        check(step["packets_received"] >= 0.9 * step["packets_expected"],
              f"subscriber received {step['packets_received']} of {step['packets_expected']}")
        latency = step["latency_us"]
        check(latency is not None and latency["samples"] > 0 and latency["p50"] > 0 and
              latency["max"] >= latency["p99"] >= latency["p50"], f"latency: {latency}")
        print("loadgen smoke test passed", flush=True)


if __name__ == "__main__":
    main()
