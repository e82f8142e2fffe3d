#!/usr/bin/env bash
# Runs stageflow on a local Flink MiniCluster (web UI on http://localhost:8081) over the example
# prompts, or over --prompts PATH. Builds the project first if needed. --help lists the options.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_built
cd "$ROOT"
# shellcheck disable=SC2046
exec java $(java_opts) -cp "$(local_classpath)" dev.stageflow.cli.LocalRunner "$@"
