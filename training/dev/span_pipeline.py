import sys, numpy as np, itertools
from feature_cache import *
from error_analysis import st
ADP=sys.argv[1] if len(sys.argv)>1 and sys.argv[1]!='x' else 'ner/src/main/resources/org/fewner/ner/span/adapters/default-uncased/fewner_heads.safetensors'
H=st(ADP)
Ws,We,EW,B,V,C0=[H['span.detect.'+k] for k in ['start','end','width','bias','out','out_bias']]
P=H['span.type.proj']; PB=H['span.type.proj_bias']
CTX=(H['span.detect.left'],H['span.detect.right'],H['span.detect.edges']) if 'span.detect.left' in H else None
V=V.reshape(-1); C0=float(C0.reshape(-1)[0]); MW=EW.shape[0]
STORE=sys.argv[2] if len(sys.argv)>2 else 'cache/dev200.fs'
L,hid,S=load_store(STORE); LI={l:i for i,l in enumerate(L)}
def nz(a): return a/np.maximum(np.linalg.norm(a,axis=-1,keepdims=True),1e-12)
_cache={}
def sent(words):
    k=' '.join(words)
    if k in _cache: return _cache[k]
    x=S[k]; x12=x[LI[12]]; x9=x[LI[9]]; T=len(words)
    sp=x12@Ws; ep=x12@We
    if CTX is not None:  # boundary context: x_{b-1} W_l, x_{e+1} W_r, edge vectors outside the sentence
        Wl,Wr,ED=CTX; lp=x12@Wl; rp=x12@Wr
        sp=sp+np.vstack([ED[0:1],lp[:-1]]); ep=ep+np.vstack([rp[1:],ED[1:2]])
    cands=[]; 
    for w in range(min(MW,T)):
        b=np.arange(0,T-w); e=b+w
        h=np.maximum(sp[b]+ep[e]+EW[w]+B,0); s=h@V+C0
        p=1/(1+np.exp(-s))
        for bb,pp in zip(b,p): cands.append((int(bb),int(bb+w+1),float(pp)))
    cs=np.cumsum(np.vstack([np.zeros((1,x9.shape[1]),np.float32),x9]),0)
    r=(cands,cs,x9); _cache[k]=r; return r
def mean_rep(cs,s,e): return (cs[e]-cs[s])/(e-s)
def feat(cs,x9,s,e,p):
    return np.concatenate([nz(mean_rep(cs,s,e)),prep(x9,s,e),[np.log(p/(1-p+1e-9)+1e-9)/10,1.0]])
def train_lr(X,Y,C,steps,l2,lr0,init=None,cw=True):
    X=np.stack(X); Y=np.array(Y); n,d=X.shape
    W=np.zeros((d,C)) if init is None else init.copy()
    m=np.zeros_like(W); v=np.zeros_like(W)
    w=np.ones(n); 
    for k in range(C):
        cnt=(Y==k).sum()
        if cnt: w[Y==k]=n/(C*cnt) if cw else 1
    w/=w.sum()
    Yo=np.eye(C)[Y]
    for t in range(1,steps+1):
        lg=X@W; lg-=lg.max(1,keepdims=True); pr=np.exp(lg); pr/=pr.sum(1,keepdims=True)
        g=X.T@((pr-Yo)*w[:,None])+2*l2*W
        m=0.9*m+0.1*g; v=0.999*v+0.001*g*g
        W-=lr0*(m/(1-0.9**t))/(np.sqrt(v/(1-0.999**t))+1e-8)
    return W
def prep(x9,s,e):
    # [h_b; h_e] P, or [h_b; h_e; mean] P when P is [3H, k] (typing projection-mean)
    parts=[x9[s],x9[e-1]]+([x9[s:e].mean(0)] if P.shape[0]==3*x9.shape[1] else [])
    return nz(np.concatenate(parts)@P+PB)
def evaluate(path,n,th=0.1,rej=0.5,lenb=0.05,mode='abs',neg=False,negm=0.0,key='p',trans=0,prej=None,mix=0.0,lr=False,lrsteps=100,l2=1e-3,lrlr=0.05,lrinit=0,cw=True):
    tp=fp=fn=0
    for ep in episodes(path,n):
        types=ep['types']; sup={t:[] for t in types}; psup={t:[] for t in types}; negs=[]; X=[]; Y=[]
        for w,lab in zip(ep['support']['word'],ep['support']['label']):
            cands,cs,x9=sent(w); gold=io_spans(lab)
            for s,e,t in gold: sup[t].append(mean_rep(cs,s,e)); psup[t].append(prep(x9,s,e))
            if lr:
                gd={(gs,ge):t for gs,ge,t in gold}
                for s,e,p in cands:
                    if p>=th or (s,e) in gd:
                        f=feat(cs,x9,s,e,p); X.append(f); Y.append(types.index(gd[(s,e)]) if (s,e) in gd else len(types))
            if neg:
                for s,e,p in cands:
                    if p>=th and not any(s<ge and gs<e for gs,ge,_ in gold): negs.append(mean_rep(cs,s,e))
        Pm=nz(np.stack([np.mean(sup[t],0) for t in types])); PP=nz(np.stack([np.mean(psup[t],0) for t in types]))
        Nm=nz(np.stack(negs)) if negs else None
        qdata=[]
        for w,lab in zip(ep['query']['word'],ep['query']['label']):
            cands,cs,x9=sent(w); cc=[c for c in cands if c[2]>=th]
            Z=nz(np.stack([mean_rep(cs,s,e) for s,e,p in cc])) if cc else np.zeros((0,Pm.shape[1]))
            ZP=np.stack([prep(x9,s,e) for s,e,p in cc]) if cc else np.zeros((0,PP.shape[1]))
            qdata.append((w,lab,cc,Z,ZP))
        for it in range(trans):
            # transductive: add confidently typed query spans to the prototypes (soft)
            allZ=np.concatenate([q[3] for q in qdata]); 
            if len(allZ)==0: break
            sims=allZ@Pm.T; a=sims.argmax(1); m=sims.max(1)
            newP=[]
            for k,t in enumerate(types):
                sel=allZ[(a==k)&(m>=rej)]
                base=np.stack(sup[t]); base=nz(base)
                newP.append(nz(np.concatenate([base,sel*0.5]).sum(0)))
            Pm=np.stack(newP)
        if lr:
            C=len(types)+1
            init=None
            if lrinit:
                init=np.zeros((X[0].shape[0],C)); dm=Pm.shape[1]
                init[:dm,:len(types)]=Pm.T*lrinit; init[dm:dm+PP.shape[1],:len(types)]=PP.T*lrinit
                init[-1,len(types)]=lrinit*(rej+prej)
            Wl=train_lr(X,Y,C,lrsteps,l2,lrlr,init,cw)
        for w,lab,cc,Z,ZP in qdata:
            T=len(w); kept=[]
            if cc and lr:
                cands_all,cs,x9=sent(w)
                F=np.stack([feat(cs,x9,s,e,p) for s,e,p in cc]); lg=F@Wl; lg-=lg.max(1,keepdims=True); pr=np.exp(lg); pr/=pr.sum(1,keepdims=True)
                k=pr.argmax(1); sc=[]
                for i,(s,e,p) in enumerate(cc):
                    if k[i]<len(types): sc.append(((p*pr[i,k[i]] if key=='pm' else p)+lenb*(e-s),s,e,types[k[i]]))
                sc.sort(key=lambda c:(-c[0],c[1],c[2]))
                for c in sc:
                    if all(not(c[1]<q[2] and q[1]<c[2]) for q in kept): kept.append(c)
            elif cc:
                sims=Z@Pm.T; k=sims.argmax(1); m=sims.max(1)
                ok=m>=rej
                if prej is not None: ok&=(ZP@PP.T).max(1)>=prej
                if mix>0:
                    sims=(1-mix)*sims+mix*(ZP@PP.T); k=sims.argmax(1); m=sims.max(1)
                if neg and Nm is not None:
                    nm=(Z@Nm.T).max(1); ok&= m>=nm+negm
                sc=[]
                for i,(s,e,p) in enumerate(cc):
                    if ok[i]: sc.append(((p if key=='p' else p*m[i])+lenb*(e-s),s,e,types[k[i]]))
                sc.sort(key=lambda c:(-c[0],c[1],c[2]))
                for c in sc:
                    if all(not(c[1]<q[2] and q[1]<c[2]) for q in kept): kept.append(c)
            io=['O']*T
            for c in kept:
                for i in range(c[1],c[2]): io[i]=c[3]
            Pp=set(io_spans(io)); G=set(io_spans(lab))
            tp+=len(Pp&G); fp+=len(Pp-G); fn+=len(G-Pp)
    pr=tp/max(1,tp+fp); rc=tp/max(1,tp+fn)
    return round(100*2*pr*rc/max(1e-9,pr+rc),2), round(100*pr,1), round(100*rc,1)
if __name__=='__main__':
    N=int(sys.argv[4]) if len(sys.argv)>4 else 200
    shots=sys.argv[5] if len(sys.argv)>5 else '1'
    for cfg in eval(sys.argv[3]):
        print(cfg,[evaluate(f'../shared/datasets/few-nerd/{f}/test_5_{shots}.jsonl.gz',N,**cfg) for f in ['inter','intra']],flush=True)
