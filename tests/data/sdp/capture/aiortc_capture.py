#!/usr/bin/python3
"""Captures aiortc's offer (audio + video + data channel) for the sdp fixtures.

Run with Debian's python3 (python3-aiortc 1.4.0):  /usr/bin/python3 aiortc_capture.py > aiortc_offer.sdp
"""
import asyncio

from aiortc import RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack


async def main():
    pc = RTCPeerConnection()
    pc.addTrack(AudioStreamTrack())
    pc.addTrack(VideoStreamTrack())
    pc.createDataChannel("chat")
    await pc.setLocalDescription(await pc.createOffer())
    print(pc.localDescription.sdp, end="")
    await pc.close()


asyncio.run(main())
