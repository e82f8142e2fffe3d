#!/usr/bin/env bash
# Regenerates the checked-in generated files: the option and metric references in README.md (from
# the ConfigOption declarations and the job's metric catalogue, StageflowMetric), the built-in
# generator's ONNX models and the ESRGAN models converted from their pinned npm package (installed
# here with npm ci) in the job's resources, and the tiny Stable Diffusion pipelines under
# examples/models/. The build-tools tests fail while any is stale.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
mvn -q -B package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/generate-classpath.txt
(cd build-tools/esrgan/model && npm ci --ignore-scripts --no-audit --no-fund)
classpath="build-tools/target/classes:$(cat build-tools/target/generate-classpath.txt)"
java -cp "$classpath" dev.stageflow.tools.OptionsReference README.md
java -cp "$classpath" dev.stageflow.tools.MetricsReference README.md
java -cp "$classpath" dev.stageflow.tools.BuiltinGeneratorWriter job/src/main/resources
java -cp "$classpath" dev.stageflow.tools.TinySdModelWriter .
java -cp "$classpath" dev.stageflow.tools.EsrganModelWriter . job/src/main/resources
