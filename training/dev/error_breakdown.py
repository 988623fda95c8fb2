# Where the errors of the shipped pipeline go (FN: p below threshold, rejected by a margin, wrong type, blocked
# by an overlapping pick, longer than maxWidth; FP: wrong type, boundary, no gold overlap).
# Usage: PYTHONPATH=training/dev python3 training/dev/error_breakdown.py HEADS CACHE N SHOTS [THRESHOLD, default 0.1]
import sys, numpy as np, collections
from span_pipeline import *
def run(path,n,th=0.1,rej=0.3,prej=0.6,mix=0.4,lenb=0.05,beta=4.0):
    C=collections.Counter()
    for ep in episodes(path,n):
        types=ep['types']; sup={t:[] for t in types}; psup={t:[] for t in types}
        for w,lab in zip(ep['support']['word'],ep['support']['label']):
            cands,cs,x9=sent(w)
            for s,e,t in io_spans(lab): sup[t].append(mean_rep(cs,s,e)); psup[t].append(prep(x9,s,e))
        Pm=nz(np.stack([np.mean(sup[t],0) for t in types])); PP=nz(np.stack([np.mean(psup[t],0) for t in types]))
        for w,lab in zip(ep['query']['word'],ep['query']['label']):
            cands,cs,x9=sent(w); G={(s,e):t for s,e,t in io_spans(lab)}
            allp={(s,e):p for s,e,p in cands}
            cc=[c for c in cands if c[2]>=th]
            kept=[]; info={}
            if cc:
                Z=nz(np.stack([mean_rep(cs,s,e) for s,e,p in cc])); ZP=np.stack([prep(x9,s,e) for s,e,p in cc])
                sm=Z@Pm.T; sp=ZP@PP.T; ok=(sm.max(1)>=rej)&(sp.max(1)>=prej)
                sims=(1-mix)*sm+mix*sp; k=sims.argmax(1)
                sc=[]
                for i,(s,e,p) in enumerate(cc):
                    info[(s,e)]=(ok[i],types[k[i]])
                    if ok[i]: sc.append((p+beta*sims[i].max()+lenb*(e-s),s,e,types[k[i]]))
                sc.sort(key=lambda c:(-c[0],c[1],c[2]))
                for c in sc:
                    if all(not(c[1]<q[2] and q[1]<c[2]) for q in kept): kept.append(c)
            Pd={(c[1],c[2]):c[3] for c in kept}
            for (s,e),t in Pd.items():
                if G.get((s,e))==t: C['tp']+=1
                elif (s,e) in G: C['fp_wrongtype']+=1
                elif any(s<ge and gs<e for gs,ge in G): C['fp_boundary']+=1
                else: C['fp_nogold']+=1
            for (s,e),t in G.items():
                if Pd.get((s,e))==t: continue
                p=allp.get((s,e),0)
                if e-s>MW: C['fn_toolong']+=1
                elif p<th: C['fn_lowp']+=1
                elif not info[(s,e)][0]: C['fn_rejected']+=1
                elif info[(s,e)][1]!=t: C['fn_wrongtype']+=1
                else: C['fn_blocked']+=1
    return C
if __name__=='__main__':
    n=int(sys.argv[3]); shots=sys.argv[4]; th=float(sys.argv[5]) if len(sys.argv)>5 else 0.1
    for f in ['inter','intra']:
        C=run(f'../shared/datasets/few-nerd/{f}/test_5_{shots}.jsonl.gz',n,th=th)
        print(f,dict(sorted(C.items())))
