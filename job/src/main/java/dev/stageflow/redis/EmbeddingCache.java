package dev.stageflow.redis;

import dev.stageflow.config.StageflowMetric;
import dev.stageflow.store.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.SetParams;

/**
 * Two-tier embedding cache: a bounded in-JVM LRU in front of Redis. Redis keys are {@code
 * sf:emb:<encoder-version>:<sha256(normalised text)>}, values little-endian float32. The in-JVM
 * tier is keyed by the text itself: one cache serves one encoder version, and nothing leaves the
 * JVM, so it needs no hashing. Safe for concurrent use (the stage's lookup thread and its batcher
 * use one cache).
 *
 * <p>Redis is an accelerator, never a dependency of correctness: a Redis error, a timeout or an
 * open circuit breaker (see {@link RedisClient}) counts as a miss, and the caller computes the
 * embedding; the job keeps running.
 */
public final class EmbeddingCache implements AutoCloseable {

    private final String keyPrefix;
    private final int dimension;
    private final CacheSettings settings;
    private final LinkedHashMap<String, float[]> local;
    private final RedisClient redis;
    private final Counter redisHits = new ThreadSafeSimpleCounter();
    private final Counter redisMisses = new ThreadSafeSimpleCounter();

    public EmbeddingCache(CacheSettings settings, String encoderVersion, int dimension) {
        this.settings = settings;
        this.keyPrefix = "sf:emb:" + encoderVersion + ":";
        this.dimension = dimension;
        this.local = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > settings.l1Entries;
            }
        };
        this.redis = settings.redis == null ? null : new RedisClient(settings.redis);
    }

    /** The Redis key of a text's embedding. */
    public String keyOf(String text) {
        return keyPrefix + Hashing.sha256Hex(text);
    }

    /** Cached embeddings of {@code texts} (absent ones are not in the map). */
    public Map<String, float[]> getAll(List<String> texts) {
        Map<String, float[]> found = new HashMap<>();
        List<String> remote = new ArrayList<>();
        synchronized (local) {
            for (String text : texts) {
                float[] hit = local.get(text);
                if (hit != null) {
                    found.put(text, hit);
                } else {
                    remote.add(text);
                }
            }
        }
        if (redis != null && !remote.isEmpty()) {
            fetchRemote(remote, found);
        }
        return found;
    }

    /** Remembers embeddings in both tiers (Redis with the configured TTL). */
    public void putAll(Map<String, float[]> embeddings) {
        synchronized (local) {
            local.putAll(embeddings);
        }
        if (redis == null || embeddings.isEmpty()) {
            return;
        }
        SetParams ttl = SetParams.setParams().ex(settings.ttl.getSeconds());
        redis.run("embedding write", jedis -> {
            Pipeline pipeline = jedis.pipelined();
            embeddings.forEach((text, vector) -> pipeline.set(bytes(keyOf(text)), Hashing.floatsToBytes(vector), ttl));
            RedisClient.syncOrThrow(pipeline);
        });
    }

    /** The Redis tier's client, or null without Redis. */
    public RedisClient redis() {
        return redis;
    }

    /** Registers Redis {@code hits}, {@code misses}, {@code errors} and {@code breakerState} in {@code group}. */
    public void registerMetrics(MetricGroup group) {
        if (redis != null) {
            StageflowMetric.REDIS_HITS.counter(group, redisHits);
            StageflowMetric.REDIS_MISSES.counter(group, redisMisses);
            redis.registerMetrics(group);
        }
    }

    private void fetchRemote(List<String> texts, Map<String, float[]> found) {
        byte[][] keys = texts.stream().map(t -> bytes(keyOf(t))).toArray(byte[][]::new);
        List<byte[]> values = redis.call("embedding read", jedis -> jedis.mget(keys)).orElse(null);
        if (values == null) {
            redisMisses.inc(texts.size());
            return;
        }
        for (int i = 0; i < texts.size(); i++) {
            byte[] value = values.get(i);
            if (value != null && value.length == dimension * Float.BYTES) {
                float[] vector = Hashing.bytesToFloats(value);
                found.put(texts.get(i), vector);
                synchronized (local) {
                    local.put(texts.get(i), vector);
                }
                redisHits.inc();
            } else {
                redisMisses.inc();
            }
        }
    }

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
    }
}
