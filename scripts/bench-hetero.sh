#!/usr/bin/env bash
# hetero-bench: the CPU -> accelerator -> CPU microbenchmark of arXiv 2501.12407 on stageflow's
# operators with timed work (8 virtual CPUs, 4 virtual accelerators): writes
# bench/results/hetero-bench.json and bench/results/hetero-bench.png.
# Usage: scripts/bench-hetero.sh [time unit ms] [payload bytes] [repeats]   (defaults: 10 65536 3)
# The store is a directory in shared memory, like Ray's object store (STAGEFLOW_BENCH_DIR to change it).
source "$(dirname "$0")/lib.sh"
ensure_built
use_bench_classpath
ensure_matplotlib
cd "$ROOT"
mkdir -p bench/results
(run_java dev.stageflow.bench.HeteroBenchmark \
  "${STAGEFLOW_BENCH_DIR:-/dev/shm/stageflow-bench-hetero}" bench/results/hetero-bench.json "${1:-10}" "${2:-65536}" "${3:-3}")
"$PLOT_PYTHON" bench/plot_hetero.py bench/results/hetero-bench.json bench/results/hetero-bench.png
