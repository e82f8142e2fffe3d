#!/usr/bin/env bash
# `hdfs dfs` without a Hadoop installation: Hadoop's own FsShell from the local-run classpath
# (the shaded Hadoop client), e.g. scripts/hdfs-dfs.sh -ls -R hdfs://namenode:8020/stageflow
# Uses the Hadoop configuration in HADOOP_CONF_DIR when set; FsShell insists on a core-site.xml,
# so without one it gets an empty one.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_built
conf_dir="${HADOOP_CONF_DIR:-}"
if [[ -z "$conf_dir" ]]; then
  conf_dir="$(mktemp -d)"
  trap 'rm -rf "$conf_dir"' EXIT
  echo '<configuration/>' > "$conf_dir/core-site.xml"
fi
java -cp "$conf_dir:$(local_classpath)" org.apache.hadoop.fs.FsShell "$@"
