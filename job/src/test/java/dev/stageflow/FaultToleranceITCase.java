package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.KafkaOptions;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.Json;
import dev.stageflow.servers.KafkaBroker.KeyValue;
import dev.stageflow.servers.KafkaBroker;
import dev.stageflow.stage.ImageEnhanceStage;
import dev.stageflow.stage.ImageGenerateStage;
import dev.stageflow.stage.TextEncodeStage;
import dev.stageflow.testing.ExactlyOnce;
import dev.stageflow.testing.JobRuns;
import dev.stageflow.testing.StageMetrics;
import dev.stageflow.testing.TestJobs;
import dev.stageflow.testing.TestPrompts;
import dev.stageflow.testing.faults.FailingFileSystem;
import dev.stageflow.testing.faults.FailingMap;
import dev.stageflow.testing.faults.InjectedFailures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The job fails on purpose, once or on repeated attempts, at each kind of place, while prompts are
 * read from files or from a Kafka topic (on a real KRaft broker, results and dead letters also
 * published to topics with transactions). Failures come from test code only: a failing operator at
 * the pipeline's seam (in front of parse-validate, behind the result rows: in the tasks of those
 * operators) and a failing file system under the store ({@link FailingFileSystem}) that fails a
 * stage's lookup before its model runs, its read of its input artifact, or its write of an artifact
 * after earlier prompts of the batch were written. The job restarts from its last checkpoint and
 * must end with exactly the valid prompts committed, each once, every artifact matching its sha256,
 * exactly the invalid lines dead-lettered, and no artifact computed and written twice.
 */
class FaultToleranceITCase {

    private static final StageMetrics METRICS = new StageMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = METRICS.miniCluster(2);

    private static final int PROMPTS = 24;

    @TempDir
    Path dir;

    @TempDir
    static Path brokerDir;

    /** Where a failure is injected. */
    enum Fault {
        /** A failing operator in front of parse-validate, in its task. */
        PARSE_VALIDATE,
        /** Reading an image-generate manifest fails: its lookup before the model runs (or enhance's input). */
        GENERATE_LOOKUP,
        /** image-generate's write of a latent fails: after its model ran and earlier prompts were written. */
        GENERATE_WRITE,
        /** image-enhance's read of its input (the generated image) fails. */
        ENHANCE_INPUT,
        /** image-enhance's artifact lookup fails: before it computes. */
        ENHANCE_LOOKUP,
        /** image-enhance's write of the final image fails: after it computed. */
        ENHANCE_WRITE,
        /** A failing operator behind the result rows, in the task of the model stages. */
        RESULT_ROWS
    }

    private static KafkaBroker kafka;

    @BeforeAll
    static void startKafka() {
        kafka = KafkaBroker.start(brokerDir);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @BeforeEach
    void forgetEarlierRuns() {
        FailingFileSystem.reset();
    }

    /**
     * Parallelism 1 where the failing operator is chained to the file source: a single file is one
     * split, read by whichever source subtask asks first, so subtask 0 might see no record at all.
     * Behind dedupe, promptIds spread over both subtasks by their (fixed) key groups.
     */
    @ParameterizedTest(name = "{0} fails {1}x after {2}, parallelism {3}")
    @CsvSource({
        "PARSE_VALIDATE, 1, 9, 1",
        "GENERATE_LOOKUP, 1, 3, 2",
        "GENERATE_WRITE, 2, 5, 2",
        "ENHANCE_INPUT, 2, 3, 2",
        "ENHANCE_WRITE, 2, 4, 2",
        "RESULT_ROWS, 1, 6, 2"
    })
    void fileSourceCommitsEachPromptOnceAfterInjectedFailures(Fault fault, int attempts, int after, int parallelism)
            throws Exception {
        List<String> lines = TestPrompts.mixed("file", PROMPTS);
        Path input = Files.write(dir.resolve("prompts.jsonl"), lines);
        Configuration conf = faultyJob();
        conf.set(SourceOptions.PROMPTS, input.toUri().toString());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        build(env, conf, fault, attempts, after);
        JobClient job = env.executeAsync("faults-" + fault);
        job.getJobExecutionResult().get(4, TimeUnit.MINUTES);

        assertRecoveredExactlyOnce(job, lines, conf, fault, attempts);
    }

    @ParameterizedTest(name = "{0} fails {1}x after {2}")
    @CsvSource({
        "PARSE_VALIDATE, 2, 5",
        "GENERATE_WRITE, 2, 5",
        "ENHANCE_INPUT, 1, 5",
        "ENHANCE_LOOKUP, 2, 4",
        "RESULT_ROWS, 2, 6"
    })
    void kafkaSourceCommitsEachPromptOnceAfterInjectedFailures(Fault fault, int attempts, int after) throws Exception {
        String name = fault.name().toLowerCase(java.util.Locale.ROOT);
        String prompts = "prompts-" + name;
        String results = "results-" + name;
        String deadLetters = "dead-letters-" + name;
        kafka.createTopic(prompts, 2);
        kafka.createTopic(results, 2);
        kafka.createTopic(deadLetters, 1);
        List<String> lines = TestPrompts.mixed("kafka", PROMPTS);
        kafka.produce(prompts, lines.stream().map(line -> new KeyValue(null, line)).toList());
        Configuration conf = faultyJob();
        conf.set(KafkaOptions.SOURCE_BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(KafkaOptions.SOURCE_TOPICS, List.of(prompts));
        conf.set(KafkaOptions.SOURCE_GROUP_ID, "faults-" + name);
        conf.set(KafkaOptions.SINK_RESULTS_TOPIC, results);
        conf.set(KafkaOptions.SINK_DEAD_LETTERS_TOPIC, deadLetters);
        conf.set(KafkaOptions.SINK_TRANSACTIONAL_ID_PREFIX, "faults-" + name);
        conf.set(KafkaOptions.SINK_TRANSACTION_TIMEOUT, Duration.ofMinutes(2));
        Set<String> expected = TestJobs.validPromptIds(lines, conf);
        List<String> invalid = TestJobs.deadLetterInputs(lines, conf);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        build(env, conf, fault, attempts, after);
        JobClient job = env.executeAsync("faults-kafka-" + name);
        try {
            JobRuns.await("every result and dead letter in the files and topics", Duration.ofMinutes(3), job, () ->
                    TestJobs.committedIds(dir.resolve("out")).equals(expected)
                            && promptIds(kafka.readCommitted(results)).equals(expected)
                            && kafka.readCommitted(deadLetters).size() >= invalid.size());
        } finally {
            JobRuns.cancel(job);
        }

        assertRecoveredExactlyOnce(job, lines, conf, fault, attempts);
        assertThat(kafka.readCommitted(results)).extracting(KeyValue::key)
                .as("results read with read_committed, each once").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(kafka.readCommitted(deadLetters)).extracting(r -> TestJobs.rawOrConflictingText(Json.read(r.value(), DeadLetter.class)))
                .as("dead letters read with read_committed, each once").containsExactlyInAnyOrderElementsOf(invalid);
    }

    /** A small job on a {@code failing://} store, with quick restarts. */
    private Configuration faultyJob() {
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints"));
        conf.set(SinkOptions.OUTPUT_DIR, dir.resolve("out").toUri().toString());
        conf.set(StoreOptions.URI, FailingFileSystem.uri(dir.resolve("store")).toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return conf;
    }

    /** The job of {@code conf} with {@code fault} injected {@code attempts} times after {@code after} calls or records. */
    private static void build(StreamExecutionEnvironment env, Configuration conf, Fault fault, int attempts, int after) {
        String label = fault.name();
        String generate = "/" + ImageGenerateStage.STAGE + "/.*/";
        String enhance = "/" + ImageEnhanceStage.STAGE + "/.*/";
        switch (fault) {
            case GENERATE_LOOKUP -> FailingFileSystem.failOpen(label, generate + "manifest\\.json$", after, attempts);
            case GENERATE_WRITE -> FailingFileSystem.failCreate(label, generate + "latent\\.npy", after, attempts);
            case ENHANCE_INPUT -> FailingFileSystem.failOpen(label, generate + "image\\.png$", after, attempts);
            case ENHANCE_LOOKUP -> FailingFileSystem.failOpen(label, enhance + "manifest\\.json$", after, attempts);
            case ENHANCE_WRITE -> FailingFileSystem.failCreate(label, enhance + "image\\.png$", after, attempts);
            default -> { }
        }
        StageflowJob.Input input = StageflowJob.input(env, conf);
        StageflowPipeline.Outputs outputs = StageflowPipeline.build(fault == Fault.PARSE_VALIDATE
                ? FailingMap.behind(input.lines(), label, after, attempts)
                : input.lines(), conf);
        if (fault == Fault.RESULT_ROWS) {
            outputs = new StageflowPipeline.Outputs(
                    FailingMap.behind(outputs.results(), label, after, attempts), outputs.deadLetters());
        }
        StageflowJob.commit(env, conf, outputs.withDeadLetters(input.deadLetters()));
    }

    private void assertRecoveredExactlyOnce(
            JobClient job, List<String> lines, Configuration conf, Fault fault, int attempts) {
        FailingFileSystem.stopFailing();
        assertThat(InjectedFailures.all()).as("injected failures").isEqualTo(Collections.nCopies(attempts, fault.name()));
        ExactlyOnce.assertCommittedExactlyOnce(dir.resolve("out"), TestJobs.validPromptIds(lines, conf),
                TestJobs.deadLetterInputs(lines, conf), conf);
        Map<String, Long> stored = ExactlyOnce.assertEachArtifactStoredOnce();
        assertThat(stored).as("artifacts stored, each once")
                .containsEntry(ImageGenerateStage.STAGE, 2L * PROMPTS)
                .containsEntry(ImageEnhanceStage.STAGE, (long) PROMPTS);
        Map<String, Long> modelInputs = new TreeMap<>();
        for (String stage : List.of(TextEncodeStage.STAGE, ImageGenerateStage.STAGE, ImageEnhanceStage.STAGE)) {
            modelInputs.put(stage, METRICS.total(job.getJobID(), stage, "modelInputs"));
        }
        assertThat(modelInputs).as("every prompt reached each model").allSatisfy((stage, inputs) ->
                assertThat(inputs).as(stage).isGreaterThanOrEqualTo(PROMPTS));
        System.out.printf("%s x%d: model inputs %s, artifacts stored %s%n", fault, attempts, modelInputs, stored);
    }

    private static Set<String> promptIds(List<KeyValue> records) {
        return records.stream().map(KeyValue::key).collect(Collectors.toSet());
    }
}
