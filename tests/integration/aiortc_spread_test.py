#!/usr/bin/python3
"""Issue 18, one room on every core: rrtc with two media workers and spread_min_subscribers = 0
(every room spread), one python3-aiortc publisher (audio + video) and four aiortc viewers. The
room lives on one worker; its subscribers get egress workers in turns (the room's worker once,
the other twice: own, other, other, own), so two of the four have their RTP protected and sent
by the other worker (engine/egress_offload.hpp).

Checked, in its own network namespace (netns.py) so nftables can drop packets:
- every viewer decodes the publisher's audio and video;
- /metrics: exactly two lanes opened (rrtc_egress_lanes_opened_total), the other worker sent
  copies for the room's worker (rrtc_egress_sent_for_others_total > 0, equal to what was handed
  off once traffic stops), none dropped at hand-off, no send failure;
- NACK under loss on every viewer, offloaded or not: nftables drops 10 % of the first copies of
  the camera's RTP to each viewer's port (repeats pass, as in aiortc_loss_test.py); every
  dropped packet arrives again (resent from the
  room worker's store, protected by the viewer's egress worker), and decoding never stalls 1 s.

Usage: aiortc_spread_test.py --rrtc <rrtc binary>   (exit 77: skipped, with the reason printed)"""
import asyncio
import sys
import time

import netns
from aiortc_loss_test import local_port, receiving_ssrc, watch_decoding
from aiortc_room import Client, wait_for
from rrtc_server import DEADLINE, Server, check

VIEWERS = ("v1", "v2", "v3", "v4")
SECONDS = 8
LOSS_PERCENT = 10
MIN_FPS = 10
MAX_STALL = 1.0


def egress(values, name):
    """Per worker: {worker: value} of rrtc_egress_<name>_total."""
    prefix = f"rrtc_egress_{name}_total{{worker=\""
    return {k[len(prefix):-2]: int(v) for k, v in values.items() if k.startswith(prefix)}


async def scenario(server):
    publisher = Client("pub", server.port, "spread")
    viewers = [Client(name, server.port, "spread") for name in VIEWERS]
    try:
        await publisher.join()
        await publisher.publish()
        for viewer in viewers:
            await viewer.join()  # no offer: the server offers viewers first
        await wait_for(lambda: all(v.received("pub", "camera") >= 10 and
                                   v.received("pub", "audio") >= 25 for v in viewers),
                       "every viewer decoding audio and video")

        before = await server.metrics()
        nft = netns.Nftables()
        lossy = []
        for viewer in viewers:
            port = local_port(viewer, "pub-camera")
            ssrc = receiving_ssrc(viewer, "pub-camera")
            name = viewer.name
            for counter in ("dropped", "recovered"):
                nft.add_counter(f"{counter}_{name}")
            for kind in ("lost", "forwarded"):
                nft.add_set(f"{kind}_{name}", "@th,80,16")
            match = ["udp", "dport", str(port), "@th,64,2", "2", "@th,128,32", str(ssrc)]
            seq = "@th,80,16"
            # A resend of a dropped packet passes (and leaves the set), so does any other repeat
            # (aiortc NACKs some packets it already has; it would not ask again for such a repeat
            # dropped, see aiortc_loss_test.py); first copies are dropped at random.
            nft.add_rule(*match, seq, f"@lost_{name}", "delete", f"@lost_{name}", "{", seq, "}",
                         "counter", "name", f"recovered_{name}", "accept")
            nft.add_rule(*match, seq, f"@forwarded_{name}", "accept")
            nft.add_rule(*match, "add", f"@forwarded_{name}", "{", seq, "}")
            lossy.append(nft.add_rule(*match, "numgen", "random", "mod", "100", "<",
                                      str(LOSS_PERCENT), "add", f"@lost_{name}", "{", seq, "}",
                                      "counter", "name", f"dropped_{name}", "drop"))
        results = await asyncio.gather(*(watch_decoding(v, "pub", SECONDS) for v in viewers))
        for rule in lossy:
            nft.delete_rule(rule)

        deadline = time.monotonic() + DEADLINE
        while True:
            unrecovered = {v.name: nft.elements(f"lost_{v.name}") for v in viewers}
            if not any(unrecovered.values()) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        after = await server.metrics()
        delta = {k.replace("rrtc_forward_", ""): int(after[k] - before.get(k, 0)) for k in after
                 if k.startswith("rrtc_forward_") and "hop_latency" not in k and
                 ("nack" in k or "retransmit" in k)}
        print(f"rrtc during the loss: {delta}", flush=True)
        for viewer, (frames, stall) in zip(viewers, results):
            dropped = nft.packets(f"dropped_{viewer.name}")
            recovered = nft.packets(f"recovered_{viewer.name}")
            print(f"{viewer.name}: {frames} frames in {SECONDS} s with {LOSS_PERCENT} % loss, "
                  f"longest gap {stall:.2f} s; {dropped} dropped, {recovered} came back",
                  flush=True)
            check(dropped > 0, f"{viewer.name}: nothing dropped, the loss rule missed")
            check(not unrecovered[viewer.name] and recovered == dropped,
                  f"{viewer.name}: {dropped} dropped, {recovered} back; never "
                  f"{unrecovered[viewer.name]}")
            check(frames >= MIN_FPS * SECONDS, f"{viewer.name} decoded {frames} frames")
            check(stall < MAX_STALL, f"{viewer.name} decoded nothing for {stall:.2f} s")

        # Traffic stops with the publisher; then handed off == sent by the other worker.
        await publisher.close()
        await asyncio.sleep(0)  # let the close go out
        deadline = time.monotonic() + DEADLINE
        while True:
            values = await server.metrics()
            handed, sent = egress(values, "handed_off"), egress(values, "sent_for_others")
            if sum(handed.values()) == sum(sent.values()) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        lanes, dropped = egress(values, "lanes_opened"), egress(values, "dropped")
        failures = egress(values, "send_failures")
        print(f"rrtc: lanes opened {lanes}, handed off {handed}, sent for others {sent}, "
              f"dropped {dropped}, send failures {failures}", flush=True)
        check(sorted(lanes.keys()) == ["0", "1"], f"per-worker samples: {lanes}")
        check(sum(lanes.values()) == 2, f"two of four viewers offloaded: {lanes}")
        room_worker = max(lanes, key=lanes.get)
        other = "1" if room_worker == "0" else "0"
        check(sent[other] > 0 and sent[room_worker] == 0,
              f"the other worker ({other}) sends for the room's ({room_worker}): {sent}")
        check(sum(handed.values()) == sum(sent.values()), f"handed off {handed}, sent {sent}")
        check(sum(dropped.values()) == 0 and sum(failures.values()) == 0,
              f"dropped {dropped}, failures {failures}")
    finally:
        for client in [publisher, *viewers]:
            await client.close()
    await server.wait_peers_released()


def scenario_inside(namespace):
    check(len(sys.argv) >= 3 and sys.argv[1] == "--rrtc",
          "usage: aiortc_spread_test.py --rrtc <rrtc>")
    with Server(sys.argv[2], "workers = 2\nspread_min_subscribers = 0\n") as server:
        asyncio.run(scenario(server))
    print(f"aiortc spread test passed (network namespace {namespace})")


if __name__ == "__main__":
    sys.exit(netns.run_inside("rrtc-spread", scenario_inside))
