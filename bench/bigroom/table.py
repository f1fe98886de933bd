#!/usr/bin/python3
"""The table of a bigroom run (bench/bigroom/run.sh): one row per step of rrtc-loadgen's JSON.

Usage: table.py RESULT.json [RESULT.json ...]   (markdown on stdout)

Columns: subscribers in the room and connected, forwarded packets/s, loss, end-to-end latency
p50/p99 (publisher's send to subscriber's unprotect), the server's hop latency p50/p99, the
server's CPU (percent of one core) in all and per media worker thread (rrtc-media-<i>), the
share of the busiest and least busy worker in the server's CPU, the loadgen's CPU, the server's
VmRSS and VmHWM at the window's end, and the 1-minute load average when the window opened. The
last column says why the steps ended at that row (the knee), if they did."""
import json
import sys


def row(step, knee_label):
    server = step["server"]
    seconds = step["seconds"]
    threads = server.get("threads") or []
    workers = [t for t in threads if t["name"].startswith("rrtc-media")]
    workers.sort(key=lambda t: t["name"])
    others = sum(t["cpu_seconds"] for t in threads if not t["name"].startswith("rrtc-media"))
    total = server["cpu_seconds"]
    hop = server.get("hop_latency_us") or {}
    lat = step.get("latency_us") or {}
    worker_cpu = " / ".join(f"{100 * t['cpu_seconds'] / seconds:.0f}" for t in workers) or "-"
    if workers and total > 0:
        shares = [t["cpu_seconds"] / total for t in workers]
        share = f"{100 * max(shares):.0f} / {100 * min(shares):.0f}" if len(shares) > 1 else \
            f"{100 * shares[0]:.0f}"
    else:
        share = "-"
    why = ""
    if step["label"] == knee_label:
        reasons = []
        if step["loss"] >= 0.001:
            reasons.append("loss")
        if hop and hop.get("p99", 0) >= 5000:
            reasons.append("hop p99")
        if step["failed"]:
            reasons.append(f"{step['failed']} failed")
        why = "knee: " + (", ".join(reasons) or "threshold")
    subs = step["participants"] - step["publishers"]
    return (f"| {subs} | {step['connected']} | {step['forwarded_pps']:,.0f} | "
            f"{100 * step['loss']:.3f} | {lat.get('p50', 0) / 1000:.1f} / {lat.get('p99', 0) / 1000:.1f} | "
            f"{hop.get('p50', 0):.0f} / {hop.get('p99', 0):.0f} | {100 * server['cpu_util']:.0f} | "
            f"{worker_cpu} | {100 * others / seconds:.0f} | {share} | "
            f"{100 * step['loadgen']['cpu_util']:.0f} | {server.get('rss_kb', 0) / 1024:.0f} / "
            f"{server['rss_peak_kb'] / 1024:.0f} | {step['loadavg']['start']:.1f} | {why} |")


def main():
    print("| subscribers | connected | forwarded pkt/s | loss % | e2e p50 / p99 ms | "
          "hop p50 / p99 µs | server CPU % | per worker % | other threads % | "
          "worker share of server CPU, max / min % | loadgen CPU % | VmRSS / VmHWM MB | "
          "load avg | |")
    print("|" + "---|" * 14)
    for path in sys.argv[1:]:
        with open(path) as f:
            data = json.load(f)
        knee = data.get("knee")
        knee_label = knee["label"] if knee else None
        for step in data["steps"]:
            print(row(step, knee_label))


if __name__ == "__main__":
    main()
