package dev.stageflow.redis;

import dev.stageflow.config.CacheOptions;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/** Validated {@link CacheOptions} of the embedding cache. */
public final class CacheSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The Redis tier, or null for the in-JVM tier only. */
    public final RedisSettings redis;
    public final Duration ttl;
    public final int l1Entries;

    public CacheSettings(RedisSettings redis, Duration ttl, int l1Entries) {
        this.redis = redis;
        this.ttl = ttl;
        this.l1Entries = l1Entries;
    }

    public static CacheSettings from(Configuration conf) {
        CacheSettings settings = new CacheSettings(
                RedisSettings.from(conf).orElse(null), conf.get(CacheOptions.EMBEDDING_TTL), conf.get(CacheOptions.L1_ENTRIES));
        if (settings.l1Entries < 0) {
            throw new IllegalConfigurationException(CacheOptions.L1_ENTRIES.key() + " must be >= 0");
        }
        if (settings.ttl.getSeconds() < 1) {
            throw new IllegalConfigurationException(CacheOptions.EMBEDDING_TTL.key() + " must be at least 1 s");
        }
        return settings;
    }

    @Override
    public String toString() {
        return "CacheSettings{redis=" + redis + ", ttl=" + ttl + ", l1=" + l1Entries + "}";
    }
}
