import json,sys,math,itertools
import numpy as np
SCALE=10.289663; NONE=0.59775627
def load(f): return [json.loads(l) for l in open(f)]
def chunks(io):
    out=set(); i=0
    while i<len(io):
        if io[i]=='O': i+=1; continue
        j=i
        while j<len(io) and io[j]==io[i]: j+=1
        out.add((i,j,io[i])); i=j
    return out
def run(rows, th=0.1, none=NONE, mode='greedy', lenb=0.0, key='p'):
    tp=fp=fn=0
    for r in rows:
        types=r['types']; n=len(r['words'])
        cs=[]
        for s,e,p,cos in r['cands']:
            if p<th: continue
            lg=np.array(cos+[none])*SCALE
            k=int(np.argmax(lg)); pt=float(np.exp(lg[k]-lg.max())/np.exp(lg-lg.max()).sum())
            t=types[k] if k<len(types) else None
            cs.append((s,e,p,t,pt))
        if mode=='greedy':  # current: select by p, then type
            order=sorted(cs,key=lambda c:(-(c[2]+lenb*(c[1]-c[0])),c[0],c[1]))
            kept=[]
            for c in order:
                if all(not(c[0]<k[1] and k[0]<c[1]) for k in kept): kept.append(c)
            kept=[c for c in kept if c[3] is not None]
        else:  # joint: drop rejected first, then greedy by score
            cs=[c for c in cs if c[3] is not None]
            def sc(c):
                v=c[2]*c[4] if key=='pq' else c[2]
                return v+lenb*(c[1]-c[0])
            order=sorted(cs,key=lambda c:(-sc(c),c[0],c[1]))
            kept=[]
            for c in order:
                if all(not(c[0]<k[1] and k[0]<c[1]) for k in kept): kept.append(c)
        io=['O']*n
        for c in kept:
            for w in range(c[0],c[1]): io[w]=c[3]
        P=chunks(io); G={(g[0],g[1],g[2]) for g in r['gold']}
        tp+=len(P&G); fp+=len(P-G); fn+=len(G-P)
    pr=tp/max(1,tp+fp); rc=tp/max(1,tp+fn)
    return round(100*2*pr*rc/max(1e-9,pr+rc),2), round(100*pr,1), round(100*rc,1)
if __name__=='__main__':
    R={f:load(f'cache/dump-{f}.jsonl') for f in ['inter','intra']}
    for cfg in [dict(),dict(mode='joint'),dict(mode='joint',key='pq'),dict(lenb=0.05),dict(lenb=0.1),dict(mode='joint',lenb=0.05),dict(mode='joint',lenb=0.1),dict(mode='joint',key='pq',lenb=0.05)]:
        for th in [0.05,0.1,0.2]:
          for none in [NONE,0.55,0.5]:
            c=dict(cfg,th=th,none=none)
            print(c, [run(R[f],**c) for f in R])
