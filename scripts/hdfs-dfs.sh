#!/usr/bin/env bash
# `hdfs dfs` without a Hadoop installation: Hadoop's own FsShell on the command line's classpath
# (the shaded Hadoop client), e.g. scripts/hdfs-dfs.sh -ls -R hdfs://namenode:8020/stageflow
# Uses the Hadoop configuration in HADOOP_CONF_DIR when set; FsShell insists on a core-site.xml,
# so without one it gets an empty one.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_built
conf_dir="${HADOOP_CONF_DIR:-$ROOT/data/hadoop-conf}"
[[ -f "$conf_dir/core-site.xml" ]] || { mkdir -p "$conf_dir" && echo '<configuration/>' > "$conf_dir/core-site.xml"; }
CLASSPATH_FIRST="$conf_dir" run_java org.apache.hadoop.fs.FsShell "$@"
