#!/usr/bin/python3
"""Loss recovery through NACK, with the loss injected from outside rrtc. The test runs itself in
a network namespace of its own (netns.py) with rrtc and two python3-aiortc participants, ann and
ben, publishing audio and video to each other over 127.0.0.1. Once video flows, nftables on the
input hook drops at random LOSS_PERCENT % of the RTP packets of ann's camera that rrtc forwards
to ben's UDP port (matched by that port and by the SSRC ben receives the track on). ben NACKs
what is missing, rrtc resends it from its retransmit store, and ben keeps decoding.

Only a packet's first copy is dropped; its resends always pass. aiortc 1.4 asks again for a lost
resend only when it sees a new gap, which can be later than rrtc's one-second retransmit store
keeps packets (rrtc then rightly answers nothing), and it stalls until its jitter buffer
overflows (128 packets, about 4 s) before it sends a PLI: dropping resends would test aiortc's
NACK policy, not rrtc's recovery.

Evidence, all of it counted:
- nft, per RTP sequence number (dynamic sets): every dropped packet arrived again at ben's port
  (the set of lost sequence numbers ends empty), how many arrived, how many were dropped (the
  share must be near LOSS_PERCENT), how many arrived more than once;
- rrtc's /metrics: NACKs received, packets retransmitted (at least one per drop), retransmit
  misses (none);
- ben's decoder: frames of ann's camera decoded in the lossy seconds, and the longest time
  without a new frame.

Usage: aiortc_loss_test.py --rrtc <rrtc binary>   (exit 77: skipped, with the reason printed)"""
import asyncio
import sys
import time

import netns
from aiortc.sdp import SessionDescription
from aiortc_room import Client, wait_for
from rrtc_server import DEADLINE, Server, check

SECONDS = 10  # measured with loss
LOSS_PERCENT = 10
# aiortc's VideoStreamTrack sends 30 frames/s; with losses recovered decoding goes on.
MIN_FPS = 10
MAX_STALL = 1.0  # seconds without a decoded frame


def forward_counters(values):
    return {k.replace("rrtc_forward_", ""): int(v) for k, v in values.items()
            if k.startswith("rrtc_forward_") and "hop_latency" not in k}


def receiving_transceiver(client, track_id):
    found = [t for t in client.pc.getTransceivers()
             if t.receiver.track is not None and t.receiver.track.id == track_id]
    check(len(found) == 1, f"{client.name} has no transceiver receiving {track_id}")
    return found[0]


def local_port(client, track_id):
    """ben's end of the selected ICE pair carrying `track_id`: where rrtc sends it."""
    ice = receiving_transceiver(client, track_id).receiver.transport.transport
    pair = ice._connection._nominated.get(1)  # aioice keeps the selected pair per component
    check(pair is not None, f"{client.name}: no selected candidate pair")
    port = pair.local_candidate.port
    check(port in [c.port for c in ice.iceGatherer.getLocalCandidates()],
          f"{client.name}: selected port {port} is not one of its local candidates")
    return port


def receiving_ssrc(client, track_id):
    """The SSRC `track_id` reaches the client on, from the server's offer (a=ssrc)."""
    mid = receiving_transceiver(client, track_id).mid
    description = SessionDescription.parse(client.pc.remoteDescription.sdp)
    media = [m for m in description.media if m.rtp.muxId == mid]
    check(len(media) == 1 and media[0].ssrc, f"no a=ssrc for mid {mid} in the server's offer")
    return media[0].ssrc[0].ssrc


async def watch_decoding(client, publisher, seconds):
    """Frames of `publisher`'s camera the client decoded in `seconds`, and the longest time
    without a new one (sampled every 20 ms)."""
    start = time.monotonic()
    first = last_count = client.received(publisher, "camera")
    last_change = start
    stall = 0.0
    while (now := time.monotonic()) - start < seconds:
        count = client.received(publisher, "camera")
        if count != last_count:
            last_count, last_change = count, now
        stall = max(stall, now - last_change)
        await asyncio.sleep(0.02)
    return last_count - first, stall


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
        port = local_port(ben, "ann-camera")
        ssrc = receiving_ssrc(ben, "ann-camera")
        print(f"ben receives ann's camera on 127.0.0.1:{port}, SSRC {ssrc}", flush=True)

        nft = netns.Nftables()
        for counter in ("arrived", "dropped", "recovered", "repeated"):
            nft.add_counter(counter)
        for name in ("forwarded", "lost"):  # RTP sequence numbers seen / dropped and not back
            nft.add_set(name, "@th,80,16")
        # UDP to ben's port, RTP version 2 (first two bits), SSRC at byte 8 of the RTP header:
        # ann's camera as forwarded to ben, resends included (they keep the SSRC). The sequence
        # number is at byte 2 (bit 80 counting the 8-byte UDP header).
        match = ["udp", "dport", str(port), "@th,64,2", "2", "@th,128,32", str(ssrc)]
        seq = "@th,80,16"
        nft.add_rule(*match, "counter", "name", "arrived")
        nft.add_rule(*match, seq, "@lost", "delete", "@lost", "{", seq, "}",
                     "counter", "name", "recovered", "accept")
        nft.add_rule(*match, seq, "@forwarded", "counter", "name", "repeated", "accept")
        nft.add_rule(*match, "add", "@forwarded", "{", seq, "}")
        before = forward_counters(await server.metrics())
        lossy = nft.add_rule(*match, "numgen", "random", "mod", "100", "<", str(LOSS_PERCENT),
                             "add", "@lost", "{", seq, "}", "counter", "name", "dropped", "drop")
        (frames, stall), (control, control_stall) = await asyncio.gather(
            watch_decoding(ben, "ann", SECONDS), watch_decoding(ann, "ben", SECONDS))
        nft.delete_rule(lossy)
        arrived, dropped = nft.packets("arrived"), nft.packets("dropped")

        # The last drops' NACKs and resends may still be on their way: wait for them (or fail
        # below with the numbers).
        deadline = time.monotonic() + DEADLINE
        while True:
            after = forward_counters(await server.metrics())
            delta = {k: after[k] - before[k] for k in ("nacks_received_total",
                     "retransmitted_packets_total", "retransmit_misses_total")}
            unrecovered = nft.elements("lost")
            if (not unrecovered and delta["retransmitted_packets_total"] >= dropped or
                    time.monotonic() > deadline):
                break
            await asyncio.sleep(0.1)
        recovered, repeated = nft.packets("recovered"), nft.packets("repeated")
        print(f"lossy {SECONDS} s: {arrived} packets of ann's camera reached ben's port, "
              f"{dropped} dropped at random ({100 * dropped / max(arrived, 1):.1f} %), "
              f"{recovered} of them arrived again, {repeated} other repeats; "
              f"never recovered: {unrecovered}", flush=True)
        print(f"rrtc: {delta['nacks_received_total']} NACKs received, "
              f"{delta['retransmitted_packets_total']} packets resent, "
              f"{delta['retransmit_misses_total']} misses", flush=True)
        print(f"ben decoded {frames} frames of ann's camera (longest gap {stall:.2f} s); "
              f"ann decoded {control} of ben's, without loss (longest gap {control_stall:.2f} s)",
              flush=True)

        check(arrived >= 100, f"too few packets reached ben's port to measure: {arrived}")
        share = dropped / arrived
        check(LOSS_PERCENT / 300 <= share <= LOSS_PERCENT / 50,
              f"dropped {share:.1%} of the packets, expected about {LOSS_PERCENT} %")
        check(not unrecovered and recovered == dropped,
              f"{dropped} dropped, {recovered} came back; never: sequence numbers {unrecovered}")
        check(delta["nacks_received_total"] > 0, "no NACK reached rrtc")
        check(delta["retransmitted_packets_total"] >= dropped,
              f"{dropped} packets dropped but only {delta['retransmitted_packets_total']} resent")
        check(delta["retransmit_misses_total"] == 0,
              f"{delta['retransmit_misses_total']} NACKed packets were not in the retransmit store")
        check(frames >= MIN_FPS * SECONDS, f"ben decoded {frames} frames in {SECONDS} s")
        check(stall < MAX_STALL, f"ben decoded no frame for {stall:.2f} s")
    finally:
        for client in clients:
            await client.close()
    # Both PeerConnections closed before rrtc is stopped.
    await server.wait_peers_released()


def scenario_inside(namespace):
    check(len(sys.argv) >= 3 and sys.argv[1] == "--rrtc",
          "usage: aiortc_loss_test.py --rrtc <rrtc>")
    with Server(sys.argv[2], "workers = 1\n") as server:
        asyncio.run(scenario(server))
    print(f"aiortc loss recovery test passed (network namespace {namespace})")


if __name__ == "__main__":
    sys.exit(netns.run_inside("rrtc-loss", scenario_inside))
