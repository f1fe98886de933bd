#!/usr/bin/python3
"""Write libFuzzer seed corpora from the hex fixtures (run from anywhere).

fuzz/corpus/rtp_parse      every RTP fixture, plus two-byte-extension, CSRC and padding packets
fuzz/corpus/rtp_demux      RTP, RTCP, a STUN binding request header, a DTLS record header
fuzz/corpus/keyframe_probe the payloads of the video fixtures plus VP9/AV1 payload headers
fuzz/corpus/rtcp_parse     every RTCP fixture, their concatenation, FIR, APP, XR, transport-cc
"""
import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "tests", "data")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def load(path):
    out = bytearray()
    for line in open(path):
        line = line.split("#", 1)[0]
        out += bytes.fromhex("".join(line.split()))
    return bytes(out)


def fixtures(kind):
    d = os.path.join(DATA, kind)
    return {f[:-4]: load(os.path.join(d, f)) for f in sorted(os.listdir(d)) if f.endswith(".hex")}


def payload_of(rtp):
    cc = rtp[0] & 0x0F
    off = 12 + 4 * cc
    if rtp[0] & 0x10:
        off += 4 + 4 * int.from_bytes(rtp[off + 2:off + 4], "big")
    return rtp[off:]


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    rtp = fixtures("rtp")
    rtcp = fixtures("rtcp")
    extra_rtp = {
        "two_byte_ext": "90 60 00 01 00 00 00 02 00 00 00 03 10 00 00 02 c8 00 00 07 03 aa bb cc 55",
        "csrcs_padding": "a2 60 00 01 00 00 00 02 00 00 00 03 11 11 11 11 22 22 22 22 aa 00 02",
        "id15": "90 60 00 01 00 00 00 02 00 00 00 03 be de 00 02 10 aa f0 2f ff ff 00 00 99",
    }
    for name, data in rtp.items():
        write("rtp_parse", name, data)
    for name, text in extra_rtp.items():
        write("rtp_parse", name, bytes.fromhex(text.replace(" ", "")))
    write("rtp_demux", "rtp", rtp["opus_audio_level"])
    write("rtp_demux", "rtcp", rtcp["sr_compound"])
    write("rtp_demux", "stun", bytes.fromhex("000100002112a442000000000000000000000000"))
    write("rtp_demux", "dtls", bytes.fromhex("16fefd0000000000000000"))
    for name, data in rtp.items():
        if not name.startswith("opus"):
            write("keyframe_probe", name, payload_of(data)[:64])
    hand_payloads = {
        "vp9_key_ss": "8e 80 01 18 01 40 00 f0 01 00 82 49 83 42 00",
        "vp9_flexible": "98 05 82",
        "av1_seq_header": "20 02 10 00 08 00",
        "av1_new_sequence": "18 32 00",
        "h264_stap_a": "78 00 02 68 ce 00 02 65 88",
    }
    for name, text in hand_payloads.items():
        write("keyframe_probe", name, bytes.fromhex(text.replace(" ", "")))
    for name, data in rtcp.items():
        write("rtcp_parse", name, data)
    write("rtcp_parse", "all_captured", b"".join(rtcp.values()))
    hand_rtcp = {
        "fir": "84 ce 00 06 11 22 33 44 00 00 00 00 aa aa aa aa 07 00 00 00 bb bb bb bb ff 00 00 00",
        "app": "83 cc 00 03 12 34 56 78 54 45 53 54 de ad be ef",
        "xr": "80 cf 00 02 00 00 00 01 04 00 00 00",
        "transport_cc": "8f cd 00 08 00 00 00 01 00 00 00 02 00 05 00 0a 00 00 10 03 "
                        "d4 91 20 03 04 08 ff 38 10 00 ff 01 02 00 00 00",
        "transport_cc_one_bit": "8f cd 00 06 00 00 00 01 00 00 00 02 ff fe 00 0e ff ff ff 00 "
                                "ac 01 01 02 03 04 00 00",
        "bye_reason": "82 cb 00 05 00 00 00 01 00 00 00 02 08 73 68 75 74 64 6f 77 6e 00 00 00",
    }
    for name, text in hand_rtcp.items():
        write("rtcp_parse", name, bytes.fromhex(text.replace(" ", "")))


if __name__ == "__main__":
    main()
