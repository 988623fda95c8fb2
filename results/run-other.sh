#!/usr/bin/env bash
# Cross-dataset and K-shot runs of the README table (issue 15), one after the other. Usage: results/run-other.sh [FEWNER]
set -uo pipefail
F="${1:-./fewner}"
D=../shared/datasets
export FEWNER_JAVA_OPTS="${FEWNER_JAVA_OPTS:--Xmx5g}"
run() { # out, args...
  local out=$1; shift
  [ -f $out/results.json ] || [ -f $out/layer-12/results.json ] || [ -f $out/5shot/layer-12/results.json ] || [ -f $out/5shot/results.json ] \
    || $F eval "$@" --out $out $( [ -d $out ] && echo --resume )
}
for t in conll gum wnut; do
  # 1-shot and 5-shot in one process: the query is encoded once
  run results/crossdomain-$t-opennlp crossdomain --target $t --shots 1,5 --lowercase-query --method opennlp
  run results/crossdomain-$t-frozen-prototype crossdomain --target $t --shots 1,5 --lowercase-query --method frozen-prototype --model default-uncased --layer 9,12 --cache-mb 2500
done
for m in opennlp frozen-prototype; do
  extra=""; [ $m = frozen-prototype ] && extra="--model default --layer 9,12 --cache-mb 2500"
  run results/kshot-conll2003-5-$m kshot --train conll2003:$D/conll2003/eng.train --test conll2003:$D/conll2003/eng.testb --k 5 --seed 1 --method $m $extra
  run results/kshot-wnut17-5-$m kshot --train conll:$D/wnut17/wnut17train.conll --test conll:$D/wnut17/emerging.test.annotated --k 5 --seed 1 --method $m $extra
  run results/kshot-bc5cdr-5-$m kshot --train conll:$D/bc5cdr/train.tsv --test conll:$D/bc5cdr/test.tsv --k 5 --seed 1 --method $m $extra
done
