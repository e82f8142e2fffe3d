#!/usr/bin/env bash
# Lists the orphaned artifacts of the store roots (dry run), or deletes them with --delete.
# Takes the jobs' own options: --store.uri (and --store.generate.uri / --store.enhance.uri), one
# --output.dir per job that writes into the store, --grace DURATION, and s3.* options for s3://
# roots (the s3 plugin is loaded from $FLINK_PLUGINS_DIR). --help lists the options.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_built
# shellcheck disable=SC2046
exec java $(java_opts) -cp "$(local_classpath)" dev.stageflow.cli.GcCommand "$@"
