#!/usr/bin/env bash
# The artifact store against a raw write of the same bytes to the same file system, for every
# codec x chunk size, on the project's own latents and enhanced images: writes
# bench/results/store-codecs.json and bench/results/store-codecs.png ($BENCH_RESULTS instead when set).
# Usage: scripts/bench-store.sh [prompts] [image side] [repeats] [name=dir,...]
#   defaults: 16 512 5 disk=job/target/bench-store,shm=/dev/shm/stageflow-bench-store (about 2 min)
source "$(dirname "$0")/lib.sh"
ensure_built
use_bench_classpath
ensure_matplotlib
cd "$ROOT"
results="${BENCH_RESULTS:-bench/results}"
mkdir -p "$results"
(run_java dev.stageflow.bench.StoreCodecBenchmark examples/prompts.jsonl \
  "${4:-disk=job/target/bench-store,shm=/dev/shm/stageflow-bench-store}" "$results/store-codecs.json" \
  "${1:-16}" "${2:-512}" "${3:-5}")
"$PLOT_PYTHON" bench/plot_store.py "$results/store-codecs.json" "$results/store-codecs.png"
