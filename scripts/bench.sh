#!/usr/bin/env bash
# Issue 15's benchmarks 2-4 (see README, "Benchmarks"): the pipeline against its compute-only bound
# and against the naive baseline, warm rerun against cold run, and the embedding cache's hit latency
# against a real Redis. Writes bench/results/{pipeline-vs-compute,pipeline-vs-naive,cache}.json and a
# PNG of each (to $BENCH_RESULTS instead when set). Usage: scripts/bench.sh [--quick | --full | PROMPTS CACHE_PROMPTS REPEATS SETUPS]
#   --quick (default, under 10 minutes on 2 cores): 200 prompts, cache at 2,000, 3 rounds, classical
#   (PROMPTS 0: no pipeline figures; CACHE_PROMPTS 0: no cache figures; the files left out stay as they are)
#   --full: 1,000 prompts, cache at 2,000, 3 rounds, classical,esrgan-x2,sd-tiny
source "$(dirname "$0")/lib.sh"
case "${1:---quick}" in
  --quick) set -- 200 2000 3 classical ;;
  --full) set -- 1000 2000 3 classical,esrgan-x2,sd-tiny ;;
esac
ensure_built
cd "$ROOT"
mvn -q -B test-compile dependency:build-classpath -pl cli -am -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/test-classpath.txt
results="${BENCH_RESULTS:-bench/results}"
mkdir -p "$results"
python=/usr/bin/python3
"$python" -c 'import matplotlib' 2> /dev/null || apt-get install -y -q python3-matplotlib > /dev/null \
  || { apt-get update -q > /dev/null && apt-get install -y -q python3-matplotlib > /dev/null; }
(CLASSPATH_FIRST="cli/target/test-classes:$(cat cli/target/test-classpath.txt)" \
  run_java dev.stageflow.bench.PipelineBenchmark data/bench-pipeline "$results" "$@")
for name in pipeline-vs-compute pipeline-vs-naive cache; do
  if [[ "$name" == cache && "$2" != 0 || "$name" != cache && "$1" != 0 ]]; then
    "$python" bench/plot_pipeline.py "$results/$name.json" "$results/$name.png"
  fi
done
