#!/usr/bin/env bash
# Runs the job on a local Flink over the example prompts (or --prompts): stageflow run.
exec "$(dirname "${BASH_SOURCE[0]}")/../stageflow" run "$@"
