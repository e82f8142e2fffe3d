package dev.stageflow.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.config.CacheOptions;
import dev.stageflow.servers.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The embedding cache over real TLS: redis-server (TLS built in) with a self-signed certificate for
 * the name {@code localhost}, made by the JDK's keytool. Trust comes from {@code redis.ssl.ca-cert};
 * the host name is verified.
 */
class RedisTlsITCase {

    private static final String STORE_PASSWORD = "changeit";

    @TempDir
    static Path dir;

    private static RedisServer redis;
    private static Path certFile;

    @BeforeAll
    static void startRedisWithTls() throws Exception {
        Path keyStore = dir.resolve("server.p12");
        keytool("-genkeypair", "-alias", "redis", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "san=dns:localhost", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        certFile = dir.resolve("server.crt");
        keytool("-exportcert", "-rfc", "-alias", "redis", "-keystore", keyStore.toString(),
                "-storepass", STORE_PASSWORD, "-file", certFile.toString());
        Path keyFile = writePrivateKeyPem(keyStore, dir.resolve("server.key"));
        redis = RedisServer.startWithTls(dir.resolve("redis"), certFile, keyFile);
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static EmbeddingCache cache(String host, Map<String, String> options) {
        RedisSettings settings = RedisTestSettings.of(URI.create("rediss://" + host + ":" + redis.tlsPort() + "/0"), options);
        return new EmbeddingCache(new CacheSettings(settings, Duration.ofHours(1), 0), "enc-v1", 3);
    }

    @Test
    void writesAndReadsOverTlsWhenTheServerCertificateIsTrusted() {
        try (EmbeddingCache cache = cache("localhost", Map.of(CacheOptions.REDIS_SSL_CA_CERT.key(), certFile.toString()));
                Jedis plain = new Jedis("127.0.0.1", redis.port())) {
            cache.putAll(Map.of("a fox", new float[] {1, 2, 3}));

            assertThat(cache.getAll(List.of("a fox"))).containsOnlyKeys("a fox");
            assertThat(cache.redis().errors()).isZero();
            assertThat(plain.exists(cache.keyOf("a fox"))).isTrue();
        }
    }

    @Test
    void refusesAServerCertificateTheJvmDoesNotTrust() {
        try (EmbeddingCache cache = cache("localhost", Map.of())) {
            assertThat(cache.getAll(List.of("a fox"))).isEmpty();
            assertThat(cache.redis().errors()).isEqualTo(1);
        }
    }

    @Test
    void refusesATrustedCertificateIssuedForAnotherHostName() {
        try (EmbeddingCache cache = cache("127.0.0.1", Map.of(CacheOptions.REDIS_SSL_CA_CERT.key(), certFile.toString()))) {
            assertThat(cache.getAll(List.of("a fox"))).isEmpty();
            assertThat(cache.redis().errors()).isEqualTo(1);
        }
    }

    private static void keytool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as("keytool %s: %s", arguments[0], output).isZero();
    }

    /** The key as PKCS#8 PEM, which redis-server reads (keytool cannot export private keys). */
    private static Path writePrivateKeyPem(Path keyStore, Path target) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, STORE_PASSWORD.toCharArray());
        }
        Key key = store.getKey("redis", STORE_PASSWORD.toCharArray());
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        return Files.writeString(target, pem);
    }
}
