package dev.stageflow.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** The embedding cache: an in-JVM LRU in front of Redis. */
public final class CacheOptions {

    public static final ConfigOption<String> REDIS_URI =
            ConfigOptions.key("redis.uri")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Redis for the embedding cache, e.g. redis://127.0.0.1:6379/0. Unset:"
                                    + " only the in-JVM cache is used. The local run starts its"
                                    + " own Redis and sets this.");

    public static final ConfigOption<String> REDIS_PASSWORD =
            ConfigOptions.key("redis.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Redis password; better given as environment variable"
                                    + " STAGEFLOW_REDIS_PASSWORD. Never logged.");

    public static final ConfigOption<Duration> REDIS_TIMEOUT =
            ConfigOptions.key("redis.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMillis(250))
                    .withDescription(
                            "Connect and read timeout of Redis calls; a slow Redis counts as a"
                                    + " miss, never as a failure.");

    public static final ConfigOption<Integer> REDIS_POOL_SIZE =
            ConfigOptions.key("redis.pool.max-total")
                    .intType()
                    .defaultValue(4)
                    .withDescription("Connections per subtask.");

    public static final ConfigOption<Duration> EMBEDDING_TTL =
            ConfigOptions.key("cache.embedding.ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(7))
                    .withDescription("How long an embedding stays in Redis after it is written.");

    public static final ConfigOption<Integer> L1_ENTRIES =
            ConfigOptions.key("cache.embedding.l1-entries")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription("Embeddings kept in the in-JVM cache of each subtask.");

    private CacheOptions() {}
}
