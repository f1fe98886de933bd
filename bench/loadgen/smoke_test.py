#!/usr/bin/python3
"""Smoke test of rrtc-loadgen against the real rrtc binary: one publisher and one subscriber in
one room for a few seconds. The publisher must send audio and video, the server must decrypt
what it sent (/metrics, as the loadgen reports it), and the subscriber must receive forwarded
packets with one-way latency values.

These runs negotiate no transport-wide-cc (--transport-cc off): they check forwarding, not the
server's bandwidth estimate of the loadgen's receivers.

With --mode simulcast the publisher sends three rid layers (q, h, f) to two subscribers: all
three must be sent, every subscriber must receive the publisher's video (one forwarded stream,
whichever layer the server picks), and the forwarded stream's sequence numbers must have no gaps
that NACK did not fill (loss counted from them, as the loadgen reports it). --mode
simulcast-twcc is the same with transport-wide-cc negotiated as browsers do: the publisher
stamps every packet, the server estimates each subscriber's link from their transport-cc
feedback, and the subscribers must have sent such feedback.

Usage: smoke_test.py --rrtc <rrtc binary> --loadgen <rrtc-loadgen binary>
                     [--mode simulcast|simulcast-twcc]

rrtc is started here on a free 127.0.0.1 port with 127.0.0.1 as its only ICE address, and
stopped at the end."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/integration"))
from rrtc_server import Server, check  # noqa: E402


def run_loadgen(command, out):
    """Runs rrtc-loadgen (its output shown), requires exit 0, returns its JSON result."""
    run = subprocess.run(command, timeout=90, capture_output=True, text=True)
    print(run.stdout)
    print(run.stderr, file=sys.stderr)
    check(run.returncode == 0, f"rrtc-loadgen exited with {run.returncode}")
    with open(out) as f:
        return json.load(f)


def main():
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    check("--rrtc" in args and "--loadgen" in args,
          "usage: smoke_test.py --rrtc <rrtc> --loadgen <rrtc-loadgen>")
    config = "workers = 1\nlog_level = \"warn\"\nmax_connections_per_ip = 1000\n" \
             "max_messages_per_second = 1000\n"
    mode = args.get("--mode", "single")
    check(mode in ("single", "simulcast", "simulcast-twcc", "bigroom", "bigroom-glib-poll",
                   "bigroom-epoll"), f"unknown mode {mode}")
    if mode.startswith("bigroom"):
        with Server(args["--rrtc"], config) as server:
            smoke_bigroom(server, args["--loadgen"], loop=mode[len("bigroom-"):])
        return
    simulcast = mode.startswith("simulcast")
    twcc = mode == "simulcast-twcc"
    with Server(args["--rrtc"], config) as server:
        port = server.port
        out = os.path.join(server.tmp.name, "out.json")
        extra = ["--simulcast", "--subscribers", "2"] if simulcast else []
        extra += ["--transport-cc", "on" if twcc else "off"]
        result = run_loadgen(
            [args["--loadgen"], "--url", f"ws://127.0.0.1:{port}/ws", "--scenario", "1to1",
             "--duration", "3", "--warmup", "1", "--media-timeout", "5",
             "--server-pid", str(server.process.pid), "--json", out] + extra, out)
        step = result["steps"][0]
        server_side = step["server"]
        if simulcast:
            check_simulcast(step)
            if twcc:
                check(step["transport_cc_feedback_sent"] > 0, f"no transport-cc feedback: {step}")
            print(f"loadgen {mode} smoke test passed", flush=True)
            return
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


def smoke_bigroom(server, loadgen, loop=""):
    """The bigroom scenario (bench/bigroom/run.sh) in small: one room grows from 1 to 3
    subscribers in two steps, everyone staying; each step reports the server's CPU per thread.
    By default the loop threads' GLib sources may recurse (source_sweeper.hpp) and GLib polls;
    loop "glib-poll" is GLib as it comes (--glib-can-recurse off), "epoll" waits through epoll
    (--poll epoll, epoll_poll.hpp). Each must measure the same."""
    out = os.path.join(server.tmp.name, "bigroom.json")
    loop_args = {"": [], "glib-poll": ["--glib-can-recurse", "off"],
                 "epoll": ["--poll", "epoll"]}[loop]
    result = run_loadgen(
        [loadgen, "--url", f"ws://127.0.0.1:{server.port}/ws", "--scenario", "bigroom",
         "--sizes", "1,3", "--duration", "2", "--warmup", "1", "--media-timeout", "5",
         "--transport-cc", "off", "--knee-loss", "1", "--knee-hop-p99-us", "1e9",
         "--server-pid", str(server.process.pid), "--json", out] + loop_args, out)
    check(result["config"]["sizes"] == [1, 3], f"sizes: {result['config']}")
    check(result["config"]["poll"] == ("epoll" if loop == "epoll" else "poll") and
          result["config"]["glib_can_recurse"] == (loop != "glib-poll"), f"loop: {result['config']}")
    steps = result["steps"]
    check([s["label"] for s in steps] == ["subs=1", "subs=3"], f"steps: {steps}")
    check(result["knee"] is None, f"knee: {result['knee']}")
    for step, subscribers in zip(steps, (1, 3)):
        check(step["rooms"] == 1 and step["publishers"] == 1, f"one room, one publisher: {step}")
        check(step["connected"] == 1 + subscribers and step["failed"] == 0,
              f"not all connected: {step}")
        check(step["packets_expected"] == subscribers * step["packets_sent"],
              f"expected = sent x subscribers: {step}")
        check(step["packets_received"] >= 0.9 * step["packets_expected"],
              f"received {step['packets_received']} of {step['packets_expected']}")
        server_side = step["server"]
        threads = {t["name"]: t for t in server_side["threads"]}
        check("rrtc-media-0" in threads and threads["rrtc-media-0"]["cpu_seconds"] > 0,
              f"no media worker CPU: {server_side['threads']}")
        # The threads' CPU adds up to the process's (clock ticks apart).
        summed = sum(t["cpu_seconds"] for t in server_side["threads"])
        check(abs(summed - server_side["cpu_seconds"]) <= 0.05 + 0.1 * server_side["cpu_seconds"],
              f"threads {summed} s against process {server_side['cpu_seconds']} s")
        check(server_side["rss_kb"] > 0, f"no VmRSS: {server_side}")
    print("loadgen bigroom smoke test passed", flush=True)


def check_simulcast(step):
    layers = step["video_layers"]
    check(step["connected"] == 3 and step["failed"] == 0, f"not all connected: {step}")
    # Three layers published, each at its share of the bitrate: q and h at least a packet per
    # frame (30 fps for 3 s), f (1 Mbit/s) several packets per frame.
    q, h, f = layers["sent"]
    check(q >= 60 and h >= 60 and f >= 3 * q, f"layers not all sent: {layers}")
    check(step["server"]["decrypt_failures"] == 0, f"decrypt failures: {step['server']}")
    check(step["server"]["rtp_received"] >= 0.9 * step["packets_sent"],
          f"server decrypted {step['server']['rtp_received']} of {step['packets_sent']}")
    # Both subscribers receive the publisher's video: one stream each, some layer.
    check(step["receiving"] == 2 and layers["pairs_without_video"] == 0,
          f"a subscriber got no video: {step}")
    received_video = sum(layers["received"])
    check(received_video >= 2 * 60, f"too little video forwarded: {layers}")
    # Its numbering is continuous: every number the window's packets span arrived (NACK fills
    # what the loopback drops), and the loss reported is computed from it.
    expected = layers["forwarded_seq_expected"]
    check(expected >= received_video and layers["forwarded_seq_received"] == received_video,
          f"forwarded numbering: {layers}")
    check(layers["forwarded_seq_received"] >= 0.98 * expected, f"sequence gaps: {layers}")
    check(step["packets_expected"] == 2 * step["packets_sent_audio"] + expected,
          f"expected = audio to both + forwarded video span: {step}")
    check(step["loss"] < 0.02, f"loss {step['loss']}")
    latency = step["latency_us"]
    check(latency is not None and latency["video_p50"] > 0, f"latency: {latency}")


if __name__ == "__main__":
    main()
