# The span pipeline with the variants studied on 2026-12-05 evening (numpy, over a feature cache).
# Usage (repository root): PYTHONPATH=training/dev python3 training/dev/decoding_variants.py HEADS|x CACHE "[dict(...), ...]" N SHOTS [SKIP]
# HEADS: a fewner_heads.safetensors (x = the shipped uncased adapter); episodes SKIP..N-1 of INTER/INTRA test_5_SHOTS.
# Settings: th (detection threshold), rej / prej (mean / projection margins), mix, lenb (length bonus),
# beta (similarity weight of the additive key p + beta*s + lenb*width), pm=True (the older key p*s + lenb*width),
# ctx (context words in the mean representation), wp (per-type width prior), th2/acc2 (a second, lower threshold
# for spans typed with a high score), logp (log p in the key). The shipped settings: th=0.1, rej=0.3, prej=0.6,
# mix=0.4, beta=4, lenb=0.05.
import sys, numpy as np, collections
cfgs=sys.argv[3]; n=int(sys.argv[4]); shots=sys.argv[5]; skip=int(sys.argv[6]) if len(sys.argv)>6 else 0
sys.argv=[sys.argv[0],sys.argv[1],sys.argv[2]]
from span_pipeline import *
def crep(cs,x9,s,e,ctx,cw):
    r=nz(mean_rep(cs,s,e))
    if ctx<=0: return r
    T=x9.shape[0]; n=(s-max(0,s-cw))+(min(T,e+cw)-e)
    c=(cs[s]-cs[max(0,s-cw)]+cs[min(T,e+cw)]-cs[e])
    c=nz(c) if n>0 else np.zeros_like(r)
    return np.concatenate([r,ctx*c])
def run(path,n,th=0.1,rej=0.3,prej=0.5,mix=0.5,lenb=0.05,beta=0.0,logp=False,gam=0.0,acc=None,th2=None,acc2=0.7,ctx=0.0,cw=3,wp=0.0,wa=1.0,pm=False):
    tp=fp=fn=0
    for ep in episodes(path,n)[skip:]:
        types=ep['types']; sup={t:[] for t in types}; psup={t:[] for t in types}
        for w,lab in zip(ep['support']['word'],ep['support']['label']):
            cands,cs,x9=sent(w)
            for s,e,t in io_spans(lab): sup[t].append(crep(cs,x9,s,e,ctx,cw)); psup[t].append(prep(x9,s,e))
        wc={t:np.full(MW+1,wa) for t in types}
        for w_,lab_ in zip(ep['support']['word'],ep['support']['label']):
            for s_,e_,t_ in io_spans(lab_): wc[t_][min(e_-s_,MW)]+=1
        wlp={t:np.log(wc[t]/wc[t].sum()) for t in types}
        Pm=nz(np.stack([np.mean(sup[t],0) for t in types])); PP=nz(np.stack([np.mean(psup[t],0) for t in types]))
        for w,lab in zip(ep['query']['word'],ep['query']['label']):
            cands,cs,x9=sent(w); G=set(io_spans(lab))
            cc=[c for c in cands if c[2]>=(th if th2 is None else th2)]
            kept=[]
            if cc:
                Z=nz(np.stack([crep(cs,x9,s,e,ctx,cw) for s,e,p in cc])); ZP=np.stack([prep(x9,s,e) for s,e,p in cc])
                sm=Z@Pm.T; sp=ZP@PP.T
                sims=(1-mix)*sm+mix*sp; k=sims.argmax(1); m=sims.max(1)
                if acc is None: ok=(sm.max(1)>=rej)&(sp.max(1)>=prej)
                else: ok=m>=acc
                if th2 is not None: ok&=np.array([p>=th or m[i]>=acc2 for i,(s,e,p) in enumerate(cc)])
                sc=[]
                for i,(s,e,p) in enumerate(cc):
                    if ok[i]:
                        base=np.log(p) if logp else (p*m[i] if pm else p)
                        sc.append((base+beta*m[i]+lenb*(e-s)+gam*sp[i].max()+wp*wlp[types[k[i]]][e-s],s,e,types[k[i]]))
                sc.sort(key=lambda c:(-c[0],c[1],c[2]))
                for c in sc:
                    if all(not(c[1]<q[2] and q[1]<c[2]) for q in kept): kept.append(c)
            io=['O']*len(w)
            for c in kept:
                for i in range(c[1],c[2]): io[i]=c[3]
            Pp=set(io_spans(io)); tp+=len(Pp&G); fp+=len(Pp-G); fn+=len(G-Pp)
    pr=tp/max(1,tp+fp); rc=tp/max(1,tp+fn)
    return round(100*2*pr*rc/max(1e-9,pr+rc),2), round(100*pr,1), round(100*rc,1)
for cfg in eval(cfgs):
    print(cfg,[run(f'../shared/datasets/few-nerd/{f}/test_5_{shots}.jsonl.gz',n,**cfg) for f in ['inter','intra']],flush=True)
