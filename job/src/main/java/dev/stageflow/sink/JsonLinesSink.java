package dev.stageflow.sink;

import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

/**
 * Exactly-once JSON-lines files: a part file becomes visible (loses its leading dot and {@code
 * .inprogress}) only when the checkpoint that contains its records completes, and a restored job
 * commits or discards pending parts from its state, never writing a record twice.
 */
public final class JsonLinesSink {

    private JsonLinesSink() {}

    public static FileSink<String> to(Path directory, String filePrefix) {
        return FileSink.forRowFormat(directory, new SimpleStringEncoder<String>("UTF-8"))
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(
                        OutputFileConfig.builder().withPartPrefix(filePrefix).withPartSuffix(".jsonl").build())
                .build();
    }
}
