# Shared by the launcher and the scripts: the checkout, a build when a source changed, and the JVM
# the command line runs in (its classpath, Flink's Java 17 flags, the job jar it submits).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$ROOT/data/djl-cache}"
export FLINK_PLUGINS_DIR="${FLINK_PLUGINS_DIR:-$ROOT/cli/target/plugins}"   # the s3 file system plugin

ensure_built() {
  local stamp="$ROOT/cli/target/classpath.txt"
  if [[ ! -f "$stamp" || -n "$(find "$ROOT"/*/src/main "$ROOT"/*pom.xml "$ROOT"/*/pom.xml "$ROOT"/servers/*/pom.xml -newer "$stamp" -print -quit)" ]]; then
    echo "Building stageflow (mvn package -DskipTests)..." >&2
    # Maven 3.8 prints colour resets even in batch mode; they are dropped.
    (cd "$ROOT" && mvn -q -B package -DskipTests 2>&1) | sed 's/\x1b\[0m//g' >&2 && touch "$stamp"
  fi
}

# Runs MAIN_CLASS with ARGS on the command line's classpath, after $CLASSPATH_FIRST if set.
run_java() {
  local jars=("$ROOT"/job/target/stageflow-job-*-job.jar)
  exec java @"$ROOT/conf/java17-opens.args" -Dai.djl.offline=true -Daws.java.v1.disableDeprecationAnnouncement=true \
    -Dlog4j.configurationFile="$ROOT/conf/log4j2.properties" -Dstageflow.conf.dir="$ROOT/conf" -Dstageflow.job.jar="${jars[0]}" \
    ${STAGEFLOW_JAVA_OPTS:--Xmx4g} -cp "${CLASSPATH_FIRST:+$CLASSPATH_FIRST:}$ROOT/cli/target/classes:$(cat "$ROOT/cli/target/classpath.txt")" "$@"
}

# The benchmarks are test code of the job: compiles it and sets CLASSPATH_FIRST to its classes and
# test classpath, for run_java.
use_bench_classpath() {
  (cd "$ROOT" && mvn -q -B test-compile dependency:build-classpath -pl job -am -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/test-classpath.txt)
  CLASSPATH_FIRST="$ROOT/job/target/test-classes:$ROOT/job/target/classes:$(cat "$ROOT/job/target/test-classpath.txt")"
}

# Debian's python3 with matplotlib, which the benchmarks' plots need (installed when missing).
PLOT_PYTHON=/usr/bin/python3
ensure_matplotlib() {
  "$PLOT_PYTHON" -c 'import matplotlib' 2> /dev/null || apt-get install -y -q python3-matplotlib > /dev/null \
    || { apt-get update -q > /dev/null && apt-get install -y -q python3-matplotlib > /dev/null; }
}
