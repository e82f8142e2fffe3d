package dev.stageflow.redis;

import dev.stageflow.config.StageflowMetric;
import dev.stageflow.config.CacheOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One subtask's Redis connection pool behind a {@link CircuitBreaker}. Every call either succeeds,
 * or fails fast and returns "nothing" to the caller, who carries on without Redis: a call waits at
 * most the pool wait plus the connect/read timeout, and while the breaker is open it does not wait
 * at all. Errors are counted and logged with the server address, never with credentials.
 *
 * <p>After an outage the pool's idle connections are dead: they are dropped when a connection
 * fails and again before the probe call, so the next call tests the server, not a stale socket.
 */
public final class RedisClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisClient.class);

    private final RedisSettings settings;
    private final JedisPool pool;
    private final CircuitBreaker breaker;
    private final Counter errors = new ThreadSafeSimpleCounter();

    public RedisClient(RedisSettings settings) {
        this.settings = settings;
        this.pool = openPool(settings);
        this.breaker = new CircuitBreaker(settings.breakerFailures, settings.breakerCoolDown);
    }

    /** Runs {@code work} on a pooled connection; empty if the breaker refused or Redis failed. */
    public <T> Optional<T> call(String operation, Function<Jedis, T> work) {
        CircuitBreaker.Permit permit = breaker.acquire();
        if (permit == CircuitBreaker.Permit.REFUSED) {
            return Optional.empty();
        }
        if (permit == CircuitBreaker.Permit.PROBE) {
            pool.clear();
        }
        try (Jedis jedis = pool.getResource()) {
            T result = work.apply(jedis);
            breaker.recordSuccess();
            if (permit == CircuitBreaker.Permit.PROBE) {
                LOG.info("Redis at {} answers again; the circuit breaker is closed", settings);
            }
            return Optional.of(result);
        } catch (JedisException e) {
            errors.inc();
            breaker.recordFailure();
            if (e instanceof JedisConnectionException) {
                pool.clear();
            }
            LOG.warn("Redis {} at {} failed ({}); circuit breaker {}", operation, settings, e.toString(), breaker.state());
            return Optional.empty();
        }
    }

    /** Runs {@code work} like {@link #call}; true if it ran and Redis answered. */
    public boolean run(String operation, Consumer<Jedis> work) {
        return call(operation, jedis -> {
            work.accept(jedis);
            return Boolean.TRUE;
        }).isPresent();
    }

    /** Sends the pipeline's commands and throws the first error reply (e.g. NOPERM) as an exception. */
    public static void syncOrThrow(Pipeline pipeline) {
        for (Object reply : pipeline.syncAndReturnAll()) {
            if (reply instanceof JedisException) {
                throw (JedisException) reply;
            }
        }
    }

    public CircuitBreaker.State breakerState() {
        return breaker.state();
    }

    /** Failed Redis calls (errors and timeouts) since this client was opened. */
    public long errors() {
        return errors.getCount();
    }

    /** Registers {@code errors} and {@code breakerState} (0 closed, 1 half-open, 2 open) in {@code group}. */
    public void registerMetrics(MetricGroup group) {
        StageflowMetric.REDIS_ERRORS.counter(group, errors);
        StageflowMetric.REDIS_BREAKER_STATE.gauge(group, () -> breaker.state().code);
    }

    @Override
    public void close() {
        pool.close();
    }

    private static JedisPool openPool(RedisSettings settings) {
        int timeout = (int) settings.timeout.toMillis();
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeout)
                .socketTimeoutMillis(timeout)
                .database(settings.database)
                .clientName("stageflow");
        if (settings.username != null) {
            client.user(settings.username);
        }
        if (settings.hasPassword()) {
            client.password(settings.password);
        }
        if (settings.ssl) {
            SSLParameters verifyHostName = new SSLParameters();
            verifyHostName.setEndpointIdentificationAlgorithm("HTTPS");
            client.ssl(true).sslParameters(verifyHostName);
            if (settings.caCertFile != null) {
                client.sslSocketFactory(trusting(Path.of(settings.caCertFile)));
            }
        }
        GenericObjectPoolConfig<Jedis> poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMaxTotal(settings.poolSize);
        poolConfig.setMaxIdle(settings.poolSize);
        poolConfig.setMaxWait(settings.poolMaxWait);
        poolConfig.setJmxEnabled(false);
        return new JedisPool(poolConfig, new HostAndPort(settings.host, settings.port), client.build());
    }

    /** A TLS socket factory that trusts the certificates in the PEM file {@code caCert}. */
    private static SSLSocketFactory trusting(Path caCert) {
        try (InputStream in = Files.newInputStream(caCert)) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalConfigurationException(
                    "Cannot read the CA certificate " + caCert + " (" + CacheOptions.REDIS_SSL_CA_CERT.key() + ")", e);
        }
    }
}
