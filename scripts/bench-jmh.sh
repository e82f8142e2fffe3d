#!/usr/bin/env bash
# The JMH micro-benchmarks of the benchmarks/ module (README, "Micro-benchmarks (JMH)"): builds them
# (offline when Maven has everything), runs those whose names match REGEX (all by default) and writes
# JMH's JSON to bench/results/jmh.json and a plot of it to bench/results/jmh.png ($BENCH_RESULTS instead
# of bench/results when set). Usage: scripts/bench-jmh.sh [--quick | --full] [REGEX] [JMH OPTION...]
#   --quick (default, about 7 min on 2 cores): 1 fork, 2 warm-up and 3 measured iterations of 1 s each
#   --full: 3 forks, 5 warm-up and 10 measured iterations of 2 s each (about 1.5 h)
# JMH options after REGEX win over the mode's, e.g. scripts/bench-jmh.sh Png -p side=512 -i 5
source "$(dirname "$0")/lib.sh"
declare -A mode=([-f]=1 [-wi]=2 [-i]=3 [-w]=1s [-r]=1s)
case "${1:-}" in
  --quick) shift ;;
  --full) mode=([-f]=3 [-wi]=5 [-i]=10 [-w]=2s [-r]=2s); shift ;;
esac
for arg in "$@"; do unset "mode[$arg]"; done   # JMH takes each option once: the caller's wins
defaults=()
for option in "${!mode[@]}"; do defaults+=("$option" "${mode[$option]}"); done
cd "$ROOT"
build=(-q -B compile dependency:build-classpath -pl benchmarks -am -Dmdep.includeScope=runtime
  -Dmdep.outputFile=target/jmh-classpath.txt)
mvn -o "${build[@]}" || { echo "The offline build failed; building online..." >&2; mvn "${build[@]}"; }
results="${BENCH_RESULTS:-bench/results}"
fixtures=benchmarks/target/jmh-fixtures   # made again by the first benchmark that needs them
rm -rf "$fixtures"
mkdir -p "$results"
# Every forked benchmark JVM inherits these options.
java -Dai.djl.offline=true -Dstageflow.jmh.fixtures="$fixtures" -Dlog4j.configurationFile="$ROOT/conf/log4j2.properties" \
  -Dstageflow.log.file=benchmarks/target/jmh.log -Xmx2g \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/jmh-classpath.txt)" org.openjdk.jmh.Main \
  "${defaults[@]}" -foe true -rf json -rff "$results/jmh.json" "$@"
ensure_matplotlib
"$PLOT_PYTHON" bench/plot_jmh.py "$results/jmh.json" "$results/jmh.png"
