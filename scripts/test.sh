#!/usr/bin/env bash
# Runs the whole test suite: unit tests (*Test) and integration tests against real servers and a
# Flink MiniCluster (*ITCase). Extra arguments go to Maven, e.g. -Dit.test=PipelineITCase.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec mvn -B verify "$@"
