package dev.stageflow.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Redis: the embedding cache (an in-JVM LRU in front of Redis) and the prompt metadata hashes. */
@OptionsSection(title = "Redis: embedding cache and prompt metadata", position = 100)
public final class CacheOptions {

    public static final ConfigOption<String> REDIS_URI =
            ConfigOptions.key("redis.uri")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Redis for the embedding cache and the prompt metadata, e.g."
                                    + " redis://127.0.0.1:6379/0 (the path is the database number;"
                                    + " rediss:// for TLS). Unset: only the in-JVM cache is used and"
                                    + " no metadata is written. The local run starts its own Redis"
                                    + " and sets this.");

    public static final ConfigOption<Integer> REDIS_DATABASE =
            ConfigOptions.key("redis.database")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Redis database number. Unset: the number in the path of redis.uri, else 0."
                                    + " Set both only if they agree.");

    public static final ConfigOption<String> REDIS_USERNAME =
            ConfigOptions.key("redis.username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Redis ACL user (Redis 6+). Unset: the password, if any, is for the"
                                    + " default user.");

    public static final ConfigOption<String> REDIS_PASSWORD =
            ConfigOptions.key("redis.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Redis password; better given as environment variable"
                                    + " STAGEFLOW_REDIS_PASSWORD. Never recorded, logged or shown in the"
                                    + " web UI.");

    public static final ConfigOption<Boolean> REDIS_SSL =
            ConfigOptions.key("redis.ssl")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Connect with TLS (also implied by a rediss:// URI). The server"
                                    + " certificate must be trusted by the JVM, or by"
                                    + " redis.ssl.ca-cert, and match the host name.");

    public static final ConfigOption<String> REDIS_SSL_CA_CERT =
            ConfigOptions.key("redis.ssl.ca-cert")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "PEM file of the certificate authority that signed the Redis server"
                                    + " certificate, when the JVM's default trust store does not"
                                    + " hold it (like redis-cli --cacert).");

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

    public static final ConfigOption<Duration> REDIS_POOL_MAX_WAIT =
            ConfigOptions.key("redis.pool.max-wait")
                    .durationType()
                    .defaultValue(Duration.ofMillis(100))
                    .withDescription(
                            "Longest wait for a free pooled connection; a call that cannot get one"
                                    + " in time counts as a Redis error.");

    public static final ConfigOption<Integer> BREAKER_FAILURES =
            ConfigOptions.key("redis.circuit-breaker.failures")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Consecutive Redis errors or timeouts after which a subtask stops"
                                    + " calling Redis (the breaker opens): embeddings are computed,"
                                    + " metadata stays pending in checkpointed state.");

    public static final ConfigOption<Duration> BREAKER_COOL_DOWN =
            ConfigOptions.key("redis.circuit-breaker.cool-down")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "How long an open breaker waits before one probe call; if it"
                                    + " succeeds, Redis is used again and pending metadata is"
                                    + " written.");

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
