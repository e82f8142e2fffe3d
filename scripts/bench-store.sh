#!/usr/bin/env bash
# The artifact store against a raw write of the same bytes to the same file system, for every
# codec x chunk size, on the project's own latents and enhanced images: writes
# bench/results/store-codecs.json and bench/results/store-codecs.png ($BENCH_RESULTS instead when set).
# Usage: scripts/bench-store.sh [--quick | --full | PROMPTS IMAGE_SIDE REPEATS FILE_SYSTEMS]
#   --quick (default, about 2-3 min on 2 cores): 8 prompts at 512x512, 3 rounds, the disk and /dev/shm
#   --full (about 6 min): 8 prompts, 5 rounds, the disk, /dev/shm and S3 (S3Proxy on a free loopback port)
#   FILE_SYSTEMS: name=dir (a local directory) or name=s3proxy:dir (S3Proxy keeping its blobs in dir), comma-separated
source "$(dirname "$0")/lib.sh"
local_fs="disk=job/target/bench-store,shm=/dev/shm/stageflow-bench-store"
case "${1:---quick}" in
  --quick) set -- 8 512 3 "$local_fs" ;;
  --full) set -- 8 512 5 "$local_fs,s3=s3proxy:/dev/shm/stageflow-bench-s3" ;;
esac
ensure_built
use_bench_classpath
ensure_matplotlib
cd "$ROOT"
results="${BENCH_RESULTS:-bench/results}"
mkdir -p "$results"
(run_java dev.stageflow.bench.StoreCodecBenchmark examples/prompts.jsonl "${4:-$local_fs}" "$results/store-codecs.json" \
  "${1:-8}" "${2:-512}" "${3:-3}")
"$PLOT_PYTHON" bench/plot_store.py "$results/store-codecs.json" "$results/store-codecs.png"
