"""Participants for the cluster tests: aiortc_room.Client that records every signaling message it
gets (with its arrival time), the time of its `joined` and of its first decoded frame per remote
track, and can connect to any node; plus a signaling-only participant (no PeerConnection) for
tests about placement.

Importing this module restricts aioice to 127.0.0.1 (through aiortc_room)."""
import asyncio
import json
import time

import websockets

from aiortc_room import Client
from rrtc_server import DEADLINE, check


class _Recording:
    """The client's WebSocket, recording each message received before the reader sees it."""

    def __init__(self, ws, record):
        self.ws = ws
        self.record = record

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            raw = await self.ws.recv()
        except websockets.ConnectionClosed:
            raise StopAsyncIteration
        self.record(raw)
        return raw

    async def send(self, data):
        await self.ws.send(data)

    async def recv(self):
        raw = await self.ws.recv()
        self.record(raw)
        return raw

    async def close(self):
        await self.ws.close()


class ClusterClient(Client):
    """An aiortc participant that may join through any node (`port`)."""

    def __init__(self, name, port, room):
        super().__init__(name, port, room)
        self.received_messages = []  # (monotonic time, message dict)
        self.started = None  # monotonic time the WebSocket connect began
        self.joined_at = None
        self.joined = None
        self.first_frame_at = {}  # remote track id -> monotonic time of its first decoded frame

    def _record(self, raw):
        self.received_messages.append((time.monotonic(), json.loads(raw)))

    async def consume(self, track):
        # Stamps the first decoded frame, then counts like Client.consume.
        try:
            await track.recv()
        except Exception:  # MediaStreamError: the track ended before a frame
            return
        self.first_frame_at.setdefault(track.id, time.monotonic())
        self.frames[track.id] += 1
        await super().consume(track)

    async def join(self):
        self.started = time.monotonic()
        ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/ws", max_size=None)
        self.ws = _Recording(ws, self._record)
        await self.ws.send(json.dumps({"type": "join", "room": self.room,
                                       "participant": self.name, "name": self.name}))
        joined = json.loads(await asyncio.wait_for(self.ws.recv(), timeout=DEADLINE))
        self.joined_at = time.monotonic()
        check(joined["type"] == "joined" and joined["your_id"] == self.name,
              f"{self.name} via port {self.port}: {joined}")
        self.joined = joined
        self.tasks.append(asyncio.ensure_future(self.read()))

    def messages_of(self, kind):
        return [m for _, m in self.received_messages if m["type"] == kind]

    def first_time(self, predicate):
        return next((t for t, m in self.received_messages if predicate(m)), None)
