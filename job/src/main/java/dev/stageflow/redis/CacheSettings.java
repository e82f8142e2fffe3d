package dev.stageflow.redis;

import static dev.stageflow.config.OptionChecks.require;

import dev.stageflow.config.CacheOptions;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;

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
        require(settings.l1Entries >= 0, CacheOptions.L1_ENTRIES, ">= 0", settings.l1Entries);
        require(settings.ttl.getSeconds() >= 1, CacheOptions.EMBEDDING_TTL, "at least 1 s", settings.ttl);
        return settings;
    }

    @Override
    public String toString() {
        return "CacheSettings{redis=" + redis + ", ttl=" + ttl + ", l1=" + l1Entries + "}";
    }
}
