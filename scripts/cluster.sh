#!/usr/bin/env bash
# A standalone Flink cluster on this machine (start|stop|status|start-taskmanager N): stageflow cluster.
exec "$(dirname "${BASH_SOURCE[0]}")/../stageflow" cluster "$@"
