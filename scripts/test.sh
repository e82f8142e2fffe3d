#!/usr/bin/env bash
# Runs the whole test suite: unit tests (*Test) and integration tests against real servers and a
# Flink MiniCluster (*ITCase). Extra arguments go to Maven, e.g. -Dit.test=PipelineITCase.
# The report's browser test renders in Debian's chromium, installed here when missing: the test runs
# /usr/bin/chromium (HeadlessChromium), so a chromium elsewhere on the PATH does not count.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ! -x /usr/bin/chromium ]]; then
  sudo=()
  [[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
  echo "Installing chromium (apt-get) for the report's browser test..." >&2
  "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq chromium > /dev/null
fi
exec mvn -B verify "$@"
