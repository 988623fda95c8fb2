#!/usr/bin/env bash
# Span-method cells of the README table (issue 16), with the shipped adapters
# (ner/src/main/resources/org/fewner/ner/span/adapters/{default-uncased,default}): the uncased model on the lower-cased
# Few-NERD and cross-dataset files, the cased one on the cased K-shot files. Usage: results/run-span.sh [FEWNER]
# FEWNER defaults to ./fewner; every command below is exactly what results.json records. Resumes where it stopped.
# Two instances may run side by side: each cell is taken by one of them (a lock directory beside it).
set -uo pipefail
F="${1:-./fewner}"
D=../shared/datasets
export FEWNER_JAVA_OPTS="${FEWNER_JAVA_OPTS:--Xmx5g}"
run() { # out, args...
  local out=$1; shift
  [ -f $out/results.json ] || [ -f $out/5shot/results.json ] && return
  mkdir $out.lock 2>/dev/null || return
  $F eval "$@" --out $out $( [ -d $out ] && echo --resume )
  rmdir $out.lock
}
x="--method span --model default-uncased --cache-mb 2500"
for k in 1 5; do for s in inter intra; do
  run results/fewnerd-$s-5-$k-span fewnerd --file $D/few-nerd/$s/test_5_$k.jsonl.gz --max-episodes 500 $x
done; done
# held-out-types variant (issue 16): the adapter trained without LOC/ORG-bearing source sentences (results/adapters)
for k in 1 5; do
  run results/fewnerd-intra-5-$k-span-heldout fewnerd --file $D/few-nerd/intra/test_5_$k.jsonl.gz --max-episodes 500 \
    --method span --model default-uncased --adapter results/adapters/default-uncased-heldout --cache-mb 2500
done
for t in conll gum wnut; do
  run results/crossdomain-$t-span crossdomain --target $t --shots 1,5 --lowercase-query $x
done
c="--method span --model default --cache-mb 2500"
run results/kshot-conll2003-5-span kshot --train conll2003:$D/conll2003/eng.train --test conll2003:$D/conll2003/eng.testb --k 5 --seed 1 $c
run results/kshot-wnut17-5-span kshot --train conll:$D/wnut17/wnut17train.conll --test conll:$D/wnut17/emerging.test.annotated --k 5 --seed 1 $c
run results/kshot-bc5cdr-5-span kshot --train conll:$D/bc5cdr/train.tsv --test conll:$D/bc5cdr/test.tsv --k 5 --seed 1 $c
