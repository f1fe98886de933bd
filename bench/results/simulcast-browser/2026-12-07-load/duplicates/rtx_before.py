# usage: rtx_before.py capture.pcap SPORT DPORT RTPSEQ
# Every copy of RTP sequence RTPSEQ the server sent on the flow SPORT -> DPORT, with the
# packets that reached the server from elsewhere in the 10 ms before it (the publisher's: an RTX
# packet, payload type 97 here, 2 bytes longer for the original sequence number it carries).
import sys
sys.path.insert(0, __import__('os').path.dirname(__file__))
import pcap_rtp
from pcap_rtp import packets, udp, rtp_exts
cap, sport, dport, want = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
seen = []
for ts, d in packets(cap):
    u = udp(d)
    if not u: continue
    r = rtp_exts(u[2])
    if not r: continue
    seen.append((ts, u[0], u[1], r[0], r[1], pcap_rtp.last_udp_len))
for o in seen:
    if (o[1], o[2]) != (sport, dport) or o[4] != want: continue
    before = [p for p in seen if o[0] - 0.01 < p[0] <= o[0] and p[1] != sport and p[3] != 111]
    print(f'out {o[0] % 100:.4f} pt {o[3]} seq {o[4]} {o[5]} bytes; in before:',
          [(f'{p[0] % 100:.4f}', f'pt {p[3]}', f'seq {p[4]}', f'{p[5]} bytes') for p in before[-2:]])
