#!/bin/bash
# one competing busy process (pid recorded, killed by pid at the end)
cd /tmp/probe
( while :; do :; done ) & HOG=$!
sleep 1
for round in 1 2; do
 OMP_WAIT_POLICY=PASSIVE ./run.sh loaded-passive gemm,enc,dec 3
 GOMP_SPINCOUNT=100000 ./run.sh loaded-spin100k gemm,enc,dec 3
 GOMP_SPINCOUNT=1000000 ./run.sh loaded-spin1M gemm,enc,dec 3
 ./run.sh loaded-default gemm,enc,dec 3
done
kill $HOG
echo "loaded done $(date +%T)"
