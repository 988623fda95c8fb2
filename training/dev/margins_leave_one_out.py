import sys, numpy as np, itertools
store=sys.argv[1]; N=int(sys.argv[2]); shots=sys.argv[3]; cfgs=eval(sys.argv[4])
sys.argv=['span_pipeline.py','x',store]
import span_pipeline as pipe
from span_pipeline import sent, mean_rep, prep, nz, episodes, io_spans
def decode(cc, Z, ZP, Pm, PP, types, rej, prej, mix=0.5, lenb=0.05):
    kept=[]
    if not cc: return kept
    sr=Z@Pm.T; sp=ZP@PP.T
    ok=(sr.max(1)>=rej)&(sp.max(1)>=prej)
    s=(1-mix)*sr+mix*sp; k=s.argmax(1); m=s.max(1)
    sc=[((p*m[i])+lenb*(e-b),b,e,types[k[i]]) for i,(b,e,p) in enumerate(cc) if ok[i]]
    sc.sort(key=lambda c:(-c[0],c[1],c[2]))
    for c in sc:
        if all(not(c[1]<q[2] and q[1]<c[2]) for q in kept): kept.append(c)
    return kept
def counts(kept, lab):
    io=['O']*len(lab)
    for c in kept:
        for i in range(c[1],c[2]): io[i]=c[3]
    P=set(io_spans(io)); G=set(io_spans(lab))
    return len(P&G), len(P-G), len(G-P)
def prepare(w, th):
    cands,cs,x9=sent(w); cc=[c for c in cands if c[2]>=th]
    Z=nz(np.stack([mean_rep(cs,b,e) for b,e,p in cc])) if cc else None
    ZP=np.stack([prep(x9,b,e) for b,e,p in cc]) if cc else None
    return cc,Z,ZP
def run(path, n, th=0.1, grid=None, rej=0.3, prej=0.5, mix=0.5):
    tp=fp=fn=0; chosen=[]
    for ep in episodes(path,n):
        types=ep['types']
        S=[]
        for w,lab in zip(ep['support']['word'],ep['support']['label']):
            cands,cs,x9=sent(w); gold=io_spans(lab)
            S.append((w,lab,[(t,mean_rep(cs,b,e),prep(x9,b,e)) for b,e,t in gold])+prepare(w,th))
        def protos(skip):
            R={t:[] for t in types}; Q={t:[] for t in types}
            for i,s in enumerate(S):
                if i==skip: continue
                for t,r,z in s[2]: R[t].append(r); Q[t].append(z)
            if any(not R[t] for t in types): return None
            return nz(np.stack([np.mean(R[t],0) for t in types])), nz(np.stack([np.mean(Q[t],0) for t in types]))
        r0,p0=rej,prej
        if grid:
            best=None
            loo=[(i,protos(i)) for i in range(len(S))]
            for r,p in grid:
                a=b=c=0
                for i,pp in loo:
                    if pp is None or S[i][3] is None or not S[i][3]: 
                        if pp is not None: a2,b2,c2=counts([],S[i][1]); c+=c2
                        continue
                    k=decode(S[i][3],S[i][4],S[i][5],pp[0],pp[1],types,r,p,mix)
                    a2,b2,c2=counts(k,S[i][1]); a+=a2;b+=b2;c+=c2
                f=2*a/max(1,2*a+b+c)
                if best is None or f>best[0]+1e-9: best=(f,r,p)
            r0,p0=best[1],best[2]; chosen.append((r0,p0))
        Pm,PP=protos(-1)
        for w,lab in zip(ep['query']['word'],ep['query']['label']):
            cc,Z,ZP=prepare(w,th)
            k=decode(cc,Z,ZP,Pm,PP,types,r0,p0,mix) if cc else []
            a,b,c=counts(k,lab); tp+=a;fp+=b;fn+=c
    pr=tp/max(1,tp+fp); rc=tp/max(1,tp+fn)
    import collections
    return round(100*2*pr*rc/max(1e-9,pr+rc),2), round(100*pr,1), round(100*rc,1), collections.Counter(chosen).most_common(3)
G=[(r,p) for r in [0.2,0.3,0.4] for p in [0.4,0.45,0.5,0.55,0.6]]
for cfg in cfgs:
    if cfg.get('grid')=='G': cfg=dict(cfg,grid=G)
    print({k:v for k,v in cfg.items() if k!='grid'}, 'grid' if cfg.get('grid') else '', [run(f'../shared/datasets/few-nerd/{f}/test_5_{shots}.jsonl.gz',N,**cfg) for f in ['inter','intra']], flush=True)
