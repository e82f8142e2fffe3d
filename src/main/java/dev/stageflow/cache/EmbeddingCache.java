package dev.stageflow.cache;

import dev.stageflow.store.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * Two-tier embedding cache: a bounded in-JVM LRU in front of Redis. Redis keys are {@code
 * sf:emb:<encoder-version>:<sha256(normalised text)>}, values little-endian float32. The in-JVM
 * tier is keyed by the text itself: one cache serves one encoder version, and nothing leaves the
 * JVM, so it needs no hashing.
 *
 * <p>Redis is an accelerator, never a dependency of correctness: any Redis error or timeout counts
 * as a miss (the caller computes the embedding) and is logged; the job keeps running.
 */
public final class EmbeddingCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingCache.class);

    private final String keyPrefix;
    private final int dimension;
    private final CacheSettings settings;
    private final LinkedHashMap<String, float[]> local;
    private final JedisPool pool;
    private long redisErrors;

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
        this.pool = settings.redisUri == null ? null : openPool(settings);
    }

    /** The Redis key of a text's embedding. */
    public String keyOf(String text) {
        return keyPrefix + Hashing.sha256Hex(text);
    }

    /** Cached embeddings of {@code texts} (absent ones are not in the map). */
    public Map<String, float[]> getAll(List<String> texts) {
        Map<String, float[]> found = new HashMap<>();
        List<String> remote = new ArrayList<>();
        for (String text : texts) {
            float[] hit = local.get(text);
            if (hit != null) {
                found.put(text, hit);
            } else {
                remote.add(text);
            }
        }
        if (pool != null && !remote.isEmpty()) {
            fetchRemote(remote, found);
        }
        return found;
    }

    /** Remembers embeddings in both tiers (Redis with the configured TTL). */
    public void putAll(Map<String, float[]> embeddings) {
        local.putAll(embeddings);
        if (pool == null || embeddings.isEmpty()) {
            return;
        }
        SetParams ttl = SetParams.setParams().ex(settings.ttl.getSeconds());
        try (Jedis jedis = pool.getResource()) {
            Pipeline pipeline = jedis.pipelined();
            embeddings.forEach((text, vector) -> pipeline.set(bytes(keyOf(text)), Hashing.floatsToBytes(vector), ttl));
            pipeline.sync();
        } catch (JedisException e) {
            onRedisError("write", e);
        }
    }

    /** Redis calls that failed since this cache was opened. */
    public long redisErrors() {
        return redisErrors;
    }

    private void fetchRemote(List<String> texts, Map<String, float[]> found) {
        byte[][] keys = texts.stream().map(t -> bytes(keyOf(t))).toArray(byte[][]::new);
        try (Jedis jedis = pool.getResource()) {
            List<byte[]> values = jedis.mget(keys);
            for (int i = 0; i < texts.size(); i++) {
                byte[] value = values.get(i);
                if (value != null && value.length == dimension * Float.BYTES) {
                    float[] vector = Hashing.bytesToFloats(value);
                    found.put(texts.get(i), vector);
                    local.put(texts.get(i), vector);
                }
            }
        } catch (JedisException e) {
            onRedisError("read", e);
        }
    }

    private void onRedisError(String operation, JedisException e) {
        redisErrors++;
        LOG.warn("Redis {} at {} failed ({}); continuing without the cache for this batch",
                operation, settings.redisUri, e.toString());
    }

    private static JedisPool openPool(CacheSettings settings) {
        int timeout = (int) settings.timeout.toMillis();
        String path = settings.redisUri.getPath() == null ? "" : settings.redisUri.getPath().replace("/", "");
        int database = path.isEmpty() ? 0 : Integer.parseInt(path);
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeout)
                .socketTimeoutMillis(timeout)
                .database(database)
                .ssl("rediss".equals(settings.redisUri.getScheme()))
                .clientName("stageflow");
        if (settings.password != null && !settings.password.isEmpty()) {
            client.password(settings.password);
        }
        GenericObjectPoolConfig<Jedis> poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMaxTotal(settings.poolSize);
        poolConfig.setMaxWait(settings.timeout);
        int port = settings.redisUri.getPort() == -1 ? 6379 : settings.redisUri.getPort();
        return new JedisPool(poolConfig, new HostAndPort(settings.redisUri.getHost(), port), client.build());
    }

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }
}
