#!/usr/bin/env bash
# Submits the job to a Flink cluster: stageflow submit.
exec "$(dirname "${BASH_SOURCE[0]}")/../stageflow" submit "$@"
