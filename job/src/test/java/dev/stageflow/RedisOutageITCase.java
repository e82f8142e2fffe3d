package dev.stageflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.CacheOptions;
import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.SourceOptions;
import dev.stageflow.config.StoreOptions;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.redis.PromptMetadata;
import dev.stageflow.servers.RedisServer;
import dev.stageflow.sink.CommittedOutput;
import dev.stageflow.testing.JobRuns;
import dev.stageflow.testing.TestJobs;
import dev.stageflow.testing.TestPrompts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Redis is killed (SIGKILL) while the job runs and started again on the same port a while later.
 * The test controls the input: a followed directory gets the first half of the example prompts;
 * once their metadata is in Redis, Redis is killed and the second half arrives; once the job has
 * committed every result (with Redis still dead), Redis comes back; the job is then stopped and
 * drained. Every valid prompt must be committed exactly once, and every committed prompt must have
 * its complete {@code sf:prompt:<id>} hash, the second half's written only after Redis returned.
 */
class RedisOutageITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster();

    private static final Duration STEP_DEADLINE = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    void killedRedisDelaysMetadataButLosesNoneWhileEachPromptIsCommittedOnce() throws Exception {
        List<String> lines = Files.readAllLines(TestPrompts.examples());
        List<String> firstHalf = lines.subList(0, lines.size() / 2);
        List<String> secondHalf = lines.subList(lines.size() / 2, lines.size());
        Configuration conf = conf();
        Set<String> firstIds = TestJobs.validPromptIds(firstHalf, conf);
        Set<String> allIds = TestJobs.validPromptIds(lines, conf);
        Path input = Files.createDirectories(dir.resolve("in"));
        Path out = dir.resolve("out");

        RedisServer redis = RedisServer.start(dir.resolve("redis"), true);
        try {
            conf.set(CacheOptions.REDIS_URI, redis.uri().toString());
            conf.set(SourceOptions.PROMPTS, input.toUri().toString());
            conf.set(SinkOptions.OUTPUT_DIR, out.toUri().toString());
            JobRuns.publish(input, "part-1.jsonl", firstHalf);
            JobClient job = TestJobs.start(conf, "redis-outage");

            RedisServer running = redis;
            JobRuns.await("metadata of the first half", STEP_DEADLINE, () -> promptKeys(running.port()).containsAll(firstIds));
            redis.kill();
            JobRuns.publish(input, "part-2.jsonl", secondHalf);
            JobRuns.await("all results committed while Redis is down", STEP_DEADLINE, () -> TestJobs.committedIds(out).containsAll(allIds));

            long restartedAt = System.currentTimeMillis();
            redis = redis.restart();
            RedisServer restarted = redis;
            JobRuns.await("metadata of all prompts", STEP_DEADLINE, () -> promptKeys(restarted.port()).containsAll(allIds));
            job.stopWithSavepoint(true, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get();
            job.getJobExecutionResult().get();

            List<GenerationResult> results = TestJobs.results(out);
            assertThat(results).extracting(r -> r.promptId).containsExactlyInAnyOrderElementsOf(allIds);
            assertThat(CommittedOutput.deadLetters(TestJobs.flinkPath(out)))
                    .extracting(TestJobs::rawOrConflictingText)
                    .containsExactlyInAnyOrderElementsOf(TestJobs.deadLetterInputs(lines, conf));
            assertThat(promptKeys(redis.port())).isEqualTo(allIds);
            try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
                for (GenerationResult result : results) {
                    Map<String, String> hash = jedis.hgetAll(PromptMetadata.keyOf(result.promptId));
                    Map<String, String> expected = PromptMetadata.fields(result);
                    assertThat(hash).as(result.promptId)
                            .containsAllEntriesOf(expected)
                            .containsKeys("checkpointId", "committedAt")
                            .hasSize(expected.size() + 2);
                    if (!firstIds.contains(result.promptId)) {
                        assertThat(Long.parseLong(hash.get("committedAt"))).as(result.promptId + " written after restart")
                                .isGreaterThanOrEqualTo(restartedAt);
                    }
                }
            }
        } finally {
            redis.close();
        }
    }

    private Configuration conf() {
        Configuration conf = TestJobs.smallJob(dir.resolve("checkpoints"));
        conf.set(SourceOptions.FOLLOW, true);
        conf.set(SourceOptions.MONITOR_INTERVAL, Duration.ofMillis(200));
        conf.set(StoreOptions.URI, dir.resolve("store").toUri().toString());
        conf.set(CacheOptions.BREAKER_FAILURES, 2);
        conf.set(CacheOptions.BREAKER_COOL_DOWN, Duration.ofSeconds(1));
        return conf;
    }

    private static Set<String> promptKeys(int port) {
        try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            return jedis.keys(PromptMetadata.KEY_PREFIX + "*").stream()
                    .map(key -> key.substring(PromptMetadata.KEY_PREFIX.length()))
                    .collect(Collectors.toSet());
        }
    }
}
