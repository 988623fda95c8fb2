#!/usr/bin/env bash
# Few-NERD runs of the README table (issue 15), one after the other. Usage: results/run-fewnerd.sh [FEWNER]
# FEWNER defaults to ./fewner; every command below is exactly what results.json records.
set -uo pipefail
F="${1:-./fewner}"
D=../shared/datasets/few-nerd
export FEWNER_JAVA_OPTS="${FEWNER_JAVA_OPTS:--Xmx5g}"
for s in inter intra; do for k in 1 5; do
  out=results/fewnerd-$s-5-$k-frozen-prototype
  [ -f $out/layer-12/results.json ] || $F eval fewnerd --file $D/$s/test_5_$k.jsonl.gz --max-episodes 500 --method frozen-prototype --model default-uncased --layer 9,12 --cache-mb 2500 --out $out $( [ -d $out ] && echo --resume )
done; done
for s in inter intra; do for k in 1 5; do
  out=results/fewnerd-$s-5-$k-opennlp
  [ -f $out/results.json ] || $F eval fewnerd --file $D/$s/test_5_$k.jsonl.gz --max-episodes 500 --method opennlp --out $out $( [ -d $out ] && echo --resume )
done; done
