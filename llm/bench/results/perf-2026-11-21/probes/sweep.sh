#!/bin/bash
cd /tmp/probe
for round in 1 2; do
 OMP_WAIT_POLICY=PASSIVE ./run.sh passive gemm,enc,dec 3
 GOMP_SPINCOUNT=1000 ./run.sh spin1k gemm,enc,dec 3
 GOMP_SPINCOUNT=10000 ./run.sh spin10k gemm,enc,dec 3
 GOMP_SPINCOUNT=100000 ./run.sh spin100k gemm,enc,dec 3
 GOMP_SPINCOUNT=1000000 ./run.sh spin1M gemm,enc,dec 3
 OMP_WAIT_POLICY=PASSIVE PROBE_THREADS=1 ./run.sh passive-1thr gemm,enc,dec 3
 GOMP_SPINCOUNT=10000 PROBE_THREADS=1 ./run.sh spin10k-1thr gemm,enc,dec 3
 OMP_WAIT_POLICY=PASSIVE MKL_DYNAMIC=FALSE ./run.sh passive-mkldynF gemm,enc,dec 3
 OMP_WAIT_POLICY=PASSIVE JOPTS=-Dai.djl.pytorch.num_interop_threads=1 ./run.sh passive-interop1 gemm,enc,dec 3
 OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 ./run.sh passive-omp2mkl2 gemm,enc,dec 3
 echo "round $round done $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
done
