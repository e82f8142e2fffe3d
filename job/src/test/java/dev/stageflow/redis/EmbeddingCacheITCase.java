package dev.stageflow.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.CacheOptions;
import dev.stageflow.servers.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

class EmbeddingCacheITCase {

    @TempDir
    Path dir;

    private static CacheSettings settings(RedisSettings redis, int l1Entries) {
        return new CacheSettings(redis, Duration.ofHours(1), l1Entries);
    }

    private static CacheSettings settings(RedisServer redis, int l1Entries) {
        return settings(RedisTestSettings.of(redis.uri()), l1Entries);
    }

    @Test
    void aSecondCacheFindsWhatTheFirstWroteToRedis() {
        try (RedisServer redis = RedisServer.start(dir)) {
            float[] vector = {0.25f, -1f, 3.5f};
            try (EmbeddingCache writer = new EmbeddingCache(settings(redis, 10), "enc-v1", 3)) {
                assertThat(writer.getAll(List.of("a fox"))).isEmpty();
                writer.putAll(Map.of("a fox", vector));
            }

            try (EmbeddingCache reader = new EmbeddingCache(settings(redis, 10), "enc-v1", 3);
                    Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
                assertThat(reader.getAll(List.of("a fox", "a hare"))).containsOnlyKeys("a fox");
                assertThat(reader.getAll(List.of("a fox")).get("a fox")).containsExactly(vector);
                String key = reader.keyOf("a fox");
                assertThat(key).startsWith("sf:emb:enc-v1:").doesNotContain("fox");
                assertThat(jedis.ttl(key)).isBetween(3500L, 3600L);
            }
        }
    }

    @Test
    void anotherEncoderVersionDoesNotSeeTheEntries() {
        try (RedisServer redis = RedisServer.start(dir);
                EmbeddingCache v1 = new EmbeddingCache(settings(redis, 0), "enc-v1", 3);
                EmbeddingCache v2 = new EmbeddingCache(settings(redis, 0), "enc-v2", 3)) {
            v1.putAll(Map.of("a fox", new float[] {1, 2, 3}));

            assertThat(v2.getAll(List.of("a fox"))).isEmpty();
        }
    }

    @Test
    void writesToTheConfiguredDatabaseOnly() {
        try (RedisServer redis = RedisServer.start(dir);
                EmbeddingCache cache = new EmbeddingCache(
                        settings(RedisTestSettings.of(URI.create("redis://127.0.0.1:" + redis.port()),
                                Map.of(CacheOptions.REDIS_DATABASE.key(), "3")), 0),
                        "enc-v1", 3);
                Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            cache.putAll(Map.of("a fox", new float[] {1, 2, 3}));

            assertThat(jedis.exists(cache.keyOf("a fox"))).isFalse();
            jedis.select(3);
            assertThat(jedis.exists(cache.keyOf("a fox"))).isTrue();
        }
    }

    @Test
    void authenticatesAsAnAclUserAndTreatsAWrongPasswordAsAnError() {
        try (RedisServer redis = RedisServer.start(dir);
                Jedis admin = new Jedis("127.0.0.1", redis.port())) {
            admin.aclSetUser("stageflow", "on", ">s3cret-pw", "~sf:*", "+@all");
            admin.aclSetUser("default", "off");
            RedisSettings asUser = RedisTestSettings.of(redis.uri(), Map.of(
                    CacheOptions.REDIS_USERNAME.key(), "stageflow", CacheOptions.REDIS_PASSWORD.key(), "s3cret-pw"));
            RedisSettings wrongPassword = RedisTestSettings.of(redis.uri(), Map.of(
                    CacheOptions.REDIS_USERNAME.key(), "stageflow", CacheOptions.REDIS_PASSWORD.key(), "wrong"));

            try (EmbeddingCache writer = new EmbeddingCache(settings(asUser, 0), "enc-v1", 3)) {
                writer.putAll(Map.of("a fox", new float[] {1, 2, 3}));
                assertThat(writer.getAll(List.of("a fox"))).containsOnlyKeys("a fox");
                assertThat(writer.redis().errors()).isZero();
            }
            try (EmbeddingCache denied = new EmbeddingCache(settings(wrongPassword, 0), "enc-v1", 3)) {
                assertThat(denied.getAll(List.of("a fox"))).isEmpty();
                assertThat(denied.redis().errors()).isEqualTo(1);
            }
            assertThat(asUser.toString()).contains("stageflow").doesNotContain("s3cret");
        }
    }

    @Test
    void redisGoingAwayTurnsIntoMissesNotFailures() {
        RedisServer redis = RedisServer.start(dir);
        try (EmbeddingCache cache = new EmbeddingCache(settings(redis, 0), "enc-v1", 3)) {
            cache.putAll(Map.of("a fox", new float[] {1, 2, 3}));
            redis.close();

            assertThat(cache.getAll(List.of("a fox"))).isEmpty();
            cache.putAll(Map.of("a hare", new float[] {4, 5, 6}));
            assertThat(cache.redis().errors()).isEqualTo(2);
        }
    }

    @Test
    void anOpenBreakerStopsWaitingOnAHungServerAndClosesWhenItAnswersAgain() throws Exception {
        try (RedisServer redis = RedisServer.start(dir);
                EmbeddingCache cache = new EmbeddingCache(settings(RedisTestSettings.of(redis.uri(), Map.of(
                        CacheOptions.REDIS_TIMEOUT.key(), "300ms",
                        CacheOptions.BREAKER_FAILURES.key(), "2",
                        CacheOptions.BREAKER_COOL_DOWN.key(), "500ms")), 0), "enc-v1", 3)) {
            cache.putAll(Map.of("a fox", new float[] {1, 2, 3}));
            signal("-STOP");
            try {
                long timedOut = millis(() -> {
                    assertThat(cache.getAll(List.of("a fox"))).isEmpty();
                    assertThat(cache.getAll(List.of("a fox"))).isEmpty();
                });
                assertThat(timedOut).as("two calls waited for the read timeout").isGreaterThanOrEqualTo(600);
                assertThat(cache.redis().breakerState()).isEqualTo(CircuitBreaker.State.OPEN);

                long refused = millis(() -> {
                    for (int i = 0; i < 20; i++) {
                        assertThat(cache.getAll(List.of("a fox"))).isEmpty();
                        cache.putAll(Map.of("a hare", new float[] {4, 5, 6}));
                    }
                });
                assertThat(refused).as("40 calls with the breaker open").isLessThan(300);
                assertThat(cache.redis().errors()).isEqualTo(2);
            } finally {
                signal("-CONT");
            }

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (cache.getAll(List.of("a fox")).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(cache.getAll(List.of("a fox"))).containsOnlyKeys("a fox");
            assertThat(cache.redis().breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
        }
    }

    @Test
    void theInJvmTierAnswersWithoutRedis() {
        CacheSettings noRedis = new CacheSettings(null, Duration.ofHours(1), 2);
        try (EmbeddingCache cache = new EmbeddingCache(noRedis, "enc-v1", 3)) {
            cache.putAll(Map.of("a", new float[] {1, 1, 1}));
            cache.putAll(Map.of("b", new float[] {2, 2, 2}));
            cache.getAll(List.of("a"));
            cache.putAll(Map.of("c", new float[] {3, 3, 3}));

            assertThat(cache.getAll(List.of("a", "b", "c"))).containsOnlyKeys("a", "c");
        }
    }

    /**
     * Sends a signal to the server: {@code -STOP} freezes it (connections hang), {@code -CONT} resumes
     * it. Java cannot send these; the shell's built-in {@code kill} can, without procps' {@code kill}
     * on the PATH, which a minimal Debian lacks.
     */
    private void signal(String signal) throws IOException, InterruptedException {
        String pid = Files.readString(dir.resolve("redis.pid")).trim();
        assertThat(new ProcessBuilder("/bin/sh", "-c", "kill " + signal + " " + pid).inheritIO().start().waitFor())
                .isZero();
    }

    private static long millis(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1_000_000;
    }
}
