#!/usr/bin/env bash
# Writes OUT_DIR/<name>.classpath, the resolved runtime classpath of each servers/<name>/pom.xml.
# The local servers run as child JVMs on these classpaths, isolated from the command line's and the
# tests' own dependencies (S3Proxy's Guava clashes with Flink's). Run by the servers module's build
# (exec-maven-plugin, phase generate-resources) with the outer Maven's home, local repository and
# offline flag, so the nested resolution behaves like the outer build: same repository, offline when
# it is offline. Further arguments (-Dflink.version=...) go to every nested build: the versions of
# the parent pom, one source of truth. A classpath newer than its pom, whose jars all exist, is kept.
# Usage: resolve-classpaths.sh MAVEN_HOME LOCAL_REPOSITORY --offline=true|false OUT_DIR [-Dkey=value ...]
set -euo pipefail
maven_home="$1" local_repository="$2" offline="$3" out_dir="$4"
shift 4
servers_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$out_dir"

up_to_date() {
  local pom="$1" classpath="$2" jar
  [[ -s "$classpath" && "$classpath" -nt "$pom" ]] || return 1
  IFS=: read -r -a jars < "$classpath"
  for jar in "${jars[@]}"; do
    [[ -f "$jar" ]] || return 1
  done
}

for pom in "$servers_dir"/*/pom.xml; do
  name="$(basename "$(dirname "$pom")")"
  classpath="$out_dir/$name.classpath"
  up_to_date "$pom" "$classpath" && continue
  args=(-B -q -f "$pom" "-Dmaven.repo.local=$local_repository" "-Dmdep.outputFile=$classpath"
        -Dmdep.includeScope=runtime "$@")
  [[ "$offline" == "--offline=true" ]] && args+=(-o)
  "$maven_home/bin/mvn" "${args[@]}" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    || { echo "Cannot resolve the classpath of server '$name' ($pom)" >&2; exit 1; }
done
