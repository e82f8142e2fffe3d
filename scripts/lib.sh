# Shared by the scripts: project root, build-if-needed, and the local-run classpath.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$ROOT/data/djl-cache}"
# Flink plugins (s3:// file system), copied there by the build.
export FLINK_PLUGINS_DIR="${FLINK_PLUGINS_DIR:-$ROOT/cli/target/plugins}"

# Builds the project (no tests) when the command line's classpath file is missing or a main source or
# pom is newer than it.
ensure_built() {
  local stamp="$ROOT/cli/target/classpath.txt"
  if [[ ! -f "$stamp" ]] || [[ -n "$(find "$ROOT"/*/src/main "$ROOT"/pom.xml "$ROOT"/*/pom.xml "$ROOT"/servers/*/pom.xml \
      -newer "$stamp" -print -quit)" ]]; then
    echo "Building stageflow (mvn package -DskipTests)..." >&2
    (cd "$ROOT" && mvn -q -B package -DskipTests) >&2
    touch "$stamp"
  fi
}

local_classpath() {
  echo "$ROOT/cli/target/classes:$(cat "$ROOT/cli/target/classpath.txt")"
}

java_opts() {
  # The s3 file system's AWS SDK 1.x prints a deprecation notice with a stack trace on first use.
  echo "@$ROOT/conf/java17-opens.args -Dai.djl.offline=true -Daws.java.v1.disableDeprecationAnnouncement=true -Dlog4j.configurationFile=$ROOT/conf/log4j2.properties -Dstageflow.conf.dir=$ROOT/conf ${STAGEFLOW_JAVA_OPTS:--Xmx4g}"
}

# The standalone cluster's classpath (what a Flink distribution's lib/ holds; see servers/flink/pom.xml),
# resolved by the build with the parent pom's versions.
cluster_classpath() {
  cat "$ROOT/servers/target/classes/stageflow/servers/flink.classpath"
}

# Installs the Debian packages named (e.g. curl jq) whose commands are missing: the cluster scripts
# and their test need them, and a fresh Debian machine may not have them.
require_commands() {
  local missing=() command
  for command in "$@"; do
    command -v "$command" > /dev/null || missing+=("$command")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  echo "Installing ${missing[*]} (apt-get)..." >&2
  local sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >&2 && "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >&2 \
    || { echo "Cannot install ${missing[*]}; install them with your package manager" >&2; return 1; }
}
