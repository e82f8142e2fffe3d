#!/usr/bin/env bash
# Issue 15's benchmark 6, memory and checkpoints (README, "Memory and checkpoints"): bytes of Flink
# state per prompt in flight and checkpoint durations with them in flight (the real job, prompts held
# in image-enhance), and the heap with large artifacts held in the store between two stages. Writes
# bench/results/memory-checkpoints.json and .png (to $BENCH_RESULTS instead when set).
# Usage: scripts/bench-memory.sh [--quick | --full | PROMPTS ROUNDS SETUPS ARTIFACT_MB ARTIFACTS HEAP]
#   --quick (default, about 5 min on 2 cores): 1,000 prompts, 3 rounds, the built-in models;
#           8 artifacts of 100 MB (800 MB held) in a 1 GB heap, 3 rounds
#   --full: 1,000 prompts, 3 rounds, the built-in models (embeddings inline, and as claim checks) and
#           sd-tiny; 16 artifacts of 100 MB (1.6 GB held) in a 1 GB heap
# Scratch files go to data/bench-memory ($STAGEFLOW_BENCH_DIR) and are deleted as the runs end.
source "$(dirname "$0")/lib.sh"
case "${1:---quick}" in
  --quick) set -- 1000 3 builtin 100 8 1g ;;
  --full) set -- 1000 3 builtin,builtin-claim-check,sd-tiny 100 16 1g ;;
esac
ensure_built
cd "$ROOT"
mvn -q -B test-compile dependency:build-classpath -pl cli -am -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/test-classpath.txt
ensure_matplotlib
results="${BENCH_RESULTS:-bench/results}"
work="${STAGEFLOW_BENCH_DIR:-data/bench-memory}"
mkdir -p "$results"
export CLASSPATH_FIRST="cli/target/test-classes:$(cat cli/target/test-classpath.txt)"
(run_java dev.stageflow.bench.MemoryBenchmark "$work" "$results/memory-checkpoints.json" state "$1" "$2" 2 "$3")
(STAGEFLOW_JAVA_OPTS="-Xmx$6" run_java dev.stageflow.bench.MemoryBenchmark "$work" "$results/memory-checkpoints.json" \
  artifacts "$4" "$5" "$2")
"$PLOT_PYTHON" bench/plot_memory.py "$results/memory-checkpoints.json" "$results/memory-checkpoints.png"
