# Shared by the scripts: project root, build-if-needed, and the local-run classpath.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$ROOT/data/djl-cache}"
# Flink plugins (s3:// file system), copied there by the build.
export FLINK_PLUGINS_DIR="${FLINK_PLUGINS_DIR:-$ROOT/target/plugins}"

# Builds the project (no tests) when the classpath file is missing or a source is newer than it.
ensure_built() {
  local stamp="$ROOT/target/classpath.txt"
  if [[ ! -f "$stamp" ]] || [[ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$stamp" -print -quit)" ]]; then
    echo "Building stageflow (mvn package -DskipTests)..." >&2
    (cd "$ROOT" && mvn -q -B package -DskipTests) >&2
    touch "$stamp"
  fi
}

local_classpath() {
  echo "$ROOT/target/classes:$(cat "$ROOT/target/classpath.txt")"
}

java_opts() {
  # The s3 file system's AWS SDK 1.x prints a deprecation notice with a stack trace on first use.
  echo "@$ROOT/conf/java17-opens.args -Dai.djl.offline=true -Daws.java.v1.disableDeprecationAnnouncement=true -Dlog4j.configurationFile=$ROOT/conf/log4j2.properties -Dstageflow.conf.dir=$ROOT/conf ${STAGEFLOW_JAVA_OPTS:--Xmx4g}"
}

# A property of the main pom.xml, e.g. pom_property flink.version.
pom_property() {
  sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$ROOT/pom.xml" | head -1
}

# The standalone cluster's classpath (what a Flink distribution's lib/ holds; see cluster/pom.xml),
# resolved by Maven with the main pom's versions into target/cluster-classpath.txt when missing or
# older than either pom.
cluster_classpath() {
  local out="$ROOT/target/cluster-classpath.txt"
  if [[ ! -s "$out" || "$ROOT/cluster/pom.xml" -nt "$out" || "$ROOT/pom.xml" -nt "$out" ]]; then
    echo "Resolving the Flink cluster classpath (cluster/pom.xml)..." >&2
    mkdir -p "$ROOT/target"
    mvn -q -B -f "$ROOT/cluster/pom.xml" \
      "-Dflink.version=$(pom_property flink.version)" "-Dhadoop.version=$(pom_property hadoop.version)" \
      "-Dlog4j.version=$(pom_property log4j.version)" \
      "-Ddjl.version=$(pom_property djl.version)" "-Dmdep.outputFile=$out" -Dmdep.includeScope=runtime \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath >&2
  fi
  cat "$out"
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
