#!/usr/bin/env bash
# Codecs x chunk sizes on the project's own latents and enhanced images: writes
# bench/results/store-codecs.json and bench/results/store-codecs.png.
# Usage: scripts/bench-store.sh [prompts] [image side] [repeats]   (defaults: 16 512 5)
source "$(dirname "$0")/lib.sh"
ensure_built
use_bench_classpath
ensure_matplotlib
cd "$ROOT"
mkdir -p bench/results
(run_java dev.stageflow.bench.StoreCodecBenchmark examples/prompts.jsonl \
  job/target/bench-store bench/results/store-codecs.json "${1:-16}" "${2:-512}" "${3:-5}")
"$PLOT_PYTHON" bench/plot_store.py bench/results/store-codecs.json bench/results/store-codecs.png
