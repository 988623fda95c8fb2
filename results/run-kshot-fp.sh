#!/usr/bin/env bash
# K-shot frozen-prototype runs (split from run-other.sh to run beside it). Usage: results/run-kshot-fp.sh [FEWNER]
set -uo pipefail
F="${1:-./fewner}"
D=../shared/datasets
export FEWNER_JAVA_OPTS="${FEWNER_JAVA_OPTS:--Xmx5g}"
run() { local out=$1; shift; [ -f $out/layer-12/results.json ] || $F eval "$@" --out $out $( [ -d $out ] && echo --resume ); }
x="--method frozen-prototype --model default --layer 9,12 --cache-mb 2500"
run results/kshot-conll2003-5-frozen-prototype kshot --train conll2003:$D/conll2003/eng.train --test conll2003:$D/conll2003/eng.testb --k 5 --seed 1 $x
run results/kshot-wnut17-5-frozen-prototype kshot --train conll:$D/wnut17/wnut17train.conll --test conll:$D/wnut17/emerging.test.annotated --k 5 --seed 1 $x
run results/kshot-bc5cdr-5-frozen-prototype kshot --train conll:$D/bc5cdr/train.tsv --test conll:$D/bc5cdr/test.tsv --k 5 --seed 1 $x
