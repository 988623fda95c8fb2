#!/bin/bash
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
B="./fewner bench encoder --model /root/.cache/fewner/models/default --batches 32 --lengths 128 --repeats 4 --min-seconds 1 --gemm-seconds 0.3"
for th in 16777216 33554432 67108864 4194304 134217728; do
echo "== threshold $th $(date +%T)"; MALLOC_MMAP_THRESHOLD_=$th $B 2>&1 | grep "^| 32\|GEMM peak" | sed 's/Model.*GEMM/GEMM/'
done
echo "done $(date +%T)"
