package dev.stageflow.cache;

import static org.assertj.core.api.Assertions.assertThat;

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

    private static CacheSettings settings(RedisServer redis, int l1Entries) {
        return new CacheSettings(redis.uri(), null, Duration.ofMillis(500), 2, Duration.ofHours(1), l1Entries);
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
    void redisGoingAwayTurnsIntoMissesNotFailures() {
        RedisServer redis = RedisServer.start(dir);
        try (EmbeddingCache cache = new EmbeddingCache(settings(redis, 0), "enc-v1", 3)) {
            cache.putAll(Map.of("a fox", new float[] {1, 2, 3}));
            redis.close();

            assertThat(cache.getAll(List.of("a fox"))).isEmpty();
            cache.putAll(Map.of("a hare", new float[] {4, 5, 6}));
            assertThat(cache.redisErrors()).isEqualTo(2);
        }
    }

    @Test
    void theInJvmTierAnswersWithoutRedis() {
        CacheSettings noRedis = new CacheSettings(null, null, Duration.ofMillis(500), 1, Duration.ofHours(1), 2);
        try (EmbeddingCache cache = new EmbeddingCache(noRedis, "enc-v1", 3)) {
            cache.putAll(Map.of("a", new float[] {1, 1, 1}));
            cache.putAll(Map.of("b", new float[] {2, 2, 2}));
            cache.getAll(List.of("a"));
            cache.putAll(Map.of("c", new float[] {3, 3, 3}));

            assertThat(cache.getAll(List.of("a", "b", "c"))).containsOnlyKeys("a", "c");
        }
    }
}
