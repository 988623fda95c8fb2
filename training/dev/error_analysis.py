import json,sys,struct,collections
import numpy as np
def st(path):
    b=open(path,'rb').read(); n=struct.unpack('<Q',b[:8])[0]; h=json.loads(b[8:8+n]); out={}
    for k,v in h.items():
        if k=='__metadata__': continue
        s,e=v['data_offsets']; out[k]=np.frombuffer(b[8+n+s:8+n+e],dtype=np.float32).reshape(v['shape'])
    return out
H=st('ner/src/main/resources/org/fewner/ner/span/adapters/default-uncased/fewner_heads.safetensors')
print('scale',H['span.type.scale'],'none',H['span.type.none'])
def main():
  for f in sys.argv[1:]:
      rows=[json.loads(l) for l in open(f)]
      ng=0; gp=[]; missed_overlap=0; missed_none=0; hit=0
      fp_overlap=0; fp_free=0; tp=0
      for r in rows:
          cands={(c[0],c[1]):c for c in r['cands']}
          det=[c for c in r['cands'] if c[2]>=0.1]
          for g in r['gold']:
              ng+=1
              p=cands.get((g[0],g[1]),[0,0,0.0])[2]; gp.append(p)
          goldset={(g[0],g[1]):g[2] for g in r['gold']}
          for p in r['pred']:
              k=(p[0],p[1])
              if k in goldset and goldset[k]==p[2]: tp+=1
              elif any(p[0]<g[1] and g[0]<p[1] for g in r['gold']): fp_overlap+=1
              else: fp_free+=1
      gp=np.array(gp)
      print(f, 'gold',ng,'gold prob quantiles',np.quantile(gp,[.1,.25,.5,.75,.9]).round(3), 'frac>=0.1',(gp>=0.1).mean().round(3),'>=0.03',(gp>=0.03).mean().round(3))
      print(' tp',tp,'fp overlapping gold',fp_overlap,'fp elsewhere',fp_free)
      # boundary analysis
      lost=collections.Counter(); fpk=collections.Counter()
      for r in rows:
          cands=[c for c in r['cands'] if c[2]>=0.1]
          cands.sort(key=lambda c:(-c[2],c[0],c[1]))
          kept=[]
          for c in cands:
              if all(not(c[0]<k[1] and k[0]<c[1]) for k in kept): kept.append(c)
          ks={(k[0],k[1]) for k in kept}
          for g in r['gold']:
              if (g[0],g[1]) in ks: continue
              ov=[k for k in kept if k[0]<g[1] and g[0]<k[1]]
              if not ov: lost['no overlap']+=1; continue
              k=ov[0]
              if k[0]<=g[0] and k[1]>=g[1]: lost['inside longer']+=1
              elif k[0]>=g[0] and k[1]<=g[1]: lost['shorter inside' if len(ov)==1 else 'split']+=1
              else: lost['crossing']+=1
          goldset={(g[0],g[1]):g[2] for g in r['gold']}
          for p in r['pred']:
              k=(p[0],p[1])
              if k in goldset:
                  if goldset[k]!=p[2]: fpk['exact span wrong type']+=1
              elif any(p[0]<g[1] and g[0]<p[1] for g in r['gold']): fpk['boundary']+=1
              else: fpk['no gold overlap']+=1
      print(' lost gold (not selected):',dict(lost))
      print(' fp kinds:',dict(fpk))

if __name__=='__main__': main()
