#!/usr/bin/python3
"""aiortc (python3-aiortc 1.4.0, an independent WebRTC implementation) joins a room over the
signaling protocol, offers an audio and a video track, connects its PeerConnection to the server's
media engine and sends media; the server's /metrics must then show RTP received and decrypted for
both kinds.

Usage: aiortc_media_test.py --rrtc <rrtc binary>   (started with a config file on 127.0.0.1)

Every address is 127.0.0.1: the server gathers on it only, and aioice is told to gather on it
only, with no STUN server (aiortc would otherwise ask a public one)."""
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time

import aioice.ice
import websockets
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from aiortc.sdp import candidate_from_sdp

from rrtc_server import check, free_port, metrics, wait_healthy

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

DEADLINE = 30  # seconds, for each wait below
MEDIA_SECONDS = 3


async def recv(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=DEADLINE))


async def scenario(port):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTrack(AudioStreamTrack())
    pc.addTrack(VideoStreamTrack())
    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws") as ws:
            await ws.send(json.dumps({"type": "join", "room": "aiortc", "name": "aiortc"}))
            joined = await recv(ws)
            check(joined["type"] == "joined", joined)

            # aiortc gathers every candidate into the SDP before setLocalDescription returns.
            await pc.setLocalDescription(await pc.createOffer())
            tracks = [{"mid": t.mid, "type": "audio" if t.kind == "audio" else "camera"}
                      for t in pc.getTransceivers()]
            await ws.send(json.dumps({"type": "offer", "sdp": pc.localDescription.sdp,
                                      "tracks": tracks}))

            connected = asyncio.Event()

            @pc.on("connectionstatechange")
            def on_state():
                if pc.connectionState == "connected":
                    connected.set()

            deadline = time.monotonic() + DEADLINE
            answered = False
            while not connected.is_set():
                check(time.monotonic() < deadline, f"not connected: {pc.connectionState}")
                if pc.connectionState == "failed":
                    raise AssertionError("aiortc: connection failed")
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=0.2))
                except asyncio.TimeoutError:
                    continue
                kind = message["type"]
                check(kind in ("answer", "candidate"), message)
                if kind == "answer":
                    check(not answered, "two answers")
                    answered = True
                    await pc.setRemoteDescription(RTCSessionDescription(message["sdp"], "answer"))
                elif message["candidate"]:
                    check(answered, "candidate before the answer")
                    check(message["sdpMid"] is not None and message["sdpMLineIndex"] == 0, message)
                    line = message["candidate"]
                    candidate = candidate_from_sdp(line.split(":", 1)[1])
                    candidate.sdpMid = message["sdpMid"]
                    candidate.sdpMLineIndex = message["sdpMLineIndex"]
                    await pc.addIceCandidate(candidate)
            print("aiortc connected", flush=True)

            # Media flows; poll the counters until both kinds show up, then for a while longer.
            audio = "rrtc_media_rtp_packets_received_total{kind=\"audio\"}"
            video = "rrtc_media_rtp_packets_received_total{kind=\"video\"}"
            start = time.monotonic()
            while True:
                await asyncio.sleep(0.25)
                values = await asyncio.get_running_loop().run_in_executor(None, metrics, port)
                elapsed = time.monotonic() - start
                if values.get(audio, 0) > 0 and values.get(video, 0) > 0 and elapsed > MEDIA_SECONDS:
                    break
                check(elapsed < DEADLINE, f"no RTP decrypted: {values}")
            print({k: v for k, v in values.items() if k.startswith("rrtc_media")}, flush=True)
            check(values["rrtc_media_peers_connected_total"] >= 1, values)
            check(values["rrtc_media_srtp_decrypt_failures_total"] == 0, values)
            check(values["rrtc_media_rtp_bytes_received_total{kind=\"video\"}"] > 0, values)
            # 20 ms audio frames: about 50 per second.
            check(values[audio] >= 25 * MEDIA_SECONDS, values)
            await ws.send(json.dumps({"type": "leave"}))
    finally:
        await pc.close()


def main():
    mode, binary = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        check(mode == "--rrtc", "usage: aiortc_media_test.py --rrtc <rrtc binary>")
        port = free_port()
        config = os.path.join(tmp, "rrtc.toml")
        with open(config, "w") as f:
            f.write(f'signaling_port = {port}\nlisten_address = "127.0.0.1"\n'
                    f'interfaces = ["127.0.0.1"]\nworkers = 2\n')
        server = subprocess.Popen([binary, "--config", config], stdin=subprocess.PIPE, text=True)
        wait_healthy(port, server)
        try:
            asyncio.run(scenario(port))
        finally:
            server.terminate()
            check(server.wait(timeout=DEADLINE) == 0, "server did not stop cleanly")
    print("aiortc media test passed")


if __name__ == "__main__":
    main()
