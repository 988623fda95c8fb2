#!/bin/bash
# usage: LABEL what secs  (env passed through)
ROOT="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"  # run after ./fewner has built cli/target/lib
export DJL_OFFLINE=true OPT_OUT_TRACKING=true MALLOC_MMAP_THRESHOLD_=4194304
PROBE_LABEL="$1" exec java $JOPTS -Dai.djl.offline=true -Dai.djl.default_engine=PyTorch -cp "/tmp/probe:$ROOT/cli/target/lib/*" Probe "$2" "$3" 2>&1 | grep -v "^\[\|WARN\|INFO"
