package dev.stageflow.cache;

import dev.stageflow.config.CacheOptions;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * Validated {@link CacheOptions}. The password comes from {@code STAGEFLOW_REDIS_PASSWORD} or
 * {@code redis.password} and is left out of {@link #toString()}.
 */
public final class CacheSettings implements Serializable {

    private static final long serialVersionUID = 1L;
    public static final String PASSWORD_ENV = "STAGEFLOW_REDIS_PASSWORD";

    /** Redis URI, or null for the in-JVM tier only. */
    public final URI redisUri;
    final String password;
    public final Duration timeout;
    public final int poolSize;
    public final Duration ttl;
    public final int l1Entries;

    public CacheSettings(URI redisUri, String password, Duration timeout, int poolSize, Duration ttl, int l1Entries) {
        this.redisUri = redisUri;
        this.password = password;
        this.timeout = timeout;
        this.poolSize = poolSize;
        this.ttl = ttl;
        this.l1Entries = l1Entries;
    }

    public static CacheSettings from(Configuration conf) {
        String password = System.getenv(PASSWORD_ENV);
        if (password == null || password.isEmpty()) {
            password = conf.get(CacheOptions.REDIS_PASSWORD);
        }
        CacheSettings settings = new CacheSettings(
                conf.getOptional(CacheOptions.REDIS_URI).filter(s -> !s.isBlank()).map(CacheSettings::redisUri).orElse(null),
                password,
                conf.get(CacheOptions.REDIS_TIMEOUT),
                conf.get(CacheOptions.REDIS_POOL_SIZE),
                conf.get(CacheOptions.EMBEDDING_TTL),
                conf.get(CacheOptions.L1_ENTRIES));
        if (settings.poolSize < 1) {
            throw new IllegalConfigurationException(CacheOptions.REDIS_POOL_SIZE.key() + " must be >= 1");
        }
        if (settings.l1Entries < 0) {
            throw new IllegalConfigurationException(CacheOptions.L1_ENTRIES.key() + " must be >= 0");
        }
        if (settings.ttl.getSeconds() < 1 || settings.timeout.toMillis() < 1) {
            throw new IllegalConfigurationException(
                    CacheOptions.EMBEDDING_TTL.key() + " and " + CacheOptions.REDIS_TIMEOUT.key() + " must be positive");
        }
        return settings;
    }

    private static URI redisUri(String value) {
        try {
            URI uri = new URI(value);
            if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalConfigurationException(
                        CacheOptions.REDIS_URI.key() + " must look like redis://host:port/db or rediss://host:port/db");
            }
            if (uri.getPath() != null && !uri.getPath().matches("(/[0-9]{1,2})?/?")) {
                throw new IllegalConfigurationException(
                        CacheOptions.REDIS_URI.key() + " path must be a database number, e.g. redis://host:6379/0");
            }
            if (uri.getUserInfo() != null) {
                throw new IllegalConfigurationException(
                        CacheOptions.REDIS_URI.key() + " must not contain credentials; use " + PASSWORD_ENV);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalConfigurationException(CacheOptions.REDIS_URI.key() + " is not a URI", e);
        }
    }

    @Override
    public String toString() {
        return "CacheSettings{redis=" + redisUri + ", timeout=" + timeout + ", ttl=" + ttl + ", l1=" + l1Entries + "}";
    }
}
