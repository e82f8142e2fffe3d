#!/usr/bin/env bash
# Lists (or with --delete deletes) the orphaned artifacts of the store roots: stageflow gc.
exec "$(dirname "${BASH_SOURCE[0]}")/../stageflow" gc "$@"
