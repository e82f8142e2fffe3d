package dev.stageflow.redis;

import static dev.stageflow.config.OptionChecks.require;

import dev.stageflow.config.CacheOptions;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * Validated connection settings of the Redis that the embedding cache and the metadata writer use.
 * The password comes from {@code STAGEFLOW_REDIS_PASSWORD} or {@code redis.password}; it is never
 * part of {@link #toString()} or of an exception message.
 */
public final class RedisSettings implements Serializable {

    private static final long serialVersionUID = 1L;
    public static final String PASSWORD_ENV = "STAGEFLOW_REDIS_PASSWORD";

    public final String host;
    public final int port;
    public final int database;
    /** ACL user, or null for the default user. */
    public final String username;
    final String password;
    public final boolean ssl;
    /** PEM file of the CA to trust for TLS, or null for the JVM's default trust store. */
    public final String caCertFile;
    public final Duration timeout;
    public final int poolSize;
    public final Duration poolMaxWait;
    public final int breakerFailures;
    public final Duration breakerCoolDown;

    private RedisSettings(URI uri, Configuration conf, String password) {
        this.host = uri.getHost();
        this.port = uri.getPort() == -1 ? 6379 : uri.getPort();
        this.database = database(uri, conf);
        this.username = conf.getOptional(CacheOptions.REDIS_USERNAME).filter(s -> !s.isBlank()).orElse(null);
        this.password = password;
        this.ssl = "rediss".equals(uri.getScheme()) || conf.get(CacheOptions.REDIS_SSL);
        this.caCertFile = conf.getOptional(CacheOptions.REDIS_SSL_CA_CERT).filter(s -> !s.isBlank()).orElse(null);
        this.timeout = conf.get(CacheOptions.REDIS_TIMEOUT);
        this.poolSize = conf.get(CacheOptions.REDIS_POOL_SIZE);
        this.poolMaxWait = conf.get(CacheOptions.REDIS_POOL_MAX_WAIT);
        this.breakerFailures = conf.get(CacheOptions.BREAKER_FAILURES);
        this.breakerCoolDown = conf.get(CacheOptions.BREAKER_COOL_DOWN);
    }

    /** The settings, or empty when {@code redis.uri} is unset; fails naming the bad option. */
    public static Optional<RedisSettings> from(Configuration conf) {
        Optional<URI> uri = conf.getOptional(CacheOptions.REDIS_URI).filter(s -> !s.isBlank()).map(RedisSettings::uri);
        if (uri.isEmpty()) {
            return Optional.empty();
        }
        String password = System.getenv(PASSWORD_ENV);
        if (password == null || password.isEmpty()) {
            password = conf.get(CacheOptions.REDIS_PASSWORD);
        }
        RedisSettings settings = new RedisSettings(uri.get(), conf, password);
        settings.validate();
        return Optional.of(settings);
    }

    boolean hasPassword() {
        return password != null && !password.isEmpty();
    }

    private void validate() {
        require(poolSize >= 1, CacheOptions.REDIS_POOL_SIZE, "positive", poolSize);
        require(breakerFailures >= 1, CacheOptions.BREAKER_FAILURES, "positive", breakerFailures);
        require(timeout.toMillis() >= 1, CacheOptions.REDIS_TIMEOUT, "positive", timeout);
        require(poolMaxWait.toMillis() >= 1, CacheOptions.REDIS_POOL_MAX_WAIT, "positive", poolMaxWait);
        require(breakerCoolDown.toMillis() >= 1, CacheOptions.BREAKER_COOL_DOWN, "positive", breakerCoolDown);
        if (caCertFile != null && !ssl) {
            throw new IllegalConfigurationException(CacheOptions.REDIS_SSL_CA_CERT.key() + " needs TLS: set "
                    + CacheOptions.REDIS_SSL.key() + ": true or use a rediss:// URI");
        }
    }

    private static int database(URI uri, Configuration conf) {
        String path = uri.getPath() == null ? "" : uri.getPath().replace("/", "");
        Optional<Integer> fromUri = path.isEmpty() ? Optional.empty() : Optional.of(Integer.parseInt(path));
        Optional<Integer> fromOption = conf.getOptional(CacheOptions.REDIS_DATABASE);
        if (fromUri.isPresent() && fromOption.isPresent() && !fromUri.equals(fromOption)) {
            throw new IllegalConfigurationException(CacheOptions.REDIS_DATABASE.key() + " (" + fromOption.get()
                    + ") disagrees with the database in " + CacheOptions.REDIS_URI.key() + " (" + fromUri.get() + ")");
        }
        int database = fromOption.or(() -> fromUri).orElse(0);
        if (database < 0) {
            throw new IllegalConfigurationException(CacheOptions.REDIS_DATABASE.key() + " must be >= 0, got " + database);
        }
        return database;
    }

    private static URI uri(String value) {
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
                throw new IllegalConfigurationException(CacheOptions.REDIS_URI.key()
                        + " must not contain credentials; use " + CacheOptions.REDIS_USERNAME.key() + " and "
                        + PASSWORD_ENV);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalConfigurationException(CacheOptions.REDIS_URI.key() + " is not a URI");
        }
    }

    @Override
    public String toString() {
        return (ssl ? "rediss://" : "redis://") + host + ":" + port + "/" + database
                + (username == null ? "" : " as " + username);
    }
}
