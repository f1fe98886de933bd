#!/usr/bin/python3
"""Three aiortc participants (python3-aiortc 1.4.0, an independent WebRTC implementation) in one
room of the real rrtc binary, each publishing audio and video: each must decode the other two's
video frames and audio; muting one stops its audio arriving at the others and unmuting resumes
it; a participant leaving disappears from the others' PeerConnections through a server offer
(its m-lines set to port 0).

Usage: aiortc_forward_test.py --rrtc <rrtc binary>"""
import asyncio
import re
import sys

from aiortc_room import Client, wait_for
from rrtc_server import Server, check

async def scenario(server):
    names = ["alice", "bob", "carol"]
    clients = [Client(name, server.port, "forward") for name in names]
    try:
        for client in clients:
            await client.join()
        for client in clients:
            await client.publish()

        def everyone_receives(video, audio):
            return all(c.received(p, "camera") >= video and c.received(p, "audio") >= audio
                       for c in clients for p in names if p != c.name)

        try:
            await wait_for(lambda: everyone_receives(10, 25), "video and audio from everyone")
        except AssertionError:
            for c in clients:
                print(c.name, "decoded", dict(c.frames), "server offers", len(c.offers),
                      "errors", c.errors, "transceivers",
                      [(t.mid, t.kind, t.direction, t.currentDirection)
                       for t in c.pc.getTransceivers()], flush=True)
            print({k: v for k, v in (await server.metrics()).items()
                   if k.startswith(("rrtc_forward", "rrtc_media")) and "bucket" not in k})
            raise
        print("decoded:", {c.name: dict(c.frames) for c in clients}, flush=True)
        for client in clients:
            check(not client.errors, f"{client.name} got errors: {client.errors}")

        # Mute alice: her audio stops arriving at bob and carol; her video goes on.
        alice, bob, carol = clients
        await alice.send({"type": "state_update", "muted": True})
        await asyncio.sleep(1.0)  # what was in flight drains
        audio_before = [bob.received("alice", "audio"), carol.received("alice", "audio")]
        video_before = bob.received("alice", "camera")
        await asyncio.sleep(2.0)
        audio_after = [bob.received("alice", "audio"), carol.received("alice", "audio")]
        print("muted alice audio:", audio_before, "->", audio_after, flush=True)
        check(all(after - before <= 3 for before, after in zip(audio_before, audio_after)),
              f"alice's audio still arrives while muted: {audio_before} -> {audio_after}")
        check(bob.received("alice", "camera") > video_before, "alice's video stopped with audio")
        await alice.send({"type": "state_update", "muted": False})
        await wait_for(lambda: bob.received("alice", "audio") >= audio_after[0] + 25 and
                       carol.received("alice", "audio") >= audio_after[1] + 25,
                       "alice's audio after unmute", timeout=15)

        # Carol leaves: alice and bob get a server offer with her m-lines at port 0.
        offers_before = [len(alice.offers), len(bob.offers)]
        await carol.send({"type": "leave"})
        await carol.close()
        await wait_for(lambda: len(alice.offers) > offers_before[0] and
                       len(bob.offers) > offers_before[1], "a server offer after carol left")
        for client in (alice, bob):
            sdp = client.offers[-1]
            check("a=msid:carol " not in sdp, f"carol's track still offered to {client.name}")
            check(re.search(r"^m=(audio|video) 0 ", sdp, re.M), "no m-line set to port 0")
            check("a=msid:alice " in sdp or client is alice, "alice's track went too")
        await asyncio.sleep(1.0)  # the answers reach the server
        video_bob = alice.received("bob", "camera")
        await asyncio.sleep(1.0)
        check(alice.received("bob", "camera") > video_bob, "bob's video stopped after carol left")

        values = await server.metrics()
        print({k: v for k, v in values.items() if k.startswith("rrtc_forward")
               and "bucket" not in k}, flush=True)
        check(values["rrtc_forward_packets_total"] > 0, values)
        check(values["rrtc_media_server_offers_total"] >= 4, values)
        check(values["rrtc_media_srtp_decrypt_failures_total"] == 0, values)
        for client in (alice, bob):
            check(not client.errors, f"{client.name} got errors: {client.errors}")
    finally:
        for client in clients:
            await client.close()


def main():
    check(len(sys.argv) == 3 and sys.argv[1] == "--rrtc",
          "usage: aiortc_forward_test.py --rrtc <rrtc binary>")
    with Server(sys.argv[2], "workers = 1\n") as server:
        asyncio.run(scenario(server))
    print("aiortc forwarding test passed")


if __name__ == "__main__":
    main()
