import sys, numpy as np
from feature_cache import *
from error_analysis import st
H=st('ner/src/main/resources/org/fewner/ner/span/adapters/default-uncased/fewner_heads.safetensors')
P=H['span.type.proj']; pb=H['span.type.proj_bias']
L,hid,S=load_store('cache/dev200.fs'); LI={l:i for i,l in enumerate(L)}
def nz(a): return a/np.maximum(np.linalg.norm(a,axis=-1,keepdims=True),1e-12)
def rep(x,s,e,kind):
    if kind=='proj': return nz(np.concatenate([x[LI[9]][s],x[LI[9]][e-1]])@P+pb)
    if kind.startswith('mean') and kind!='mean69':
        l=int(kind[4:]) if len(kind)>4 else 9
        return x[LI[l]][s:e].mean(0)
    if kind=='bnd9': return np.concatenate([x[LI[9]][s],x[LI[9]][e-1]])
    if kind=='mean69': return np.concatenate([x[LI[6]][s:e].mean(0),x[LI[9]][s:e].mean(0)])
def acc(path,n,kind,metric):
    right=tot=0
    for ep in episodes(path,n):
        types=ep['types']; sup={t:[] for t in types}
        for w,lab in zip(ep['support']['word'],ep['support']['label']):
            x=S[' '.join(w)]
            for s,e,t in io_spans(lab): sup[t].append(rep(x,s,e,kind))
        if metric=='center':
            allv=np.concatenate([np.stack(v) for v in sup.values()]); mu=allv.mean(0)
        for w,lab in zip(ep['query']['word'],ep['query']['label']):
            x=S[' '.join(w)]
            for s,e,t in io_spans(lab):
                z=rep(x,s,e,kind); sc=[]
                for tt in types:
                    V=np.stack(sup[tt])
                    if metric=='cos': sc.append(float(nz(V.mean(0))@nz(z)))
                    elif metric=='euc': sc.append(-float(((V.mean(0)-z)**2).sum()))
                    elif metric=='knn': sc.append(float((nz(V)@nz(z)).max()))
                    elif metric=='center': sc.append(float(nz(V.mean(0)-mu)@nz(z-mu)))
                right+= types[int(np.argmax(sc))]==t; tot+=1
    return round(100*right/tot,1)
KM=eval(sys.argv[1]) if len(sys.argv)>1 else []
for f in ['inter','intra']:
    p=f'../shared/datasets/few-nerd/{f}/test_5_1.jsonl.gz'
    for kind,metric in KM:
        print(f,kind,metric,acc(p,200,kind,metric),flush=True)
