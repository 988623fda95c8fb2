# Grid over var.py's settings; one JSON line per setting with INTER / INTRA F1 and their mean.
# Usage: PYTHONPATH=training/dev python3 training/dev/grid.py HEADS CACHE N SHOTS SKIP "dict(th=[0.1,0.15],beta=[2,4])"
# grid of decoding settings on a cache; prints F1 per (inter,intra) and the mean
import sys, itertools, json
heads, store, n, shots, skip = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
grid = eval(sys.argv[6])
sys.argv = [sys.argv[0], heads, store, '[]', str(n), shots, str(skip)]
exec(open(__import__('os').path.join(__import__('os').path.dirname(__file__),'var.py')).read().split("for cfg in eval(cfgs):")[0])
keys = list(grid.keys())
for vals in itertools.product(*[grid[k] for k in keys]):
    cfg = dict(zip(keys, vals))
    r = [run(f'../shared/datasets/few-nerd/{f}/test_5_{shots}.jsonl.gz', n, **cfg) for f in ['inter', 'intra']]
    print(json.dumps({'cfg': cfg, 'inter': r[0][0], 'intra': r[1][0], 'mean': round((r[0][0] + r[1][0]) / 2, 2)}), flush=True)
