#!/usr/bin/env bash
# Runs the whole test suite: unit tests (*Test) and integration tests against real servers and a
# Flink MiniCluster (*ITCase). Extra arguments go to Maven, e.g. -Dit.test=PipelineITCase.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# The cluster scripts, which ClusterScriptsITCase runs, talk to Flink's REST API with curl and jq.
require_commands curl jq chromium
cd "$ROOT"
exec mvn -B verify "$@"
