#!/usr/bin/env bash
# Codecs x chunk sizes on the project's own latents and enhanced images: writes
# bench/results/store-codecs.json and bench/results/store-codecs.png.
# Usage: scripts/bench-store.sh [prompts] [image side] [repeats]   (defaults: 16 512 5)
source "$(dirname "$0")/lib.sh"
ensure_built
cd "$ROOT"
mvn -q -B test-compile dependency:build-classpath -pl job -am -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/test-classpath.txt
mkdir -p bench/results
python=/usr/bin/python3
"$python" -c 'import matplotlib' 2> /dev/null || apt-get install -y -q python3-matplotlib > /dev/null \
  || { apt-get update -q > /dev/null && apt-get install -y -q python3-matplotlib > /dev/null; }
(CLASSPATH_FIRST="job/target/test-classes:job/target/classes:$(cat job/target/test-classpath.txt)" \
  run_java dev.stageflow.bench.StoreCodecBenchmark examples/prompts.jsonl job/target/bench-store \
  bench/results/store-codecs.json "${1:-16}" "${2:-512}" "${3:-5}")
"$python" bench/plot_store.py bench/results/store-codecs.json bench/results/store-codecs.png
