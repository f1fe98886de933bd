import struct, sys, collections
last_udp_len=0
def packets(path):
    with open(path,'rb') as f:
        gh=f.read(24)
        while True:
            h=f.read(16)
            if len(h)<16: return
            ts_s,ts_us,incl,orig=struct.unpack('<IIII',h)
            data=f.read(incl)
            yield ts_s+ts_us/1e6, data
def udp(data):
    if len(data)<14+20+8: return None
    if data[12:14]!=b'\x08\x00': return None
    ihl=(data[14]&0x0f)*4
    if data[14+9]!=17: return None
    u=14+ihl
    sport,dport,ulen=struct.unpack('>HHH',data[u:u+6])
    global last_udp_len
    last_udp_len=ulen-8
    return sport,dport,data[u+8:]
def rtp_exts(p):
    if len(p)<12 or p[0]>>6!=2: return None
    if 192<=p[1]<=223: return None  # RTCP
    cc=p[0]&0x0f; x=(p[0]>>4)&1
    off=12+4*cc
    seq=struct.unpack('>H',p[2:4])[0]; ssrc=struct.unpack('>I',p[8:12])[0]; pt=p[1]&0x7f
    exts={}
    if x and len(p)>=off+4:
        prof,ln=struct.unpack('>HH',p[off:off+4]); off+=4; end=off+4*ln
        if prof==0xBEDE:
            while off<end and off<len(p):
                b=p[off]
                if b==0: off+=1; continue
                i=b>>4; l=(b&0x0f)+1
                if i==15: break
                exts[i]=p[off+1:off+1+l]; off+=1+l
    return pt,seq,ssrc,exts
if __name__=='__main__':
    n=0
    for ts,d in packets(sys.argv[1]):
        u=udp(d)
        if not u: continue
        r=rtp_exts(u[2])
        if not r: continue
        n+=1
        if n<40 and n%3==0: print(ts,u[0],u[1],r[0],r[1],hex(r[2]),{k:v.hex() for k,v in r[3].items()})
