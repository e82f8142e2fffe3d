package dev.stageflow.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.CacheOptions;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.redis.CircuitBreaker;
import dev.stageflow.redis.RedisTestSettings;
import dev.stageflow.servers.RedisServer;
import dev.stageflow.testing.RecordedMetrics;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** Harness tests of the commit-metadata operator against a real redis-server. */
class CommitMetadataOperatorITCase {

    @TempDir
    Path dir;

    private RedisServer redis;

    @BeforeEach
    void startRedis() {
        redis = RedisServer.start(dir);
    }

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    static GenerationResult result(String promptId) {
        GenerationResult result = new GenerationResult();
        result.promptId = promptId;
        result.text = "text of " + promptId;
        result.seed = 7;
        result.width = 64;
        result.height = 48;
        result.steps = 2;
        result.style = "natural";
        result.submittedAt = 1_000;
        ArtifactRef latent = ref("latent", promptId);
        ArtifactRef image = ref("image", promptId + "-raw");
        ArtifactRef enhanced = ref("image", promptId + "-enhanced");
        result.encode = new StageOutcome("text-encode", "minilm", "enc-v1", true, 3, new ArtifactRef[0]);
        result.generate = new StageOutcome("image-generate", "builtin", "gen-v1", false, 40, new ArtifactRef[] {latent, image});
        result.enhance = new StageOutcome("image-enhance", "enhancer", "enh-v1", false, 9, new ArtifactRef[] {enhanced});
        result.image = enhanced;
        return result;
    }

    private static ArtifactRef ref(String name, String id) {
        return new ArtifactRef(name, "file:///store/" + id, "sha-" + id, 100, 50, "zstd", 1, "application/octet-stream");
    }

    /** The metrics of the operator of the newest harness. */
    private RecordedMetrics metrics;

    private OneInputStreamOperatorTestHarness<GenerationResult, Void> harness(Map<String, String> options, boolean checkpointing)
            throws Exception {
        metrics = new RecordedMetrics();
        return new OneInputStreamOperatorTestHarness<>(
                new CommitMetadataOperator(RedisTestSettings.of(redis.uri(), options), checkpointing),
                metrics.environment());
    }

    private OneInputStreamOperatorTestHarness<GenerationResult, Void> harness() throws Exception {
        return harness(Map.of(), true);
    }

    private Set<String> promptKeys() {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            return jedis.keys("sf:prompt:*");
        }
    }

    private Map<String, String> hash(String promptId) {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            return jedis.hgetAll("sf:prompt:" + promptId);
        }
    }

    @Test
    void writesRowsOnlyAfterTheCheckpointTakenAfterThemCompletes() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(result("a"), 0);
            h.processElement(result("b"), 0);
            h.snapshot(1, 1);
            h.processElement(result("c"), 0);
            assertThat(promptKeys()).isEmpty();

            h.notifyOfCompletedCheckpoint(1);
            assertThat(promptKeys()).containsExactlyInAnyOrder("sf:prompt:a", "sf:prompt:b");

            h.snapshot(2, 2);
            assertThat(promptKeys()).hasSize(2);
            h.notifyOfCompletedCheckpoint(2);
            assertThat(promptKeys()).containsExactlyInAnyOrder("sf:prompt:a", "sf:prompt:b", "sf:prompt:c");
        }
        assertThat(hash("a"))
                .containsEntry("status", "committed")
                .containsEntry("promptId", "a")
                .containsEntry("checkpointId", "1")
                .containsEntry("encode.model", "minilm")
                .containsEntry("encode.modelVersion", "enc-v1")
                .containsEntry("encode.cacheHit", "true")
                .containsEntry("encode.millis", "3")
                .containsEntry("generate.latent.uri", "file:///store/a")
                .containsEntry("generate.latent.sha256", "sha-a")
                .containsEntry("generate.image.uri", "file:///store/a-raw")
                .containsEntry("enhance.image.uri", "file:///store/a-enhanced")
                .containsEntry("enhance.image.sha256", "sha-a-enhanced")
                .containsEntry("image.uri", "file:///store/a-enhanced")
                .containsEntry("width", "64")
                .containsKey("committedAt")
                .doesNotContainValue("text of a");
        assertThat(hash("c")).containsEntry("checkpointId", "2");
    }

    @Test
    void pendingRowsSurviveRestoreIntoAFreshHarnessAndAreWrittenAfterTheNextCompletedCheckpoint() throws Exception {
        OperatorSubtaskState snapshot;
        try (var before = harness()) {
            before.open();
            before.processElement(result("a"), 0);
            before.processElement(result("b"), 0);
            snapshot = before.snapshot(1, 1);
        }
        assertThat(promptKeys()).isEmpty();

        try (var after = harness()) {
            after.initializeState(snapshot);
            after.open();
            after.processElement(result("c"), 0);
            assertThat(promptKeys()).isEmpty();
            after.snapshot(2, 2);
            after.notifyOfCompletedCheckpoint(2);

            assertThat(promptKeys()).containsExactlyInAnyOrder("sf:prompt:a", "sf:prompt:b", "sf:prompt:c");
            assertThat(metrics.gauge("metadataPending")).isEqualTo(0);
        }
        assertThat(hash("a")).containsEntry("checkpointId", "1");
        assertThat(hash("c")).containsEntry("checkpointId", "2");
    }

    @Test
    void rewritingARestoredRowThatWasAlreadyWrittenChangesNothing() throws Exception {
        OperatorSubtaskState snapshot;
        try (var before = harness()) {
            before.open();
            before.processElement(result("a"), 0);
            snapshot = before.snapshot(1, 1);
            before.notifyOfCompletedCheckpoint(1);
        }
        Map<String, String> first = hash("a");

        try (var after = harness()) {
            after.initializeState(snapshot);
            after.open();
            after.snapshot(2, 2);
            after.notifyOfCompletedCheckpoint(2);
        }

        assertThat(hash("a")).isEqualTo(first);
    }

    @Test
    void keepsRowsPendingWhileRedisIsDownAcrossARestoreAndWritesThemWhenItReturns() throws Exception {
        Map<String, String> options = Map.of(
                CacheOptions.BREAKER_FAILURES.key(), "1", CacheOptions.BREAKER_COOL_DOWN.key(), "1ms");
        redis.close();
        OperatorSubtaskState snapshot;
        try (var down = harness(options, true)) {
            down.open();
            down.processElement(result("a"), 0);
            down.snapshot(1, 1);
            down.notifyOfCompletedCheckpoint(1);
            assertThat(metrics.gauge("metadataPending")).isEqualTo(1);
            assertThat(metrics.gauge("redis.breakerState")).isEqualTo(CircuitBreaker.State.OPEN.code);
            down.processElement(result("b"), 0);
            snapshot = down.snapshot(2, 2);
        }

        redis = redis.restart();
        try (var up = harness(options, true)) {
            up.initializeState(snapshot);
            up.open();
            up.snapshot(3, 3);
            up.notifyOfCompletedCheckpoint(3);
        }

        assertThat(promptKeys()).containsExactlyInAnyOrder("sf:prompt:a", "sf:prompt:b");
        assertThat(hash("a")).containsEntry("checkpointId", "1");
        assertThat(hash("b")).containsEntry("checkpointId", "2");
    }

    @Test
    void theSameOperatorWritesItsPendingRowsOnceRedisReturns() throws Exception {
        try (var h = harness(Map.of(
                CacheOptions.BREAKER_FAILURES.key(), "1", CacheOptions.BREAKER_COOL_DOWN.key(), "1ms"), true)) {
            h.open();
            redis.close();
            h.processElement(result("a"), 0);
            h.snapshot(1, 1);
            h.notifyOfCompletedCheckpoint(1);
            assertThat(metrics.gauge("redis.breakerState")).isEqualTo(CircuitBreaker.State.OPEN.code);
            assertThat(metrics.gauge("metadataPending")).isEqualTo(1);

            redis = redis.restart();
            h.processElement(result("b"), 0);
            h.snapshot(2, 2);
            h.notifyOfCompletedCheckpoint(2);

            assertThat(metrics.gauge("redis.breakerState")).isEqualTo(CircuitBreaker.State.CLOSED.code);
            assertThat(metrics.gauge("metadataPending")).isEqualTo(0);
            assertThat(promptKeys()).containsExactlyInAnyOrder("sf:prompt:a", "sf:prompt:b");
        }
    }

    @Test
    void withoutCheckpointingWritesEverythingAtTheEndOfInput() throws Exception {
        try (var h = harness(Map.of(), false)) {
            h.open();
            h.processElement(result("a"), 0);
            assertThat(promptKeys()).isEmpty();

            h.endInput();

            assertThat(promptKeys()).containsExactly("sf:prompt:a");
            assertThat(hash("a")).containsEntry("status", "committed").doesNotContainKey("checkpointId");
        }
    }
}
