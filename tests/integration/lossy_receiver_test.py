#!/usr/bin/python3
"""Issue 15, N1: a receiver losing 20 % of its incoming packets at random for a minute stays
connected and keeps decoding. Before the fix rrtc removed such a receiver within 10-25 s
("consent to send was lost"): libnice 0.1.21 fails consent after 10 s without an answer to its
unretransmitted checks (src/ice/consent_freshness.hpp).

The test runs itself in a network namespace of its own (netns.py) with rrtc and two
python3-aiortc participants over 127.0.0.1, each publishing audio and video and receiving the
other's. Once ben decodes ann's video, nftables on the input hook drops LOSS_PERCENT % at random
of every UDP packet to ben's port (RTP, RTCP, DTLS and rrtc's consent checks alike) for SECONDS
seconds; what ben sends is untouched.

Expected, all of it checked:
- ben stays: no `participant_left` for ben at ann, no `error` at ben, rrtc keeps both
  PeerConnections and counts no consent expiry;
- ben keeps decoding ann's camera: frames decoded in every WINDOW-second window > 0; the frame
  rate of each window is printed.
The consent windows rrtc re-armed (rrtc_ice_consent_rearmed_total) are printed too.

Usage: lossy_receiver_test.py --rrtc <rrtc binary>   (exit 77: skipped, with the reason printed)"""
import asyncio
import json
import sys
import time

import netns
from aiortc_loss_test import local_port
from aiortc_room import Client, wait_for
from rrtc_server import Server, check

SECONDS = 60
WINDOW = 10
LOSS_PERCENT = 20


class RecordingSocket:
    """The client's WebSocket, recording every message the server sends before the client
    handles it."""

    def __init__(self, ws, seen):
        self.ws = ws
        self.seen = seen

    def __aiter__(self):
        return self._messages()

    async def _messages(self):
        async for raw in self.ws:
            self.seen.append((time.monotonic(), json.loads(raw)))
            yield raw

    async def send(self, message):
        await self.ws.send(message)

    async def close(self):
        await self.ws.close()


class Watched(Client):
    """A Client that keeps (arrival time, message) of everything the server sent it."""

    def __init__(self, name, port, room):
        super().__init__(name, port, room)
        self.seen = []

    async def join(self):
        await super().join()
        # The reading task started by join() has not run yet: it iterates the recorder.
        self.ws = RecordingSocket(self.ws, self.seen)

    def left(self, participant):
        """When the server said `participant` left, or None."""
        return next((at for at, m in self.seen if m["type"] == "participant_left" and
                     m["participant_id"] == participant), None)


def consent_counters(values):
    return {k.replace("rrtc_ice_consent_", "").replace("_total", ""): int(v)
            for k, v in values.items() if k.startswith("rrtc_ice_consent_")}


async def scenario(server):
    ann = Watched("ann", server.port, "lossy")
    ben = Watched("ben", server.port, "lossy")
    try:
        for client in (ann, ben):
            await client.join()
            await client.publish()
        await wait_for(lambda: ben.received("ann", "camera") >= 5, "ben decoding ann's video")
        port = local_port(ben, "ann-camera")
        print(f"ben receives on 127.0.0.1:{port}", flush=True)

        nft = netns.Nftables()
        for counter in ("arrived", "dropped"):
            nft.add_counter(counter)
        to_ben = ["udp", "dport", str(port)]
        nft.add_rule(*to_ben, "counter", "name", "arrived")
        before = consent_counters(await server.metrics())
        lossy = nft.add_rule(*to_ben, "numgen", "random", "mod", "100", "<", str(LOSS_PERCENT),
                             "counter", "name", "dropped", "drop")
        start = time.monotonic()
        windows = []  # frames of ann's camera ben decoded in each window
        last = ben.received("ann", "camera")
        for window in range(1, SECONDS // WINDOW + 1):
            await asyncio.sleep(max(start + window * WINDOW - time.monotonic(), 0))
            count = ben.received("ann", "camera")
            windows.append(count - last)
            last = count
        nft.delete_rule(lossy)
        arrived, dropped = nft.packets("arrived"), nft.packets("dropped")
        values = await server.metrics()
        after = consent_counters(values)
        fps = [frames / WINDOW for frames in windows]
        print(f"{SECONDS} s at {LOSS_PERCENT} % loss: {dropped} of {arrived} packets to ben "
              f"dropped ({100 * dropped / max(arrived, 1):.1f} %)", flush=True)
        print(f"ben decoded ann's camera at {', '.join(f'{f:.1f}' for f in fps)} frames/s per "
              f"{WINDOW} s window ({sum(windows) / SECONDS:.1f} frames/s overall)", flush=True)
        print(f"rrtc consent: {after['rearmed'] - before['rearmed']} windows re-armed, "
              f"{after['expired'] - before['expired']} expired, "
              f"{after['revoked'] - before['revoked']} revoked", flush=True)

        check(arrived >= 1000, f"too few packets reached ben's port to measure: {arrived}")
        check(LOSS_PERCENT / 200 <= dropped / arrived <= LOSS_PERCENT / 50,
              f"dropped {dropped / arrived:.1%} of the packets, expected about {LOSS_PERCENT} %")
        check(ann.left("ben") is None, "rrtc removed ben (ann got participant_left)")
        check(not ben.errors, f"ben got errors: {ben.errors}")
        check(after["expired"] == before["expired"] and after["revoked"] == before["revoked"],
              f"consent counters moved: {before} -> {after}")
        check(values["rrtc_media_peers"] == 2, f"rrtc_media_peers = {values['rrtc_media_peers']}")
        check(len(windows) == SECONDS // WINDOW, f"measured {len(windows)} windows")
        check(all(frames > 0 for frames in windows),
              f"a {WINDOW} s window without a decoded frame: {windows}")
    finally:
        for client in (ann, ben):
            await client.close()
    await server.wait_peers_released()


def scenario_inside(namespace):
    check(len(sys.argv) >= 3 and sys.argv[1] == "--rrtc",
          "usage: lossy_receiver_test.py --rrtc <rrtc>")
    with Server(sys.argv[2], "workers = 1\n") as server:
        asyncio.run(scenario(server))
    print(f"lossy receiver test passed (network namespace {namespace})")


if __name__ == "__main__":
    sys.exit(netns.run_inside("rrtc-lossy", scenario_inside))
