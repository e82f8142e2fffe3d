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
