#!/usr/bin/python3
"""Smoke test of rrtc-floor: two subscribers, a fifth of a second per variant. It must exit 0,
print a table row for every variant, write every row to its JSON file, and for the variants
that send, the receivers must have got what was sent (loopback, large receive buffers).

Usage: smoke_test.py --floor <rrtc-floor binary>"""
import json
import os
import subprocess
import sys
import tempfile

VARIANTS = ["copy", "protect", "send-plain", "sendto", "connected", "sendmmsg-shared", "io-uring"]
SENDING = VARIANTS[2:]


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}", file=sys.stderr, flush=True)
        sys.exit(1)


def main():
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    check("--floor" in args, "usage: smoke_test.py --floor <rrtc-floor>")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "floor.json")
        run = subprocess.run(
            [args["--floor"], "--subscribers", "2", "--seconds", "0.2", "--drain", "1",
             "--json", out], timeout=30, capture_output=True, text=True)
        print(run.stdout)
        print(run.stderr, file=sys.stderr)
        check(run.returncode == 0, f"rrtc-floor exited with {run.returncode}")
        printed = [line.split()[0] for line in run.stdout.splitlines() if line.split()]
        for variant in VARIANTS:
            check(variant in printed, f"no row for {variant}")
        with open(out) as f:
            rows = {row["variant"]: row for row in json.load(f)["rows"]}
        check(sorted(rows) == sorted(VARIANTS), f"JSON rows: {sorted(rows)}")
        for variant, row in rows.items():
            check(row["packets"] > 0 and row["cpu_us_per_packet"] > 0, f"{variant}: {row}")
            check(row["subscribers"] == 2, f"{variant}: {row}")
        for variant in SENDING:
            row = rows[variant]
            check(row["received"] == row["packets"], f"{variant} lost packets: {row}")
    print("rrtc-floor smoke test passed", flush=True)


if __name__ == "__main__":
    main()
