import sys, re, collections
sys.path.insert(0,'/tmp/p21')
import pcap_rtp
from pcap_rtp import packets, udp, rtp_exts
pcap, log, est = sys.argv[1], sys.argv[2], sys.argv[3]
flows=collections.defaultdict(dict)
for ts,d in packets(pcap):
    u=udp(d)
    if not u: continue
    r=rtp_exts(u[2])
    if not r or 3 not in r[3] or len(r[3][3])!=2: continue
    flows[(u[0],u[1])][int.from_bytes(r[3][3],'big')]=(ts,r[0],pcap_rtp.last_udp_len,r[1])
lost=[]
for line in open(log, errors='replace'):
    m=re.search(r'TMPLOSS '+est+r' lost seq=(\d+) sent=\d+ size=(\d+) probe=(-?\d+)',line)
    if m: lost.append((int(m.group(1)),int(m.group(2)),int(m.group(3))))
for flow,v in flows.items():
    # match by size: the server's logged size vs wire size - SRTP tag (16 for GCM) 
    match=sum(1 for s,sz,_ in lost if (s&0xffff) in v and 0 <= v[s&0xffff][2]-sz <= 16)
    print(flow, 'size matches', match, 'of', len(lost))
    if match > len(lost)*0.8:
        kinds=collections.Counter(v[s&0xffff][1] for s,_,_ in lost if (s&0xffff) in v)
        allk=collections.Counter(x[1] for x in v.values())
        print('  lost by pt', dict(kinds), ' all by pt', dict(allk))
        for s,sz,p in lost[:12]:
            w=v.get(s&0xffff); print('   seq',s,'pt',w[1],'wire',w[2],'rtpseq',w[3],'probe',p)
