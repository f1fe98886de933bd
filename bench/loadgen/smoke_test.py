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
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

DEADLINE = 30  # seconds for the server to come up


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port, process):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        check(process.poll() is None, "rrtc exited during start-up")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("rrtc did not come up")


def main():
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    check("--rrtc" in args and "--loadgen" in args,
          "usage: smoke_test.py --rrtc <rrtc> --loadgen <rrtc-loadgen>")
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        config = os.path.join(tmp, "rrtc.toml")
        with open(config, "w") as f:
            f.write(f'signaling_port = {port}\nlisten_address = "127.0.0.1"\n'
                    'interfaces = ["127.0.0.1"]\nworkers = 1\nlog_level = "warn"\n'
                    'max_connections_per_ip = 1000\nmax_messages_per_second = 1000\n')
        server = subprocess.Popen([args["--rrtc"], config], cwd=tmp)
        try:
            wait_healthy(port, server)
            out = os.path.join(tmp, "out.json")
            run = subprocess.run(
                [args["--loadgen"], "--url", f"ws://127.0.0.1:{port}/ws", "--scenario", "1to1",
                 "--duration", "3", "--warmup", "1", "--media-timeout", "5",
                 "--server-pid", str(server.pid), "--json", out],
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
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


if __name__ == "__main__":
    main()
