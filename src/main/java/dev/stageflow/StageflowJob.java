package dev.stageflow;

import dev.stageflow.cache.CommitMetadataOperator;
import dev.stageflow.cache.RedisSettings;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.sink.JsonLinesSink;
import dev.stageflow.sink.ToJsonLine;
import dev.stageflow.source.PromptFileSource;
import java.util.Locale;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;

/**
 * The job's entry point on a cluster ({@code flink run} or the REST API): options come as {@code
 * --key value} arguments on top of the cluster's configuration.
 */
public final class StageflowJob {

    public static final String JOB_NAME = "stageflow";

    private StageflowJob() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = Configuration.fromMap(ParameterTool.fromArgs(args).toMap());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        build(env, conf);
        env.execute(JOB_NAME);
    }

    /**
     * Wires prompt files → pipeline → results and dead-letter files into {@code env}, and with
     * {@code redis.uri} set the prompt metadata hashes, written after each checkpoint completes.
     */
    public static void build(StreamExecutionEnvironment env, Configuration conf) {
        String outputDir = conf.getOptional(SinkOptions.OUTPUT_DIR)
                .orElseThrow(() -> new IllegalConfigurationException(
                        "Option " + SinkOptions.OUTPUT_DIR.key() + " is required"));
        DataStream<String> lines = env
                .fromSource(PromptFileSource.from(conf), WatermarkStrategy.noWatermarks(), "Prompt files")
                .uid("source-files");
        StageflowPipeline.Outputs outputs = StageflowPipeline.build(lines, conf);
        commit(outputs.results, new Path(outputDir, CommittedOutput.RESULTS), "results", "Results", "commit-results");
        commit(outputs.deadLetters, new Path(outputDir, CommittedOutput.DEAD_LETTERS), "dead-letters", "Dead letters",
                "commit-dead-letters");
        RedisSettings.from(conf).ifPresent(redis -> outputs.results
                .transform("Commit metadata", Types.VOID,
                        new CommitMetadataOperator(redis, env.getCheckpointConfig().isCheckpointingEnabled()))
                .uid("commit-metadata")
                .name("Commit metadata"));
    }

    private static <T> void commit(DataStream<T> rows, Path directory, String filePrefix, String label, String uid) {
        rows.map(new ToJsonLine<>())
                .uid(filePrefix + "-json")
                .name(label + " as JSON")
                .sinkTo(JsonLinesSink.to(directory, filePrefix))
                .uid(uid)
                .name("Commit " + label.toLowerCase(Locale.ROOT));
    }
}
