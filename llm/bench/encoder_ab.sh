#!/bin/bash
# usage: ab.sh ROUNDS BATCH LEN variant... ; variant = chunk:trim (trim '-' = unset)
R=$1; BB=$2; LL=$3; shift 3
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
for r in $(seq $R); do for v in "$@"; do IFS=: read c t m <<< "$v"; m=${m:-4194304}
  if [ "$t" = - ]; then E=""; else E="MALLOC_TRIM_THRESHOLD_=$t"; fi; E="$E MALLOC_MMAP_THRESHOLD_=$m"
  line=$(env $E FEWNER_JAVA_OPTS="-Dfewner.bert.chunkRows=$c" /usr/bin/time -f "rss_kb=%M minflt=%R" ./fewner bench encoder --model default --batches $BB --lengths $LL --repeats 3 --min-seconds 1 --gemm-seconds 0.3 2>&1 | grep -E "^bench: ${BB}x${LL}|^\| $BB \| $LL|rss_kb" | tr '\n' ' ')
  echo "$(date +%T) round $r chunk=$c trim=$t mmap=$m $line"
done; done
