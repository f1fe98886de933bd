#!/usr/bin/python3
"""Smoke test of rrtc-floor: two subscribers, a fifth of a second per variant. It must exit 0,
print a table row for every variant, write every row to its JSON file, and for the variants
that send, the receivers must have got what was sent (loopback, large receive buffers).

Usage: smoke_test.py --floor <rrtc-floor binary> [--variants io-uring | --variants no-io-uring]

CTest runs it twice: every variant but io-uring (floor_smoke), and io-uring alone
(floor_smoke_io_uring), which exits 77 (skipped) when the kernel refuses io_uring: no
io_uring_setup(2) (ENOSYS), forbidden by seccomp or kernel.io_uring_disabled (EPERM), or no
locked memory for the ring (ENOMEM)."""
import json
import os
import subprocess
import sys
import tempfile

ALL_VARIANTS = ["copy", "protect", "send-plain", "sendto", "connected", "sendmmsg-shared",
                "io-uring"]
SENDING = ALL_VARIANTS[2:]
SKIPPED = 77


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}", file=sys.stderr, flush=True)
        sys.exit(1)


def main():
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    check("--floor" in args, "usage: smoke_test.py --floor <rrtc-floor> [--variants ...]")
    which = args.get("--variants", "all")
    check(which in ("all", "io-uring", "no-io-uring"), f"--variants {which}")
    variants = {"all": ALL_VARIANTS, "io-uring": ["io-uring"],
                "no-io-uring": ALL_VARIANTS[:-1]}[which]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "floor.json")
        command = [args["--floor"], "--subscribers", "2", "--seconds", "0.2", "--drain", "1",
                   "--json", out]
        for variant in variants:
            command += ["--variant", variant]
        run = subprocess.run(command, timeout=30, capture_output=True, text=True)
        print(run.stdout)
        print(run.stderr, file=sys.stderr)
        if run.returncode != 0 and "io_uring_queue_init:" in run.stderr:
            print("SKIPPED: the kernel refuses io_uring here: "
                  f"{run.stderr.strip().splitlines()[-1]}", flush=True)
            sys.exit(SKIPPED)
        check(run.returncode == 0, f"rrtc-floor exited with {run.returncode}")
        printed = [line.split()[0] for line in run.stdout.splitlines() if line.split()]
        for variant in variants:
            check(variant in printed, f"no row for {variant}")
        with open(out) as f:
            rows = {row["variant"]: row for row in json.load(f)["rows"]}
        check(sorted(rows) == sorted(variants), f"JSON rows: {sorted(rows)}")
        for variant, row in rows.items():
            check(row["packets"] > 0 and row["cpu_us_per_packet"] > 0, f"{variant}: {row}")
            check(row["subscribers"] == 2, f"{variant}: {row}")
        for variant in [v for v in variants if v in SENDING]:
            row = rows[variant]
            check(row["received"] == row["packets"], f"{variant} lost packets: {row}")
    print("rrtc-floor smoke test passed", flush=True)


if __name__ == "__main__":
    main()
