#!/usr/bin/python3
"""Issue 15 rows P1-P3 and S7 through the real rrtc binary.

P1-P3: offers with 1000 m-lines, a 60 KB attribute, NUL bytes, duplicate mids, a malformed and
a missing fingerprint, then re-offers that change the ICE credentials or the fingerprint, or
remap mids and SSRCs, and 200 rejected offers in a row: each is answered with error 400, and
the server's UDP sockets and threads are what they were before (a rejected offer allocates no
ICE agent and no port).

S7: a client that disconnects after its offer was answered (mid offer/answer) and one that
stays on signaling but never completes ICE: their sockets are released, at once for the first,
at the connect deadline (CONNECT_TIMEOUT_SECONDS, error 408) for the second; the participant
gauges of /metrics are back to zero.

Throughout, two aiortc participants of another room exchange audio and video; the largest gap
between the audio frames each decodes must stay under 200 ms.

The valid offer is python3-aiortc's (real ICE credentials and fingerprint); the test never
answers ICE, so no connection is ever established. Exit 77 (skipped) without aiortc.

Usage: offer_abuse_test.py --rrtc <rrtc binary>"""
import argparse
import asyncio
import collections
import json
import os
import re
import sys
import time

try:
    import websockets
    from aiortc import RTCConfiguration, RTCPeerConnection
    from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack

    from aiortc_room import Client, wait_for
except ImportError:
    print("SKIP: python3-aiortc or websockets missing")
    sys.exit(77)

from rrtc_server import DEADLINE, Server, check, metrics as read_metrics, udp_sockets

CONNECT_TIMEOUT = 3  # seconds (CONNECT_TIMEOUT_SECONDS)
REJECTED_IN_A_ROW = 200
MAX_GAP = 0.2  # seconds between two audio frames the witnesses decode while the abuse runs


class Witness(Client):
    """An aiortc participant of another room that notes when each decoded frame arrived."""

    def __init__(self, *args):
        super().__init__(*args)
        self.arrivals = collections.defaultdict(list)  # remote track id -> monotonic times

    async def consume(self, track):
        try:
            while True:
                await track.recv()
                self.frames[track.id] += 1
                self.arrivals[track.id].append(time.monotonic())
        except MediaStreamError:
            pass

    def largest_gap(self, track, start, end):
        times = [t for t in self.arrivals[track] if start <= t <= end]
        check(len(times) >= 2, f"{track}: {len(times)} frames between the marks")
        return max(b - a for a, b in zip([start] + times, times + [end]))


def threads(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


async def valid_offer():
    """aiortc's offer for audio, video and a data channel (candidates on 127.0.0.1 gathered)."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTrack(AudioStreamTrack())
    pc.addTrack(VideoStreamTrack())
    pc.createDataChannel("chat")
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return sdp


def lines(sdp):
    return sdp.replace("\r\n", "\n").strip("\n").split("\n")


def joined(parts):
    return "\r\n".join(parts) + "\r\n"


def without(sdp, prefix):
    return joined([line for line in lines(sdp) if not line.startswith(prefix)])


def replaced(sdp, pattern, replacement):
    text, count = re.subn(pattern, replacement, sdp, flags=re.M)
    check(count > 0, f"pattern {pattern!r} not in the offer")
    return text


def with_session_line(sdp, line):
    first_media = sdp.index("m=")
    return sdp[:first_media] + line + "\r\n" + sdp[first_media:]


def mids(sdp):
    return re.findall(r"^a=mid:(\S+)", sdp, flags=re.M)


def bad_first_offers(good):
    mid0, mid1 = mids(good)[:2]
    many = good + "".join(f"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:x{i}\r\n" for i in range(1000))
    return {
        "1000 m-lines": many,
        "60 KB attribute": with_session_line(good, "a=x-big:" + "x" * 60000),
        "NUL bytes": with_session_line(good, "a=x-nul:a\x00b\x00"),
        "duplicate mids": replaced(good, rf"^a=mid:{re.escape(mid1)}(?=\r?$)", f"a=mid:{mid0}"),
        "malformed fingerprint": replaced(good, r"^a=fingerprint:(\S+) [^\r\n]*", r"a=fingerprint:\1 ZZ:ZZ"),
        "missing fingerprint": without(good, "a=fingerprint"),
        "missing ICE credentials": without(good, "a=ice-ufrag"),
        "unforwardable codecs": replaced(replaced(good, r"VP8/90000", "H265/90000"),
                                         r"opus/48000/2", "G722/8000"),
    }


def bad_reoffers(good):
    media = re.split(r"(?=^m=)", good, flags=re.M)
    session, sections = media[0], media[1:]
    swapped = session + sections[1] + sections[0] + "".join(sections[2:])
    ssrcs = re.findall(r"^a=ssrc:(\d+) ", good, flags=re.M)
    audio_ssrc = re.search(r"^a=ssrc:(\d+) ", sections[0], flags=re.M).group(1)
    video_ssrc = next(s for s in ssrcs if s != audio_ssrc)
    moved = good.replace(f"a=ssrc:{audio_ssrc} ", "a=ssrc:TMP ")
    moved = moved.replace(f"a=ssrc:{video_ssrc} ", f"a=ssrc:{audio_ssrc} ")
    moved = moved.replace("a=ssrc:TMP ", f"a=ssrc:{video_ssrc} ")
    moved = re.sub(r"^a=ssrc-group:.*\r\n", "", moved, flags=re.M)
    return {
        "new ICE credentials": replaced(good, r"^a=ice-ufrag:[^\r\n]*", "a=ice-ufrag:restart"),
        "new fingerprint": replaced(good, r"^a=fingerprint:sha-256 [^\r\n]*",
                                    "a=fingerprint:sha-256 " + ":".join(["AB"] * 32)),
        "m-lines swapped (mids remapped)": swapped,
        "SSRCs swapped between mids": moved,
    }


class Signaling:
    """One participant's WebSocket: join, then send offers and read the replies."""

    def __init__(self, port, room, participant):
        self.port, self.room, self.participant = port, room, participant
        self.ws = None

    async def __aenter__(self):
        self.ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/ws", max_size=None)
        await self.send({"type": "join", "room": self.room, "participant": self.participant})
        reply = await self.next_of({"joined"})
        check(reply["your_id"] == self.participant, reply)
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def send(self, message):
        await self.ws.send(json.dumps(message))

    async def next_of(self, types, timeout=DEADLINE):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            check(left > 0, f"no {types} within {timeout} s")
            message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout=left))
            if message["type"] in types:
                return message

    async def offer(self, sdp):
        await self.send({"type": "offer", "sdp": sdp})
        return await self.next_of({"answer", "error"})


async def until(predicate, what, timeout):
    deadline = time.monotonic() + timeout
    while not predicate():
        check(time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.05)


def expect_400(reply, what):
    check(reply["type"] == "error" and reply["code"] == 400, f"{what}: {reply}")
    print(f"  400 {what}: {reply['message'][:110]}")


async def rejected_offers(server, good, base_udp, base_threads):
    pid = server.process.pid
    async with Signaling(server.port, "p1", "mallory") as client:
        for what, sdp in bad_first_offers(good).items():
            expect_400(await client.offer(sdp), what)
            check(udp_sockets(pid) == base_udp, f"{what}: UDP sockets {udp_sockets(pid)}")
        start = time.monotonic()
        for i in range(REJECTED_IN_A_ROW):
            reply = await client.offer(without(good, "a=fingerprint"))
            check(reply["type"] == "error" and reply["code"] == 400, f"offer {i}: {reply}")
        took = time.monotonic() - start
        after = udp_sockets(pid)
        print(f"after {REJECTED_IN_A_ROW} rejected offers in a row ({took:.2f} s): {after} UDP "
              f"sockets (baseline {base_udp}), {threads(pid)} threads (baseline {base_threads})")
        check(after == base_udp, "a rejected offer holds no port")
        check(threads(pid) == base_threads, "nor a thread")
        metrics = await server.metrics()
        check(metrics.get("rrtc_media_peers_created_total") == 2, "no Peer but the witnesses'")
        check(metrics.get("rrtc_media_offers_rejected_total") ==
              len(bad_first_offers(good)) + REJECTED_IN_A_ROW, metrics)

        # The same participant's valid offer is answered and creates its Peer (and ports); the
        # re-offers that would change its transport or remap its m-lines are each a 400 and
        # allocate nothing more.
        answer = await client.offer(good)
        check(answer["type"] == "answer", answer)
        with_peer = udp_sockets(pid)
        check(with_peer > base_udp, "the accepted offer's ICE agent has its ports")
        print(f"with one accepted offer: {with_peer} UDP sockets")
        for what, sdp in bad_reoffers(good).items():
            expect_400(await client.offer(sdp), f"re-offer with {what}")
        check(udp_sockets(pid) == with_peer, "re-offers allocate nothing")
        check((await server.metrics()).get("rrtc_media_peers_created_total") == 3, "one Peer more")
    await until(lambda: udp_sockets(pid) == base_udp, "the Peer's ports released on leave", 10)


async def disconnects(server, good, base_udp):
    pid = server.process.pid
    # S7a: the WebSocket closes right after the offer was answered (before any ICE check).
    client = Signaling(server.port, "s7", "quitter")
    await client.__aenter__()
    check((await client.offer(good))["type"] == "answer", "answered")
    check(udp_sockets(pid) > base_udp, "ports while the offer/answer is in progress")
    await client.__aexit__()
    start = time.monotonic()
    await until(lambda: udp_sockets(pid) == base_udp, "ports released after the disconnect", 10)
    print(f"S7 disconnect mid offer/answer: ports released in {time.monotonic() - start:.2f} s")

    # S7a': the WebSocket closes right after sending the offer, before the answer can arrive.
    hasty = Signaling(server.port, "s7", "hasty")
    await hasty.__aenter__()
    await hasty.send({"type": "offer", "sdp": good})
    await hasty.__aexit__()
    start = time.monotonic()
    await until(lambda: read_metrics(server.port).get("rrtc_media_peers_created_total") == 5,
                "the hasty client's Peer created", 10)
    await until(lambda: udp_sockets(pid) == base_udp, "ports released after the disconnect", 10)
    print(f"S7 disconnect before the answer: ports released in {time.monotonic() - start:.2f} s")

    # S7b: stays on signaling, never completes ICE: 408 at the connect deadline, then closed.
    async with Signaling(server.port, "s7", "stuck") as stuck, \
            Signaling(server.port, "s7", "witness") as witness:
        offered = time.monotonic()
        check((await stuck.offer(good))["type"] == "answer", "answered")
        reply = await stuck.next_of({"error"}, timeout=CONNECT_TIMEOUT + 10)
        elapsed = time.monotonic() - offered
        check(reply["code"] == 408 and "connect timeout" in reply["message"], reply)
        print(f"S7 never connected: error 408 after {elapsed:.2f} s "
              f"(connect_timeout {CONNECT_TIMEOUT} s): {reply['message']}")
        check(CONNECT_TIMEOUT - 0.5 <= elapsed <= CONNECT_TIMEOUT + 3, f"408 after {elapsed:.2f} s")
        left = await witness.next_of({"participant_left"}, timeout=5)
        check(left["participant_id"] == "stuck", left)
        await until(lambda: udp_sockets(pid) == base_udp, "ports released at the deadline", 5)
    await until(lambda: udp_sockets(pid) == base_udp, "every port released", 10)
    metrics = {}

    def settled():
        metrics.update(read_metrics(server.port))
        return metrics.get("rrtc_participants") == 2 and metrics.get("rrtc_media_peers") == 2

    await until(settled, "participant gauges back to the witnesses' 2", 10)
    # Two deadlines: stuck's, and the s7 witness's. It never offers, so it is a viewer (issue 16):
    # the server offered it stuck's tracks half a second after it joined, it never answered, and
    # its own deadline (from that offer) passed just after stuck's.
    check(metrics.get("rrtc_media_connect_timeouts_total") == 2, metrics)


async def scenario(server):
    good = await valid_offer()
    # Two participants of another room exchange audio and video all along; every row must leave
    # their media without a gap over MAX_GAP.
    ann, ben = Witness("ann", server.port, "witness"), Witness("ben", server.port, "witness")
    try:
        for client in (ann, ben):
            await client.join()
            await client.publish()
        await wait_for(lambda: ann.received("ben", "audio") > 25 and ben.received("ann", "audio") > 25,
                       "the witnesses' audio")
        pid = server.process.pid
        base_udp, base_threads = udp_sockets(pid), threads(pid)
        print(f"baseline (with the two witnesses): {base_udp} UDP sockets, {base_threads} threads")
        start = time.monotonic()
        await rejected_offers(server, good, base_udp, base_threads)
        await disconnects(server, good, base_udp)
        end = time.monotonic()
        await asyncio.sleep(0.1)
        gaps = {f"{who.name} <- {track}": who.largest_gap(track, start, end)
                for who, track in ((ann, "ben-audio"), (ben, "ann-audio"))}
        print(f"witnesses over {end - start:.1f} s of abuse: largest gap between audio frames "
              + ", ".join(f"{k}: {v * 1000:.0f} ms" for k, v in gaps.items()))
        check(all(gap <= MAX_GAP for gap in gaps.values()), f"a media gap over 200 ms: {gaps}")
    finally:
        await ann.close()
        await ben.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rrtc", required=True)
    args = parser.parse_args()
    # The signaling limits are raised so that the media stack's answers are what is tested:
    # 200 offers in a row would otherwise meet the message rate limit and the protocol-error
    # limit (the signaling tests cover those), and a 60 KB attribute the 64 KiB message bound.
    config = ("max_messages_per_second = 100000\nmax_protocol_errors = 10000\n"
              "max_message_bytes = 262144\n")
    with Server(args.rrtc, extra_config=config,
                env={"CONNECT_TIMEOUT_SECONDS": str(CONNECT_TIMEOUT)}) as server:
        asyncio.run(scenario(server))
    print("offer abuse: OK")


if __name__ == "__main__":
    main()
