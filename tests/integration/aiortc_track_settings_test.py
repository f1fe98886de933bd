#!/usr/bin/python3
"""track_settings and stream_state through the real rrtc binary (issue 17, PROTOCOL.md v1.1): a
python3-aiortc participant publishes audio and VP8 video; a viewer (it never offers: the
server offers it the tracks) decodes the camera, then
- sends track_settings with a value out of bounds and one naming a track it does not receive:
  error 400 with the field's reason / "track_settings: unknown track_id ...", and it stays;
- pauses the camera: stream_state paused (reason "requested"), and no frame is decoded while
  paused;
- resumes it: stream_state active, and frames flow again (from a key frame the server asks for).

Usage: aiortc_track_settings_test.py --rrtc <rrtc binary>"""
import asyncio
import json
import sys
import time

from aiortc_room import Client, wait_for
from rrtc_server import Server, check

TRACK = "alice-camera"


class Recorded:
    """The viewer's WebSocket as Client.read() iterates it, keeping every message in `inbox`."""

    def __init__(self, ws, inbox):
        self.ws = ws
        self.inbox = inbox

    def __getattr__(self, name):
        return getattr(self.ws, name)

    async def _messages(self):
        async for raw in self.ws:
            self.inbox.append(json.loads(raw))
            yield raw

    def __aiter__(self):
        return self._messages()


class Viewer(Client):
    def __init__(self, name, port, room):
        super().__init__(name, port, room)
        self.inbox = []

    async def join(self):
        await super().join()
        # Client.join scheduled read(), which has not run yet: it iterates the wrapper.
        self.ws = Recorded(self.ws, self.inbox)

    def stream_states(self, track_id):
        return [m for m in self.inbox if m["type"] == "stream_state" and m["track_id"] == track_id]

    def errors_with(self, text):
        return [e for e in self.errors if e.get("message") == text]


async def expect_error(viewer, message, text):
    await viewer.send(message)
    await wait_for(lambda: viewer.errors_with(text), f"error '{text}'", timeout=10)
    error = viewer.errors_with(text)[0]
    check(error == {"type": "error", "code": 400, "message": text}, error)


async def scenario(server):
    alice = Client("alice", server.port, "layers")
    viewer = Viewer("viewer", server.port, "layers")
    try:
        await alice.join()
        await viewer.join()
        await alice.publish()
        await wait_for(lambda: viewer.received("alice", "camera") >= 30, "the viewer decoding")

        await expect_error(viewer, {"type": "track_settings", "track_id": TRACK, "max_fps": 1000},
                           "field 'max_fps' must be an integer from 0 to 240")
        await expect_error(viewer, {"type": "track_settings", "track_id": "nobody-camera",
                                    "paused": True},
                           "track_settings: unknown track_id nobody-camera")
        check(viewer.pc.connectionState == "connected", "the viewer lost its connection")

        states_before = len(viewer.stream_states(TRACK))
        await viewer.send({"type": "track_settings", "track_id": TRACK, "paused": True})
        paused = {"type": "stream_state", "track_id": TRACK, "state": "paused",
                  "reason": "requested"}
        await wait_for(lambda: paused in viewer.stream_states(TRACK)[states_before:],
                       "stream_state paused (requested)", timeout=10)
        # Frames already on their way are decoded within a second; none after that.
        await asyncio.sleep(1.0)
        frozen = viewer.received("alice", "camera")
        await asyncio.sleep(2.0)
        check(viewer.received("alice", "camera") == frozen,
              f"frames decoded while paused: {frozen} -> {viewer.received('alice', 'camera')}")
        check(viewer.received("alice", "audio") > 0, "no audio")

        resumed_at = time.monotonic()
        states_paused = len(viewer.stream_states(TRACK))
        await viewer.send({"type": "track_settings", "track_id": TRACK, "paused": False})
        await wait_for(lambda: any(s["state"] == "active"
                                   for s in viewer.stream_states(TRACK)[states_paused:]),
                       "stream_state active", timeout=10)
        await wait_for(lambda: viewer.received("alice", "camera") >= frozen + 30,
                       "frames after resuming", timeout=15)
        print(f"resumed: 30 frames {time.monotonic() - resumed_at:.2f} s after paused:false",
              flush=True)
        print("stream_state messages:", viewer.stream_states(TRACK), flush=True)
        active = [s for s in viewer.stream_states(TRACK) if s["state"] == "active"]
        check(all("reason" not in s for s in active), active)
        # aiortc's VideoStreamTrack is 640x480; once the size is known it is the one reported.
        check(all(s.get("width", 640) == 640 and s.get("height", 480) == 480 for s in active),
              active)

        values = await server.metrics()
        received = values['rrtc_signaling_messages_received_total{type="track_settings"}']
        # The out-of-bounds one counts as "invalid": three parsed, the unknown track id included.
        check(received == 3, f"track_settings counted {received}")
        sent = values['rrtc_signaling_messages_sent_total{type="stream_state"}']
        check(sent >= 2, f"stream_state counted {sent}")
        check(server.process.poll() is None, "rrtc exited")
    finally:
        await viewer.close()
        await alice.close()


def main():
    check(len(sys.argv) == 3 and sys.argv[1] == "--rrtc",
          "usage: aiortc_track_settings_test.py --rrtc <rrtc binary>")
    with Server(sys.argv[2], "workers = 1\n") as server:
        asyncio.run(scenario(server))
    print("aiortc track_settings test passed")


if __name__ == "__main__":
    main()
