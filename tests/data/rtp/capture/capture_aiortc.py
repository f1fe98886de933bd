#!/usr/bin/python3
"""Capture plaintext RTP/RTCP from two aiortc 1.4.0 peers connected on loopback.

Run with Debian's interpreter (it has python3-aiortc):  /usr/bin/python3 capture_aiortc.py OUT.json

Every datagram handed to RTCDtlsTransport._send_rtp is recorded *before* SRTP protection, so
the bytes are exactly what the peer will see after srtp_unprotect. To provoke NACK and RTX
the answerer's transport drops a few incoming video packets; a PLI is requested explicitly.
The JSON written is a list of {"dir": "offer->answer" | "answer->offer", "hex": "..."}.
"""
import asyncio
import fractions
import json
import sys

from aiortc import RTCPeerConnection, RTCRtpSender
from aiortc.codecs import HEADER_EXTENSIONS
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from aiortc.rtcdtlstransport import RTCDtlsTransport
from aiortc.rtp import is_rtcp
from av import VideoFrame
import numpy

# aiortc 1.4.0 gives ssrc-audio-level (audio) and abs-send-time (video) the same id 2 in one
# BUNDLE and then mis-parses its own audio packets; move abs-send-time to id 3.
for ext in HEADER_EXTENSIONS["video"]:
    if ext.uri.endswith("abs-send-time"):
        ext.id = 3

records = []
_orig_send = RTCDtlsTransport._send_rtp
_orig_handle = RTCDtlsTransport._handle_rtp_data
_dropped = {"n": 0, "seen": 0}


async def _send_rtp(self, data):
    records.append({"dir": getattr(self, "_capture_tag", "?"), "hex": bytes(data).hex()})
    await _orig_send(self, data)


async def _handle_rtp_data(self, data, arrival_time_ms):
    # Drop every 40th video packet arriving at the answerer so it sends NACKs (and the
    # offerer answers with RTX). Payload type 96+ with a large size is video here.
    if getattr(self, "_capture_tag", "") == "answer->offer" and not is_rtcp(data):
        if len(data) > 300:
            _dropped["seen"] += 1
            if _dropped["seen"] % 40 == 0:
                _dropped["n"] += 1
                return
    await _orig_handle(self, data, arrival_time_ms)


RTCDtlsTransport._send_rtp = _send_rtp
RTCDtlsTransport._handle_rtp_data = _handle_rtp_data


class NoiseVideoTrack(VideoStreamTrack):
    """Random pixels: every frame is large, so VP8 packets span several RTP packets."""

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        img = numpy.random.randint(0, 255, (240, 320, 3), dtype=numpy.uint8)
        frame = VideoFrame.from_ndarray(img, format="bgr24")
        frame.pts = pts
        frame.time_base = time_base
        return frame


async def main(out_path, codec):
    pc1 = RTCPeerConnection()
    pc2 = RTCPeerConnection()
    pc1.addTrack(AudioStreamTrack())
    video_sender = pc1.addTrack(NoiseVideoTrack())
    if codec != "VP8":
        caps = RTCRtpSender.getCapabilities("video")
        prefs = [c for c in caps.codecs if c.mimeType in ("video/" + codec, "video/rtx")]
        for t in pc1.getTransceivers():
            if t.kind == "video":
                t.setCodecPreferences(prefs)

    received = []

    @pc2.on("track")
    def on_track(track):
        async def drain():
            while True:
                try:
                    await track.recv()
                    received.append(track.kind)
                except Exception:
                    return
        asyncio.ensure_future(drain())

    await pc1.setLocalDescription(await pc1.createOffer())
    await pc2.setRemoteDescription(pc1.localDescription)
    await pc2.setLocalDescription(await pc2.createAnswer())
    await pc1.setRemoteDescription(pc2.localDescription)
    for t in pc1.getTransceivers():
        t.sender.transport._capture_tag = "offer->answer"
    for t in pc2.getTransceivers():
        t.receiver.transport._capture_tag = "answer->offer"

    await asyncio.sleep(4)
    for t in pc2.getTransceivers():
        if t.kind == "video":
            ssrc = video_sender._ssrc
            await t.receiver._send_rtcp_pli(ssrc)
    await asyncio.sleep(4)
    await pc1.close()
    await pc2.close()
    with open(out_path, "w") as f:
        json.dump({"codec": codec, "dropped": _dropped["n"], "records": records}, f)
    print(f"{len(records)} datagrams, dropped {_dropped['n']}, frames {len(received)}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "VP8"))
