# Grid over decoding_variants.py's settings; one JSON line per setting with the F1 of each file and their mean.
# Usage: PYTHONPATH=training/dev python3 training/dev/decoding_grid.py HEADS CACHE N SHOTS SKIP "dict(th=[0.1,0.15],beta=[2,4])" [inter,intra]
# The optional last argument names the files (Few-NERD INTER and INTRA by default; "intra" for the held-out adapter).
import sys, itertools, json
heads, store, n, shots, skip = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
grid = eval(sys.argv[6])
files = sys.argv[7].split(',') if len(sys.argv) > 7 else ['inter', 'intra']
sys.argv = [sys.argv[0], heads, store, '[]', str(n), shots, str(skip)]
exec(open(__import__('os').path.join(__import__('os').path.dirname(__file__),'decoding_variants.py')).read().split("for cfg in eval(cfgs):")[0])
keys = list(grid.keys())
for vals in itertools.product(*[grid[k] for k in keys]):
    cfg = dict(zip(keys, vals))
    r = {f: run(f'../shared/datasets/few-nerd/{f}/test_5_{shots}.jsonl.gz', n, **cfg)[0] for f in files}
    print(json.dumps({'cfg': cfg, **r, 'mean': round(sum(r.values()) / len(r), 2)}), flush=True)
