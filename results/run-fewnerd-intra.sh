#!/usr/bin/env bash
# Few-NERD INTRA frozen-prototype runs (split from run-fewnerd.sh to run beside the INTER ones). Usage: results/run-fewnerd-intra.sh [FEWNER]
set -uo pipefail
F="${1:-./fewner}"
D=../shared/datasets/few-nerd
export FEWNER_JAVA_OPTS="${FEWNER_JAVA_OPTS:--Xmx5g}"
for k in 1 5; do
  out=results/fewnerd-intra-5-$k-frozen-prototype
  [ -f $out/layer-12/results.json ] || $F eval fewnerd --file $D/intra/test_5_$k.jsonl.gz --max-episodes 500 --method frozen-prototype --model default-uncased --layer 9,12 --cache-mb 2500 --out $out $( [ -d $out ] && echo --resume )
done
