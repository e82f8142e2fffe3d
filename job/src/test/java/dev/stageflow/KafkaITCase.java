package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.stageflow.config.KafkaOptions;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.servers.KafkaBroker.KeyValue;
import dev.stageflow.servers.KafkaBroker;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.testing.JobRuns;
import dev.stageflow.testing.TestJobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job between Kafka topics on a real KRaft broker: prompts from a topic with several
 * partitions (keyed and unkeyed records, invalid values, a key that contradicts its value, a
 * tombstone, repeated promptIds), results and dead letters to topics with exactly-once
 * transactions, and the files under output.dir alongside. A read_committed consumer sees each
 * valid prompt's result exactly once, also across a cancel and a restore from a retained checkpoint.
 * The Kafka source is unbounded: each test cancels its job once the expected output is visible.
 */
@Timeout(300)
class KafkaITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster();

    private static final Duration OUTPUT_TIMEOUT = Duration.ofSeconds(120);

    /** Valid values without a key: their promptIds are given or derived from the content. */
    private static final List<String> UNKEYED = List.of(
            "{\"text\": \"a lighthouse on a rocky coast at dawn\"}",
            "{\"text\": \"a red fox sleeping in fresh snow\", \"seed\": 7}",
            "{\"promptId\": \"fixed-1\", \"text\": \"an astronaut riding a horse\", \"style\": \"vivid\"}",
            "{\"text\": \"a bowl of ramen\", \"width\": 96, \"height\": 64}",
            "{\"text\": \"watercolor mountain lake\", \"style\": \"pastel\"}",
            "{\"text\": \"夜の雨の中の市場\"}");

    /** Valid values whose record key is their promptId. */
    private static final List<KeyValue> KEYED = List.of(
            new KeyValue("k-koi", "{\"text\": \"a koi pond, top-down\"}"),
            new KeyValue("k-owl", "{\"text\": \"an owl at night\", \"seed\": 5}"),
            new KeyValue("same-id", "{\"promptId\": \"same-id\", \"text\": \"a paper boat\"}"));

    /** Repeated prompts (by content, by value, by key): dropped by dedupe, no output. */
    private static final List<KeyValue> REPEATS = List.of(
            new KeyValue(null, "{\"text\": \"  a lighthouse   on a rocky coast at dawn \"}"),
            new KeyValue(null, "{\"promptId\": \"fixed-1\", \"text\": \"an  astronaut riding a horse\", \"style\": \"vivid\"}"),
            new KeyValue("k-koi", "{\"text\": \"a koi pond, top-down\"}"));

    /**
     * A key reused for other content, after the first (same key, same partition, so it comes
     * second): a PROMPT_ID_CONFLICT dead letter holding the prompt it would have been.
     */
    private static final KeyValue CONFLICT = new KeyValue("k-koi", "{\"text\": \"a koi pond at noon\"}");

    /** A tombstone: skipped, neither result nor dead letter. */
    private static final KeyValue TOMBSTONE = new KeyValue("k-owl", null);

    /** Invalid records and the dead letter (raw, reason) each must become. */
    private static final List<KeyValue> INVALID = List.of(
            new KeyValue(null, "{\"text\": \"unterminated"),
            new KeyValue(null, "{\"prompt\": \"typo\"}"),
            new KeyValue(null, "{\"text\": \"   \"}"),
            new KeyValue("k-conflict", "{\"promptId\": \"other-id\", \"text\": \"which id?\"}"),
            new KeyValue("bad key!", "{\"text\": \"a key that is no promptId\"}"));
    private static final List<Tuple> INVALID_DEAD_LETTERS = List.of(
            tuple("{\"text\": \"unterminated", "MALFORMED_JSON"),
            tuple("{\"prompt\": \"typo\"}", "UNKNOWN_FIELD"),
            tuple("{\"text\": \"   \"}", "EMPTY_TEXT"),
            tuple("{\"promptId\": \"other-id\", \"text\": \"which id?\"}", "PROMPT_ID_MISMATCH"),
            // The key is added to the value as its promptId; parse-validate rejects it.
            tuple("{\"promptId\":\"bad key!\",\"text\": \"a key that is no promptId\"}", "INVALID_PROMPT_ID"));

    @TempDir
    static Path dir;

    private static KafkaBroker kafka;

    @BeforeAll
    static void startKafka() {
        kafka = KafkaBroker.start(dir.resolve("kafka"));
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void publishesEachValidPromptOnceAndEachInvalidRecordAsADeadLetter() throws Exception {
        Topics topics = Topics.create("mixed", 3);
        List<KeyValue> records = new ArrayList<>();
        UNKEYED.forEach(value -> records.add(new KeyValue(null, value)));
        records.addAll(KEYED);
        records.addAll(INVALID);
        records.add(TOMBSTONE);
        records.addAll(REPEATS);
        records.add(CONFLICT);
        kafka.produce(topics.prompts, records);
        List<Tuple> expectedDeadLetters = new ArrayList<>(INVALID_DEAD_LETTERS);
        expectedDeadLetters.add(tuple("a koi pond at noon", "PROMPT_ID_CONFLICT"));
        Set<String> expected = expectedIds(UNKEYED, KEYED);
        Path out = dir.resolve("out-mixed");

        JobClient job = TestJobs.start(jobConfig(topics, out, "checkpoints-mixed"), "kafka-mixed");
        awaitThenCancel(job, () -> promptIds(kafka.readCommitted(topics.results)).equals(expected)
                && kafka.readCommitted(topics.deadLetters).size() == expectedDeadLetters.size()
                && TestJobs.committedIds(out).equals(expected)
                && CommittedOutput.deadLetters(TestJobs.flinkPath(out)).size() == expectedDeadLetters.size());

        List<KeyValue> results = kafka.readCommitted(topics.results);
        assertThat(promptIdList(results)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(results).allSatisfy(r -> assertThat(r.key()).isEqualTo(Json.read(r.value(), GenerationResult.class).promptId));
        assertThat(deadLetters(kafka.readCommitted(topics.deadLetters)))
                .extracting(TestJobs::rawOrConflictingText, d -> d.reason)
                .containsExactlyInAnyOrderElementsOf(expectedDeadLetters);
        assertThat(TestJobs.results(out)).extracting(r -> r.promptId).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(CommittedOutput.deadLetters(TestJobs.flinkPath(out)))
                .extracting(TestJobs::rawOrConflictingText, d -> d.reason)
                .containsExactlyInAnyOrderElementsOf(expectedDeadLetters);
        assertThat(deadLetters(kafka.readCommitted(topics.deadLetters)))
                .filteredOn(d -> d.reason.equals("PROMPT_ID_MISMATCH"))
                .extracting(d -> d.detail)
                .singleElement().asString()
                .startsWith("record key \"k-conflict\" and promptId \"other-id\" in the value differ (" + topics.prompts + "-");
    }

    @Test
    void restoredJobContinuesWithoutDuplicatingAnyResultInTheTopic() throws Exception {
        Topics topics = Topics.create("restore", 2);
        List<String> first = prompts("before the restore", 12);
        List<String> second = prompts("after the restore", 6);
        kafka.produce(topics.prompts, unkeyed(first));
        Path out = dir.resolve("out-restore");
        Configuration conf = jobConfig(topics, out, "checkpoints-restore");
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);

        JobClient firstRun = TestJobs.start(conf, "kafka-before-restore");
        awaitThenCancel(firstRun, () -> !kafka.readCommitted(topics.results).isEmpty());
        org.apache.flink.core.fs.Path checkpoint = JobRuns.latestCompletedCheckpoint(new org.apache.flink.core.fs.Path(
                        dir.resolve("checkpoints-restore").resolve(firstRun.getJobID().toString()).toUri()))
                .orElseThrow(() -> new AssertionError("the first run retained no completed checkpoint"));
        kafka.produce(topics.prompts, unkeyed(second));

        Configuration restore = new Configuration(conf);
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toString());
        Set<String> expected = expectedIds(Stream.concat(first.stream(), second.stream()).toList(), List.of());
        JobClient secondRun = TestJobs.start(restore, "kafka-after-restore");
        awaitThenCancel(secondRun, () -> promptIds(kafka.readCommitted(topics.results)).equals(expected)
                && TestJobs.committedIds(out).equals(expected));

        assertThat(promptIdList(kafka.readCommitted(topics.results))).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(TestJobs.results(out)).extracting(r -> r.promptId).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(kafka.readCommitted(topics.deadLetters)).isEmpty();
    }

    /** A test's topics: prompts with {@code partitions} partitions, results and dead letters with 2. */
    private record Topics(String prompts, String results, String deadLetters) {
        static Topics create(String test, int partitions) {
            Topics topics = new Topics("prompts-" + test, "results-" + test, "dead-letters-" + test);
            kafka.createTopic(topics.prompts, partitions);
            kafka.createTopic(topics.results, 2);
            kafka.createTopic(topics.deadLetters, 2);
            return topics;
        }
    }

    private static Configuration jobConfig(Topics topics, Path out, String checkpoints) {
        Configuration conf = TestJobs.smallJob(dir.resolve(checkpoints));
        conf.set(KafkaOptions.SOURCE_BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(KafkaOptions.SOURCE_TOPICS, List.of(topics.prompts));
        conf.set(KafkaOptions.SOURCE_GROUP_ID, "stageflow-" + topics.prompts);
        conf.set(KafkaOptions.SINK_RESULTS_TOPIC, topics.results);
        conf.set(KafkaOptions.SINK_DEAD_LETTERS_TOPIC, topics.deadLetters);
        conf.set(KafkaOptions.SINK_TRANSACTIONAL_ID_PREFIX, "stageflow-" + topics.prompts);
        conf.set(KafkaOptions.SINK_TRANSACTION_TIMEOUT, Duration.ofMinutes(2));
        conf.set(SinkOptions.OUTPUT_DIR, out.toUri().toString());
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        return conf;
    }

    /** Waits until {@code done} (the job must keep running meanwhile), then cancels the job and waits until it has stopped. */
    private static void awaitThenCancel(JobClient job, BooleanSupplier done) throws Exception {
        try {
            JobRuns.await("the expected output", OUTPUT_TIMEOUT, job, done);
        } finally {
            JobRuns.cancel(job);
        }
    }

    private static Set<String> expectedIds(List<String> unkeyedValues, List<KeyValue> keyed) {
        Set<String> ids = new LinkedHashSet<>(TestJobs.validPromptIds(unkeyedValues, TestJobs.smallJob(dir)));
        keyed.forEach(record -> ids.add(record.key()));
        return ids;
    }

    private static List<String> prompts(String theme, int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> "{\"text\": \"picture " + i + " " + theme + "\", \"seed\": " + i + "}")
                .toList();
    }

    private static List<KeyValue> unkeyed(List<String> values) {
        return values.stream().map(value -> new KeyValue(null, value)).toList();
    }

    private static List<String> promptIdList(List<KeyValue> results) {
        return results.stream().map(r -> Json.read(r.value(), GenerationResult.class).promptId).toList();
    }

    private static Set<String> promptIds(List<KeyValue> results) {
        return promptIdList(results).stream().collect(Collectors.toSet());
    }

    private static List<DeadLetter> deadLetters(List<KeyValue> records) {
        return records.stream().map(r -> Json.read(r.value(), DeadLetter.class)).toList();
    }
}
