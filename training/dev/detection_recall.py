# Class-agnostic detection on the distinct query sentences: share of gold spans with p >= 0.1 (candidate
# recall), found by greedy non-overlapping selection (greedy recall), and selected spans per gold span.
# Usage: PYTHONPATH=training/dev python3 training/dev/detection_recall.py HEADS CACHE N SHOTS SKIP
# class-agnostic detection on query sentences: recall of gold spans (p >= th, and after greedy
# non-overlapping selection), and number of selected spans per gold span
import sys
heads, store, n, shots, skip = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
sys.argv=[sys.argv[0],heads,store]
from span_pipeline import *
for f in ['inter','intra']:
    g=cand=sel=nsel=0; seen=set()
    for ep in episodes(f'../shared/datasets/few-nerd/{f}/test_5_{shots}.jsonl.gz',n)[skip:]:
        for w,lab in zip(ep['query']['word'],ep['query']['label']):
            k=' '.join(w)
            if k in seen: continue
            seen.add(k)
            cands,cs,x9=sent(w); G={(s,e) for s,e,t in io_spans(lab)}
            pc={(s,e) for s,e,p in cands if p>=0.1}
            ordered=sorted([c for c in cands if c[2]>=0.1],key=lambda c:-c[2]); kept=[]
            for c in ordered:
                if all(not(c[0]<q[1] and q[0]<c[1]) for q in kept): kept.append(c)
            ks={(c[0],c[1]) for c in kept}
            g+=len(G); cand+=len(G&pc); sel+=len(G&ks); nsel+=len(ks)
    print(f, 'gold',g,'cand-recall %.1f'%(100*cand/g),'greedy-recall %.1f'%(100*sel/g),'selected/gold %.2f'%(nsel/g))
