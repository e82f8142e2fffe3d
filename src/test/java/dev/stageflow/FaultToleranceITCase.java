package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.KafkaOptions;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.config.TestingOptions;
import dev.stageflow.faults.ModelCallLog.Event;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.Json;
import dev.stageflow.testing.ExactlyOnce;
import dev.stageflow.testing.JobRuns;
import dev.stageflow.testing.KafkaBroker;
import dev.stageflow.testing.KafkaBroker.KeyValue;
import dev.stageflow.testing.TestJobs;
import dev.stageflow.testing.TestPrompts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each operator of the job fails on purpose (the {@code testing.fail.*} injector), once or on
 * repeated attempts, before a batch or in the middle of one, while prompts are read from files or
 * from a Kafka topic (on a real KRaft broker, results and dead letters also published to topics
 * with transactions). The job restarts from its last checkpoint and must end with exactly the valid
 * prompts committed, each once, every artifact matching its sha256, exactly the invalid lines
 * dead-lettered, and no model call for an artifact that was already in the store.
 */
class FaultToleranceITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster();

    private static final int PROMPTS = 24;

    @TempDir
    Path dir;

    @TempDir
    static Path brokerDir;

    private static KafkaBroker kafka;

    @BeforeAll
    static void startKafka() {
        kafka = KafkaBroker.start(brokerDir);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    /**
     * Parallelism 1 where the failing operator is chained to the file source: a single file is one
     * split, read by whichever source subtask asks first, so subtask 0 might see no record at all.
     * Behind dedupe, promptIds spread over both subtasks by their (fixed) key groups.
     */
    @ParameterizedTest(name = "{0} fails {2}x {1} after {3} records, parallelism {4}")
    @CsvSource({
        "parse-validate, before-batch, 1, 9, 1",
        "text-encode, mid-batch, 2, 4, 2",
        "image-generate, before-batch, 1, 3, 2",
        "image-generate, mid-batch, 2, 5, 2",
        "image-enhance, mid-batch, 2, 4, 2",
        "result-rows, before-batch, 1, 6, 2"
    })
    void fileSourceCommitsEachPromptOnceAfterInjectedFailures(
            String stage, String point, int attempts, int afterRecords, int parallelism) throws Exception {
        List<String> lines = TestPrompts.mixed("file", PROMPTS);
        Path input = Files.write(dir.resolve("prompts.jsonl"), lines);
        Configuration conf = faultyJob(stage, point, attempts, afterRecords);
        conf.set(SourceOptions.PROMPTS, input.toUri().toString());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        StageflowJob.build(env, conf);
        env.executeAsync("faults-" + stage).getJobExecutionResult().get(4, TimeUnit.MINUTES);

        assertRecoveredExactlyOnce(lines, conf, stage, attempts);
    }

    @ParameterizedTest(name = "{0} fails {2}x {1} after {3} records")
    @CsvSource({
        "parse-validate, before-batch, 2, 5",
        "text-encode, before-batch, 1, 5",
        "image-generate, mid-batch, 2, 5",
        "image-enhance, before-batch, 2, 4",
        "result-rows, before-batch, 2, 6"
    })
    void kafkaSourceCommitsEachPromptOnceAfterInjectedFailures(String stage, String point, int attempts, int afterRecords)
            throws Exception {
        String prompts = "prompts-" + stage;
        String results = "results-" + stage;
        String deadLetters = "dead-letters-" + stage;
        kafka.createTopic(prompts, 2);
        kafka.createTopic(results, 2);
        kafka.createTopic(deadLetters, 1);
        List<String> lines = TestPrompts.mixed("kafka", PROMPTS);
        kafka.produce(prompts, lines.stream().map(line -> new KeyValue(null, line)).toList());
        Configuration conf = faultyJob(stage, point, attempts, afterRecords);
        conf.set(KafkaOptions.SOURCE_BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(KafkaOptions.SOURCE_TOPICS, List.of(prompts));
        conf.set(KafkaOptions.SOURCE_GROUP_ID, "faults-" + stage);
        conf.set(KafkaOptions.SINK_RESULTS_TOPIC, results);
        conf.set(KafkaOptions.SINK_DEAD_LETTERS_TOPIC, deadLetters);
        conf.set(KafkaOptions.SINK_TRANSACTIONAL_ID_PREFIX, "faults-" + stage);
        conf.set(KafkaOptions.SINK_TRANSACTION_TIMEOUT, Duration.ofMinutes(2));
        Set<String> expected = TestJobs.validPromptIds(lines, conf);
        List<String> invalid = TestJobs.invalidLines(lines, conf);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        StageflowJob.build(env, conf);
        JobClient job = env.executeAsync("faults-kafka-" + stage);
        try {
            JobRuns.await("every result and dead letter in the files and topics", Duration.ofMinutes(3), job, () ->
                    TestJobs.committedIds(dir.resolve("out")).equals(expected)
                            && promptIds(kafka.readCommitted(results)).equals(expected)
                            && kafka.readCommitted(deadLetters).size() >= invalid.size());
        } finally {
            JobRuns.cancel(job);
        }

        assertRecoveredExactlyOnce(lines, conf, stage, attempts);
        assertThat(kafka.readCommitted(results)).extracting(KeyValue::key)
                .as("results read with read_committed, each once").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(kafka.readCommitted(deadLetters)).extracting(r -> Json.read(r.value(), DeadLetter.class).raw)
                .as("dead letters read with read_committed, each once").containsExactlyInAnyOrderElementsOf(invalid);
    }

    /** A small job whose {@code stage} fails as asked, logging model calls, with quick restarts. */
    private Configuration faultyJob(String stage, String point, int attempts, int afterRecords) {
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints"));
        conf.set(SinkOptions.OUTPUT_DIR, dir.resolve("out").toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        conf.set(TestingOptions.MODEL_CALL_LOG, dir.resolve("model-calls").toString());
        conf.set(TestingOptions.FAIL_STAGE, stage);
        conf.set(TestingOptions.FAIL_POINT, point);
        conf.set(TestingOptions.FAIL_ATTEMPTS, attempts);
        conf.set(TestingOptions.FAIL_AFTER_RECORDS, afterRecords);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, attempts + 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return conf;
    }

    private void assertRecoveredExactlyOnce(List<String> lines, Configuration conf, String stage, int attempts)
            throws Exception {
        Path callLog = dir.resolve("model-calls");
        Path out = dir.resolve("out");
        List<Event> faults = ExactlyOnce.faults(callLog);
        assertThat(faults).as("injected failures").hasSize(attempts)
                .allSatisfy(f -> assertThat(f.stage()).isEqualTo(stage));
        assertThat(faults).extracting(Event::attempt).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, attempts).boxed().toList());
        ExactlyOnce.assertCommittedExactlyOnce(out, TestJobs.validPromptIds(lines, conf),
                TestJobs.invalidLines(lines, conf), conf);
        Map<String, Long> calls = ExactlyOnce.assertNothingComputedAgainOnceStored(callLog);
        Map<String, Long> distinct = ExactlyOnce.distinctCalls(callLog);
        assertThat(distinct).as("every image was computed").containsEntry("image-generate", 2L * PROMPTS)
                .containsEntry("image-enhance", (long) PROMPTS);
        System.out.printf("%s %s x%d: model calls %s, distinct %s%n", conf.get(TestingOptions.FAIL_STAGE),
                conf.get(TestingOptions.FAIL_POINT), attempts, calls, distinct);
    }

    private static Set<String> promptIds(List<KeyValue> records) {
        return records.stream().map(KeyValue::key).collect(Collectors.toSet());
    }
}
