#!/usr/bin/python3
"""Pick representative packets out of capture_aiortc.py's JSON and write annotated hex fixtures.

Usage: extract_fixtures.py VP8.json H264.json  (writes into tests/data/rtp and tests/data/rtcp)
Each fixture is hex bytes, 16 per line; lines starting with '#' are comments.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RTP_DIR = os.path.dirname(HERE)
RTCP_DIR = os.path.join(os.path.dirname(RTP_DIR), "rtcp")


def write(path, data, notes):
    with open(path, "w") as f:
        for n in notes:
            f.write(f"# {n}\n")
        f.write(f"# {len(data)} bytes\n")
        for i in range(0, len(data), 16):
            f.write(" ".join(f"{b:02x}" for b in data[i:i + 16]) + "\n")


def rtp_fields(b):
    cc = b[0] & 0x0F
    x = (b[0] >> 4) & 1
    pt = b[1] & 0x7F
    seq = int.from_bytes(b[2:4], "big")
    ts = int.from_bytes(b[4:8], "big")
    ssrc = int.from_bytes(b[8:12], "big")
    off = 12 + 4 * cc
    ext = []
    if x:
        profile = int.from_bytes(b[off:off + 2], "big")
        words = int.from_bytes(b[off + 2:off + 4], "big")
        body = b[off + 4:off + 4 + 4 * words]
        off += 4 + 4 * words
        i = 0
        while i < len(body) and profile == 0xBEDE:
            if body[i] == 0:
                i += 1
                continue
            eid, ln = body[i] >> 4, (body[i] & 0xF) + 1
            ext.append((eid, body[i + 1:i + 1 + ln].hex()))
            i += 1 + ln
    return dict(marker=b[1] >> 7, pt=pt, seq=seq, ts=ts, ssrc=ssrc, payload=off, ext=ext)


def describe(b):
    f = rtp_fields(b)
    return (f"V=2 M={f['marker']} PT={f['pt']} seq={f['seq']} ts={f['ts']} ssrc=0x{f['ssrc']:08x} "
            f"payload offset={f['payload']} extensions(id,value)={f['ext']}")


def packets(path):
    d = json.load(open(path))
    for r in d["records"]:
        yield r["dir"], bytes.fromhex(r["hex"])


def is_rtcp(b):
    return len(b) >= 2 and 192 <= b[1] <= 223


def main(vp8_json, h264_json):
    src = "captured from aiortc 1.4.0 <-> aiortc 1.4.0 on loopback, plaintext before SRTP " \
          "(tests/data/rtp/capture/capture_aiortc.py)"
    picked = {}
    pts = {}
    for direction, b in packets(vp8_json):
        if is_rtcp(b):
            pt, fmt = b[1], b[0] & 0x1F
            key = {200: "sr_compound", 201: "rr_compound", 203: "bye_compound",
                   205: "nack_compound", 206: "pli_compound" if fmt == 1 else "remb_compound"}[pt]
            if pt == 206 and fmt == 15:
                key = "remb_compound"
            if pt == 201 and fmt == 2:
                key = "rr_two_blocks"
            picked.setdefault(("rtcp", key), (b, [src, f"direction {direction}"]))
            continue
        f = rtp_fields(b)
        pl = b[f["payload"]:]
        if f["pt"] == 96:
            picked.setdefault(("rtp", "opus_audio_level"),
                              (b, [src, "Opus, one-byte extensions: id 1 = sdes:mid, id 2 = ssrc-audio-level",
                                   describe(b)]))
        elif f["pt"] == 97:
            s_bit = (pl[0] >> 4) & 1
            x_bit = pl[0] >> 7
            hdr = 1 + (1 if x_bit else 0)
            if x_bit:
                xb = pl[1]
                if xb & 0x80:
                    hdr += 2 if pl[hdr] & 0x80 else 1
                if xb & 0x40:
                    hdr += 1
                if xb & 0x30:
                    hdr += 1
            key_frame = s_bit and (pl[0] & 0x0F) == 0 and (pl[hdr] & 1) == 0
            if s_bit and key_frame:
                picked.setdefault(("rtp", "vp8_key_frame_start"),
                                  (b, [src, "VP8 (RFC 7741), S=1 PID=0, frame header P bit = 0: key frame",
                                       "one-byte extensions: id 1 = sdes:mid, id 3 = abs-send-time", describe(b)]))
            elif s_bit:
                picked.setdefault(("rtp", "vp8_delta_frame_start"),
                                  (b, [src, "VP8, S=1 PID=0, frame header P bit = 1: inter frame", describe(b)]))
            else:
                picked.setdefault(("rtp", "vp8_continuation"),
                                  (b, [src, "VP8, S=0: continuation of a frame (not a key-frame start)",
                                       describe(b)]))
        elif f["pt"] == 98:
            picked.setdefault(("rtp", "vp8_rtx"),
                              (b, [src, "RTX (RFC 4588) of VP8: payload starts with the original sequence number",
                                   describe(b)]))
    for direction, b in packets(h264_json):
        if is_rtcp(b):
            continue
        f = rtp_fields(b)
        if f["pt"] != 99:
            continue
        pl = b[f["payload"]:]
        nal = pl[0] & 0x1F
        if nal == 24:
            types = []
            i = 1
            while i + 2 <= len(pl):
                ln = int.from_bytes(pl[i:i + 2], "big")
                types.append(pl[i + 2] & 0x1F)
                i += 2 + ln
            picked.setdefault(("rtp", "h264_stap_a"),
                              (b, [src, f"H264 (RFC 6184) STAP-A, aggregated NAL types {types}", describe(b)]))
        elif nal == 28:
            start, ftype = pl[1] >> 7, pl[1] & 0x1F
            if start and ftype == 5:
                picked.setdefault(("rtp", "h264_fu_a_idr_start"),
                                  (b, [src, "H264 FU-A, S=1, fragmented NAL type 5 (IDR)", describe(b)]))
            elif start and ftype == 1:
                picked.setdefault(("rtp", "h264_fu_a_non_idr_start"),
                                  (b, [src, "H264 FU-A, S=1, fragmented NAL type 1 (non-IDR)", describe(b)]))
        elif nal == 1:
            picked.setdefault(("rtp", "h264_single_non_idr"),
                              (b, [src, "H264 single NAL unit, type 1 (non-IDR)", describe(b)]))
    for (kind, name), (b, notes) in sorted(picked.items()):
        d = RTP_DIR if kind == "rtp" else RTCP_DIR
        write(os.path.join(d, name + ".hex"), b, notes)
        print(kind, name, len(b))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
