#!/usr/bin/python3
"""Loss recovery through NACK: rrtc (built with RRTC_TEST_HOOKS) drops every 10th forwarded copy
on its way to a subscriber (RRTC_TEST_DROP_EVERY=10), after keeping it for retransmission. Two
python3-aiortc participants publish audio and video to each other; aiortc's receivers NACK the
missing video packets, rrtc resends them from its retransmit buffer, and both keep decoding.
The test counts what was dropped, NACKed and resent.

Usage: aiortc_loss_test.py --rrtc <rrtc binary built with -DRRTC_TEST_HOOKS=ON>"""
import asyncio
import sys

from aiortc_room import Client, wait_for
from rrtc_server import Server, check

SECONDS = 6


async def scenario(server):
    clients = [Client(name, server.port, "loss") for name in ("ann", "ben")]
    try:
        for client in clients:
            await client.join()
        for client in clients:
            await client.publish()
        ann, ben = clients
        await wait_for(lambda: ann.received("ben", "camera") >= 5 and
                       ben.received("ann", "camera") >= 5, "first video frames")
        start = [ann.received("ben", "camera"), ben.received("ann", "camera")]
        await asyncio.sleep(SECONDS)
        frames = [ann.received("ben", "camera") - start[0], ben.received("ann", "camera") - start[1]]
        values = await server.metrics()
        counts = {k.replace("rrtc_forward_", ""): int(v) for k, v in values.items()
                  if k.startswith("rrtc_forward_") and "hop_latency" not in k}
        print("video frames decoded in", SECONDS, "s:", frames, flush=True)
        print("forwarding counters:", counts, flush=True)
        dropped = counts["test_dropped_total"]
        check(dropped > 0, "the drop hook did not drop anything: build with -DRRTC_TEST_HOOKS=ON")
        check(counts["nacks_received_total"] > 0, "no NACK from the subscribers")
        check(counts["retransmitted_packets_total"] > 0, "nothing was resent")
        # aiortc's VideoStreamTrack sends 30 frames/s; with losses recovered decoding goes on.
        check(all(f >= 10 * SECONDS for f in frames), f"decoding stalled: {frames}")
        print(f"dropped {dropped}, resent {counts['retransmitted_packets_total']} "
              f"({counts['retransmit_misses_total']} misses)", flush=True)
    finally:
        for client in clients:
            await client.close()


def main():
    check(len(sys.argv) == 3 and sys.argv[1] == "--rrtc", "usage: aiortc_loss_test.py --rrtc <rrtc>")
    with Server(sys.argv[2], "workers = 1\n", {"RRTC_TEST_DROP_EVERY": "10"}) as server:
        asyncio.run(scenario(server))
    print("aiortc loss recovery test passed")


if __name__ == "__main__":
    main()
