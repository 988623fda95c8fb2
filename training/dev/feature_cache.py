import struct, gzip, json, numpy as np
def read_utf(b,o):
    n=struct.unpack('>H',b[o:o+2])[0]; return b[o+2:o+2+n].decode('utf-8','replace'), o+2+n
def load_store(path):
    b=open(path,'rb').read(); o=0
    m,o=read_utf(b,o); assert m=='FNFS1'
    nl=struct.unpack('>i',b[o:o+4])[0]; o+=4
    layers=list(struct.unpack('>%di'%nl,b[o:o+4*nl])); o+=4*nl
    hid,n=struct.unpack('>ii',b[o:o+8]); o+=8
    store={}
    for _ in range(n):
        nw=struct.unpack('>i',b[o:o+4])[0]; o+=4
        w=[]
        for i in range(nw):
            s,o=read_utf(b,o); w.append(s)
        cnt=nl*nw*hid
        a=np.frombuffer(b,dtype='>u2',count=cnt,offset=o).astype(np.uint32)<<16; o+=2*cnt
        store[' '.join(w)]=a.view(np.float32).reshape(nl,nw,hid)
    return layers,hid,store
def episodes(path,n):
    out=[]
    with gzip.open(path,'rt') as f:
        for i,l in enumerate(f):
            if i>=n: break
            out.append(json.loads(l))
    return out
def io_spans(labels):
    s=[];i=0
    while i<len(labels):
        if labels[i]=='O': i+=1; continue
        j=i
        while j<len(labels) and labels[j]==labels[i]: j+=1
        s.append((i,j,labels[i])); i=j
    return s
