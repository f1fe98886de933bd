#!/usr/bin/python3
"""Plots rrtc-loadgen JSON results: one-way latency percentiles and server CPU per packet
against the offered forwarding load (packets the subscribers should receive per second).

Usage: plot-loadgen.py --out loadgen.png result.json [result.json ...]

Every step of every file is one point, labelled with its scenario and step. rrtc-floor JSON
files (bench/floor) may be given too: their `sendto` rows (copy, rewrite, SRTP-protect and one
sendto per packet, AEAD_AES_128_GCM) become the floor in the CPU plot, a horizontal line for a
flat-out run and a point at its rate for a paced one. Needs matplotlib (Debian:
python3-matplotlib)."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def floor_rows(paths):
    """(pps or None for flat out, subscribers, µs per packet) of rrtc-floor's sendto rows."""
    out = []
    for path in paths:
        with open(path) as f:
            result = json.load(f)
        if "rows" not in result or result["config"]["profile"] != "AEAD_AES_128_GCM":
            continue
        for row in result["rows"]:
            if row["variant"] == "sendto":
                pps = result["config"]["pps"] or None
                out.append((pps, row["subscribers"], row["cpu_us_per_packet"]))
    return out


def points(paths):
    out = []
    for path in paths:
        with open(path) as f:
            result = json.load(f)
        if "steps" not in result:
            continue  # an rrtc-floor file
        scenario = result["config"]["scenario"]
        for step in result["steps"]:
            if step["failed"] > 0:  # a broken run measures nothing worth a point
                continue
            seconds = step["seconds"] or 1
            label = scenario if step["label"] == scenario else f"{scenario} {step['label']}"
            forwarded = step["server"]["cpu_per_forwarded_packet_us"] is not None
            out.append({
                "label": label if forwarded else f"{label}, ingress only",
                # Without forwarding the server only receives: its load is what was sent.
                "load": (step["packets_expected"] if forwarded else step["packets_sent"]) / seconds,
                "forwarded": step["forwarded_pps"],
                "latency": step["latency_us"],
                "cpu_fwd": step["server"]["cpu_per_forwarded_packet_us"],
                "cpu_rx": None if forwarded else step["server"]["cpu_per_received_packet_us"],
                "util": step["server"]["cpu_util"],
                "loadgen": step["loadgen"]["cpu_per_packet_us"],
            })
    return sorted(out, key=lambda p: p["load"])


def series(pts):
    """Ramp steps form one line; every other scenario is a point of its own."""
    ramp = [p for p in pts if p["label"].startswith("ramp")]
    rest = [[p] for p in pts if not p["label"].startswith("ramp")]
    return ([ramp] if ramp else []) + rest


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[0] != "--out":
        sys.exit("usage: plot-loadgen.py --out loadgen.png result.json...")
    target, paths = args[1], args[2:]
    pts = [p for p in points(paths) if p["load"] > 0]
    fig, (lat, cpu) = plt.subplots(2, 1, figsize=(10, 10), sharex=True)
    colors = {"p50": "tab:blue", "p90": "tab:green", "p99": "tab:orange", "p99_9": "tab:red"}
    with_latency = [p for p in pts if p["latency"]]
    for group in series(with_latency):
        for key, color in colors.items():
            lat.plot([p["load"] for p in group], [p["latency"][key] for p in group], "o-",
                     color=color, markersize=4)
    for key, color in colors.items():
        lat.plot([], [], "o-", color=color, label=key.replace("_", "."))
    if with_latency:
        lat.set_yscale("log")
        lat.legend(loc="upper left")
    else:
        lat.text(0.5, 0.5, "no forwarded packets received", ha="center", va="center",
                 transform=lat.transAxes)
    lat.set_ylabel("one-way latency publisher -> rrtc -> subscriber (µs)")
    lat.set_title("rrtc-loadgen: latency and CPU per packet against offered forwarding load")
    lat.grid(True, which="both", alpha=0.3)
    for p in with_latency:
        lat.annotate(p["label"], (p["load"], p["latency"]["p99_9"]), fontsize=7,
                     textcoords="offset points", xytext=(3, 3))
    styles = (("cpu_fwd", "o-", "tab:blue", "server CPU per forwarded packet"),
              ("cpu_rx", "s--", "tab:purple", "server CPU per received packet (before forwarding)"),
              ("loadgen", "x:", "tab:gray", "loadgen CPU per packet it handled"))
    for key, style, color, name in styles:
        for group in series([p for p in pts if p[key] is not None]):
            cpu.plot([p["load"] for p in group], [p[key] for p in group], style, color=color,
                     markersize=5)
        cpu.plot([], [], style, color=color, label=name)
    for p in pts:
        y = p["cpu_fwd"] if p["cpu_fwd"] is not None else p["cpu_rx"]
        if y is not None:
            cpu.annotate(f"{p['label']} ({p['util'] * 100:.0f}% core)", (p["load"], y),
                         fontsize=7, textcoords="offset points", xytext=(3, 3))
    floor = floor_rows(paths)
    flat = [us for pps, _, us in floor if pps is None]
    if flat:
        cpu.axhspan(min(flat), max(flat), color="tab:red", alpha=0.15)
        cpu.axhline(min(flat), color="tab:red", linewidth=1,
                    label=f"floor, flat out (rrtc-floor sendto, N = "
                          f"{'/'.join(str(n) for pps, n, _ in floor if pps is None)}): "
                          f"{min(flat):.1f}-{max(flat):.1f} µs")
    paced = [(pps, us) for pps, _, us in floor if pps is not None]
    if paced:
        cpu.plot([pps for pps, _ in paced], [us for _, us in paced], "D", color="tab:red",
                 label="floor paced at that rate (rrtc-floor sendto, N = 10)")
    cpu.set_yscale("log")
    cpu.set_ylabel("CPU µs per packet")
    cpu.set_xlabel("offered forwarding load (packets/s the subscribers should receive; "
                   "ingress-only runs: packets/s sent)")
    cpu.set_xscale("log")
    cpu.grid(True, which="both", alpha=0.3)
    cpu.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
