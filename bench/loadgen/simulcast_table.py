#!/usr/bin/python3
"""The "Simulcast" table of bench/README.md from the JSON files of
`scripts/loadgen-run.sh --simulcast` (loadgen-<label>-<single|simulcast>-n<N>-r<k>.json): per
label, mode and N the median of the repeats and, in brackets, their range, for the server's CPU
per forwarded packet, the packets it forwarded per second, the packets it decrypted per second,
its hop latency p50 / p99, the loss, which layer the subscribers received (share of video packets
per layer q/h/f) and the 1-minute load average of the machine at the start of each run (the
others' work on a shared machine shows there).

Usage: simulcast_table.py <json>..."""
import json
import re
import statistics
import sys
from collections import defaultdict

NAME = re.compile(r"loadgen-(?P<label>.+)-(?P<mode>single|simulcast)-n(?P<n>\d+)-r(?P<k>\d+)\.json$")


def cell(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    med = statistics.median(values)
    if len(values) == 1:
        return fmt.format(med)
    return (fmt + " ({}–{})").format(med, fmt.format(min(values)), fmt.format(max(values)))


def main():
    runs = defaultdict(list)
    for path in sys.argv[1:]:
        m = NAME.search(path)
        if not m:
            continue
        with open(path) as f:
            step = json.load(f)["steps"][0]
        runs[(m["label"], int(m["n"]), m["mode"])].append(step)
    print("| server | N | publisher | runs | CPU µs / forwarded pkt | forwarded pkt/s "
          "| decrypted pkt/s | hop p50 µs | hop p99 µs | loss % | video received q/h/f % "
          "| load average |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (label, n, mode), steps in sorted(runs.items()):
        srv = [s["server"] for s in steps]
        secs = [s["seconds"] for s in steps]
        hop = [x["hop_latency_us"] or {} for x in srv]
        layers = [0, 0, 0]
        for s in steps:
            for i, v in enumerate(s["video_layers"]["received"]):
                layers[i] += v
        total = sum(layers) or 1
        share = "/".join(f"{100 * v / total:.0f}" for v in layers)
        print(f"| {label} | {n} | {mode} | {len(steps)} "
              f"| {cell([x['cpu_per_forwarded_packet_us'] for x in srv], '{:.2f}')} "
              f"| {cell([x['forwarded'] / t for x, t in zip(srv, secs)], '{:.0f}')} "
              f"| {cell([x['rtp_received'] / t for x, t in zip(srv, secs)], '{:.0f}')} "
              f"| {cell([h.get('p50') for h in hop], '{:.1f}')} "
              f"| {cell([h.get('p99') for h in hop], '{:.1f}')} "
              f"| {cell([100 * s['loss'] for s in steps], '{:.3f}')} | {share} "
              f"| {cell([s.get('loadavg', {}).get('start') for s in steps], '{:.1f}')} |")


if __name__ == "__main__":
    main()
