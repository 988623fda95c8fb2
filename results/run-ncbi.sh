#!/usr/bin/env bash
# NCBI-disease K=5 cells (issue 31: the K-shot figure beside the clinical example in uima-annotator/docs/engine.md),
# the same commands as the BC5CDR cells of results/run-span.sh and results/run-other.sh. Usage:
# results/run-ncbi.sh [FEWNER]. Resumes where it stopped.
set -uo pipefail
F="${1:-./fewner}"
D=../shared/datasets
export FEWNER_JAVA_OPTS="${FEWNER_JAVA_OPTS:--Xmx5g}"
run() { # out, args...
  local out=$1; shift
  [ -f $out/results.json ] || [ -f $out/layer-12/results.json ] || $F eval "$@" --out $out $( [ -d $out ] && echo --resume )
}
k="kshot --train conll:$D/ncbi-disease/train.tsv --test conll:$D/ncbi-disease/test.tsv --k 5 --seed 1"
run results/kshot-ncbi-disease-5-opennlp $k --method opennlp
run results/kshot-ncbi-disease-5-span $k --method span --model default --cache-mb 2500
run results/kshot-ncbi-disease-5-frozen-prototype $k --method frozen-prototype --model default --layer 9,12 --cache-mb 2500
