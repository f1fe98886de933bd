"""Shared by the aiortc integration tests: a participant (python3-aiortc 1.4.0 over the signaling
protocol, counting the frames it decodes per remote track and the data channel messages it
receives). rrtc_server.py runs the rrtc binary.

Importing this module restricts aioice to 127.0.0.1 (it would otherwise gather every interface)."""
import asyncio
import collections
import json
import time

import aioice.ice
import websockets
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack
from aiortc.sdp import candidate_from_sdp

from rrtc_server import DEADLINE, check

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]



async def wait_for(predicate, what, timeout=DEADLINE):
    deadline = time.monotonic() + timeout
    while not predicate():
        check(time.monotonic() < deadline, f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


class Client:
    """One participant: a WebSocket, an RTCPeerConnection, and frame counts per remote track."""

    def __init__(self, name, port, room):
        self.name = name
        self.room = room
        self.port = port
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.frames = collections.Counter()  # remote track id ("bob-camera") -> decoded frames
        self.offers = []  # server offers received (SDP text)
        self.errors = []
        self.answered = asyncio.Event()
        self.ws = None
        self.tasks = []
        self.channels = {}  # label -> RTCDataChannel (ours, or opened by the server)
        self.messages = collections.defaultdict(list)  # label -> messages received, in order

        @self.pc.on("datachannel")
        def on_datachannel(channel):
            self.watch(channel)

        @self.pc.on("track")
        def on_track(track):
            self.tasks.append(asyncio.ensure_future(self.consume(track)))

    async def consume(self, track):
        try:
            while True:
                await track.recv()
                self.frames[track.id] += 1
        except MediaStreamError:
            pass

    def watch(self, channel):
        self.channels[channel.label] = channel

        @channel.on("message")
        def on_message(message):
            self.messages[channel.label].append(message)

    def open_channel(self, label):
        """A data channel created before publish(), so the first offer carries the application
        m-line."""
        channel = self.pc.createDataChannel(label)
        self.watch(channel)
        return channel

    @staticmethod
    async def send_paced(channel, messages, low_water=64 * 1024):
        """Sends `messages` as an application should: waiting while more than `low_water` bytes
        are buffered. A burst of thousands at once overflows UDP socket buffers when the machine
        is busy, and aiortc 1.4's SCTP recovers from such a loss only very slowly."""
        for message in messages:
            while channel.bufferedAmount > low_water:
                await asyncio.sleep(0.005)
            channel.send(message)

    def received(self, publisher, kind):
        return self.frames[f"{publisher}-{kind}"]

    async def join(self):
        self.ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/ws", max_size=None)
        await self.ws.send(json.dumps({"type": "join", "room": self.room, "participant": self.name,
                                       "name": self.name}))
        joined = json.loads(await asyncio.wait_for(self.ws.recv(), timeout=DEADLINE))
        check(joined["type"] == "joined" and joined["your_id"] == self.name, joined)
        self.tasks.append(asyncio.ensure_future(self.read()))

    async def publish(self, media=True):
        if media:
            self.pc.addTrack(AudioStreamTrack())
            self.pc.addTrack(VideoStreamTrack())
        await self.pc.setLocalDescription(await self.pc.createOffer())
        tracks = [{"mid": t.mid, "type": "audio" if t.kind == "audio" else "camera"}
                  for t in self.pc.getTransceivers()]
        await self.send({"type": "offer", "sdp": self.pc.localDescription.sdp, "tracks": tracks})
        await asyncio.wait_for(self.answered.wait(), timeout=DEADLINE)

    async def send(self, message):
        await self.ws.send(json.dumps(message))

    async def read(self):
        async for raw in self.ws:
            message = json.loads(raw)
            kind = message["type"]
            if kind == "answer":
                await self.pc.setRemoteDescription(RTCSessionDescription(message["sdp"], "answer"))
                self.answered.set()
            elif kind == "offer":
                if self.pc.signalingState != "stable":
                    continue  # our own offer is outstanding: PROTOCOL.md lets us ignore it
                self.offers.append(message["sdp"])
                await self.pc.setRemoteDescription(RTCSessionDescription(message["sdp"], "offer"))
                await self.pc.setLocalDescription(await self.pc.createAnswer())
                await self.send({"type": "answer", "sdp": self.pc.localDescription.sdp})
            elif kind == "candidate" and message["candidate"]:
                line = message["candidate"]
                candidate = candidate_from_sdp(line.split(":", 1)[1])
                candidate.sdpMid = message["sdpMid"]
                candidate.sdpMLineIndex = message["sdpMLineIndex"]
                await self.pc.addIceCandidate(candidate)
            elif kind == "error":
                self.errors.append(message)

    async def close(self):
        if self.ws is not None:
            await self.ws.close()
        await self.pc.close()
        for task in self.tasks:
            task.cancel()


