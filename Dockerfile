# The stageflow job image: the official Flink image with the job, its parent-first libraries and its
# model files. Build the project first (mvn package, or ./scripts/build.sh), then from the checkout:
#
#   docker build -t stageflow-job:0.1.0-SNAPSHOT --build-arg STAGEFLOW_VERSION=0.1.0-SNAPSHOT .
#
# Flink's version here must be the pom's flink.version (JobImageTest checks it, and that every
# path copied below exists after mvn package).
FROM flink:2.2.0-java17

ARG STAGEFLOW_VERSION=0.1.0-SNAPSHOT

# DJL and ONNX Runtime on Flink's own classpath: the FlinkDeployment loads ai.djl. and ai.onnxruntime.
# parent-first (classloader.parent-first-patterns.additional), because a JNI library loads into one
# class loader per JVM and from the job jar the second job on a TaskManager would fail.
COPY --chown=flink:flink job/target/lib/ /opt/flink/lib/

# The model files, laid out as the job extracts them ($STAGEFLOW_MODEL_DIR/<model>/<file>): a
# TaskManager finds them in place and writes nothing, so the directory may be read-only.
COPY --chown=flink:flink job/target/models/ /opt/stageflow/models/

# The job jar, where the FlinkDeployment's jarURI (local:///opt/flink/usrlib/stageflow-job.jar) finds it.
COPY --chown=flink:flink job/target/stageflow-job-${STAGEFLOW_VERSION}-job.jar /opt/flink/usrlib/stageflow-job.jar

# s3:// (store, checkpoints, savepoints, HA metadata) is the image's own flink-s3-fs-hadoop, always a
# plugin: the image's entry point links opt/<jar> into plugins/ at start. The Prometheus reporter is
# in the image already (plugins/metrics-prometheus/). The build fails here if either is missing.
ENV ENABLE_BUILT_IN_PLUGINS=flink-s3-fs-hadoop-2.2.0.jar
RUN test -f /opt/flink/opt/flink-s3-fs-hadoop-2.2.0.jar \
 && test -f /opt/flink/plugins/metrics-prometheus/flink-metrics-prometheus-2.2.0.jar

# Nothing is downloaded at run time (-Dai.djl.offline=true is in the FlinkDeployment's
# env.java.opts.all); the tokenizer's native library is extracted to DJL_CACHE_DIR.
ENV STAGEFLOW_MODEL_DIR=/opt/stageflow/models \
    DJL_CACHE_DIR=/tmp/djl-cache
