#!/usr/bin/env bash
# Runs the whole test suite: unit tests (*Test) and integration tests against real servers and a
# Flink MiniCluster (*ITCase). Extra arguments go to Maven, e.g. -Dit.test=PipelineITCase.
# The report's browser test renders in Debian's chromium, installed here when missing: the test runs
# /usr/bin/chromium (HeadlessChromium), so a chromium elsewhere on the PATH does not count.
# The alert rules are checked and unit-tested with promtool (AlertRulesTest), from Debian's prometheus
# package, installed here when missing too. The build-tools tests install the ESRGAN models' pinned
# npm package with npm ci: Debian's npm (with its Node.js) is installed when there is no npm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# apt_install PACKAGE [APT-GET OPTION...]
apt_install() {
  local sudo=()
  [[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
  echo "Installing $1 (apt-get)..." >&2
  "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "${@:2}" "$1" > /dev/null
}
[[ -x /usr/bin/chromium ]] || apt_install chromium
command -v promtool > /dev/null || apt_install prometheus --no-install-recommends
command -v npm > /dev/null || apt_install npm
exec mvn -B verify "$@"
