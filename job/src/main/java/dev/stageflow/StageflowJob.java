package dev.stageflow;

import dev.stageflow.config.JobOperator;
import dev.stageflow.config.KafkaOptions;
import dev.stageflow.config.OptionKeys;
import dev.stageflow.config.RequestOptions;
import dev.stageflow.config.Secrets;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.InputLine;
import dev.stageflow.redis.RedisSettings;
import dev.stageflow.sink.CommitMetadataOperator;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.sink.DeadLettersToJson;
import dev.stageflow.sink.JsonLinesSink;
import dev.stageflow.sink.KafkaOutputs;
import dev.stageflow.sink.ToJsonLine;
import dev.stageflow.source.ApplyRecordKey;
import dev.stageflow.source.KafkaPromptRecord;
import dev.stageflow.source.PromptFileSource;
import dev.stageflow.source.PromptKafkaSource;
import dev.stageflow.stage.ParseValidateStage;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.ParameterTool;

/**
 * The job's entry point on a cluster ({@code flink run} or the REST API): options come as {@code
 * --key value} arguments on top of the cluster's configuration; a key that is neither the job's nor
 * Flink's fails the submission ({@link OptionKeys}). The job's secrets are read from them when it is
 * built, and kept out of the configuration Flink is given ({@link Secrets}).
 */
public final class StageflowJob {

    public static final String JOB_NAME = "stageflow";

    private StageflowJob() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = ParameterTool.fromArgs(args).toMap();
        OptionKeys.check(options.keySet());
        Configuration conf = Configuration.fromMap(options);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Secrets.withoutJobSecrets(conf));
        env.execute(streamGraph(env, conf));
    }

    /** The job built into {@code env} as a stream graph named {@link #JOB_NAME}, ready to execute or submit. */
    public static StreamGraph streamGraph(StreamExecutionEnvironment env, Configuration conf) {
        build(env, conf);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(JOB_NAME);
        return graph;
    }

    /**
     * Wires the prompt source (files or Kafka) → pipeline → results and dead-letter files into
     * {@code env}; with {@code sink.kafka.*-topic} set also to Kafka topics, and with {@code
     * redis.uri} set the prompt metadata hashes, written after each checkpoint completes.
     */
    public static void build(StreamExecutionEnvironment env, Configuration conf) {
        Input input = input(env, conf);
        commit(env, conf, StageflowPipeline.build(input.lines(), conf).withDeadLetters(input.deadLetters()));
    }

    /**
     * Input lines from {@code source.prompts} or {@code source.kafka.topics}, whichever is set. An
     * unbounded input (Kafka, or followed files) needs checkpoints: the job commits only when one completes.
     */
    public static Input input(StreamExecutionEnvironment env, Configuration conf) {
        boolean files = conf.contains(SourceOptions.PROMPTS);
        boolean kafka = PromptKafkaSource.isConfigured(conf);
        if (files == kafka) {
            throw new IllegalConfigurationException("Set exactly one of " + SourceOptions.PROMPTS.key() + " (files) and "
                    + KafkaOptions.SOURCE_TOPICS.key() + " (Kafka)" + (files ? ", not both" : ""));
        }
        if (files) {
            FileSource<InputLine> source = PromptFileSource.from(conf);
            if (conf.get(SourceOptions.FOLLOW)) {
                requireCheckpoints(env, SourceOptions.FOLLOW.key() + " (files are followed until the job is stopped)");
            }
            return new Input(JobOperator.SOURCE_FILES.identify(env.fromSource(source,
                    WatermarkStrategy.noWatermarks(), JobOperator.SOURCE_FILES.displayName())), Optional.empty());
        }
        KafkaSource<KafkaPromptRecord> source = PromptKafkaSource.from(conf);
        requireCheckpoints(env, KafkaOptions.SOURCE_TOPICS.key() + " (Kafka topics are read until the job is stopped)");
        SingleOutputStreamOperator<KafkaPromptRecord> records = JobOperator.SOURCE_KAFKA.identify(env.fromSource(
                source, WatermarkStrategy.noWatermarks(), JobOperator.SOURCE_KAFKA.displayName()));
        SingleOutputStreamOperator<InputLine> lines = JobOperator.KAFKA_RECORD_KEY.identify(
                records.process(new ApplyRecordKey(conf.get(RequestOptions.MAX_LINE_BYTES))));
        return new Input(lines, Optional.of(lines.getSideOutput(ParseValidateStage.DEAD_LETTERS)));
    }

    /**
     * Refuses an unbounded input without checkpoints: the sinks are exactly once and commit what
     * they wrote only when a checkpoint completes, so nothing would ever be committed.
     */
    private static void requireCheckpoints(StreamExecutionEnvironment env, String unboundedInput) {
        if (!env.getCheckpointConfig().isCheckpointingEnabled()) {
            throw new IllegalConfigurationException("Option " + CheckpointingOptions.CHECKPOINTING_INTERVAL.key()
                    + " is required with " + unboundedInput + ": results, dead letters and Kafka output are"
                    + " committed only when a checkpoint completes (exactly-once sinks), so without checkpoints"
                    + " nothing would ever be committed");
        }
    }

    /**
     * Commits the pipeline's outputs: results and dead letters to files under {@code output.dir}
     * (and to Kafka topics when set), and with Redis the results' metadata.
     */
    public static void commit(StreamExecutionEnvironment env, Configuration conf, StageflowPipeline.Outputs outputs) {
        String outputDir = conf.getOptional(SinkOptions.OUTPUT_DIR)
                .orElseThrow(() -> new IllegalConfigurationException(
                        "Option " + SinkOptions.OUTPUT_DIR.key() + " is required"));
        Optional<KafkaOutputs> kafkaOutputs = KafkaOutputs.from(conf, checkpointInterval(env));
        commit(outputs.results().map(new ToJsonLine<>()), new Path(outputDir, CommittedOutput.RESULTS),
                CommittedOutput.RESULTS, JobOperator.RESULTS_JSON, JobOperator.COMMIT_RESULTS);
        commit(outputs.deadLetters().map(new DeadLettersToJson()), new Path(outputDir, CommittedOutput.DEAD_LETTERS),
                CommittedOutput.DEAD_LETTERS, JobOperator.DEAD_LETTERS_JSON, JobOperator.COMMIT_DEAD_LETTERS);
        kafkaOutputs.ifPresent(kafka -> {
            kafka.results().ifPresent(sink ->
                    JobOperator.PUBLISH_RESULTS_KAFKA.identify(outputs.results().sinkTo(sink)));
            kafka.deadLetters().ifPresent(sink ->
                    JobOperator.PUBLISH_DEAD_LETTERS_KAFKA.identify(outputs.deadLetters().sinkTo(sink)));
        });
        RedisSettings.from(conf).ifPresent(redis -> JobOperator.COMMIT_METADATA.identify(outputs.results()
                .transform(JobOperator.COMMIT_METADATA.displayName(), Types.VOID,
                        new CommitMetadataOperator(redis, env.getCheckpointConfig().isCheckpointingEnabled()))));
    }

    /** The checkpoint interval of {@code env}, or null when it does not checkpoint. */
    private static Duration checkpointInterval(StreamExecutionEnvironment env) {
        return env.getCheckpointConfig().isCheckpointingEnabled()
                ? Duration.ofMillis(env.getCheckpointConfig().getCheckpointInterval())
                : null;
    }

    /** Input lines, and the dead letters of records that could not become lines, if the source has any. */
    public record Input(DataStream<InputLine> lines, Optional<DataStream<DeadLetter>> deadLetters) {}

    /** {@code lines}, the JSON lines {@code toJson} made, to files under {@code directory}. */
    private static void commit(SingleOutputStreamOperator<String> lines, Path directory, String filePrefix,
            JobOperator toJson, JobOperator sink) {
        sink.identify(toJson.identify(lines).sinkTo(JsonLinesSink.to(directory, filePrefix)));
    }
}
