#!/usr/bin/env bash
# Regenerates the option reference in README.md from the ConfigOption declarations.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_built
cd "$ROOT"
java -cp "$(local_classpath)" dev.stageflow.config.OptionsReference README.md
