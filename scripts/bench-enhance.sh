#!/usr/bin/env bash
# The enhancers side by side: writes docs/images/enhancers.png (the first example prompts'
# generated images, classical and esrgan-slim-x2 enhancements) and prints ms per image of each
# enhancer at 128->256 and 512->1024. Usage: scripts/bench-enhance.sh [rows] [repeats] (defaults: 3 5)
source "$(dirname "$0")/lib.sh"
ensure_built
use_bench_classpath
cd "$ROOT"
(run_java dev.stageflow.bench.EnhancerBenchmark examples/prompts.jsonl \
  docs/images/enhancers.png "${1:-3}" "${2:-5}")
