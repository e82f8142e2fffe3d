package dev.stageflow.servers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The Redis each binary choice runs, and what a persistent server must do with either: be found
 * in its directory, and keep an acknowledged write through a SIGKILL (Redis 6.2 keeps its
 * append-only file as {@code appendonly.aof}, 7 as {@code appendonlydir/}; neither layout is assumed).
 */
class RedisServerITCase {

    /** Debian's package (apt-get install redis-server): Redis 7.0 on bookworm. */
    private static final Path DEBIAN_REDIS = Path.of("/usr/bin/redis-server");

    @TempDir
    Path dir;

    /** The version embedded-redis 1.4.3 bundles (its resource name says 6.2.6). */
    @Test
    void runsTheBundledRedis62WhenTheVariableIsUnset() {
        assertThat(versionOfAPersistentServerAfterAKill(Map.of())).isEqualTo("6.2.11");
    }

    @Test
    void runsTheBinaryTheVariableNames() throws Exception {
        assumeTrue(Files.isExecutable(DEBIAN_REDIS), DEBIAN_REDIS + " is not installed");

        assertThat(versionOfAPersistentServerAfterAKill(Map.of(RedisBinary.ENV, DEBIAN_REDIS.toString())))
                .isEqualTo(versionReportedBy(DEBIAN_REDIS));
    }

    /** Writes to a persistent server, kills it, restarts it and reads the write back; returns its version. */
    private String versionOfAPersistentServerAfterAKill(Map<String, String> environment) {
        RedisServer redis = RedisServer.start(dir, true, 0, environment);
        try {
            assertThat(RedisServer.isRunningIn(dir)).as("the server is found by its directory").isTrue();
            try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
                jedis.set("acknowledged", "kept");
            }
            redis.kill();
            redis = redis.restart();
            try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
                assertThat(jedis.get("acknowledged")).isEqualTo("kept");
                return field(jedis.info("server"), "redis_version");
            }
        } finally {
            redis.close();
        }
    }

    /** The version in {@code redis-server --version}: "Redis server v=7.0.15 sha=...". */
    private static String versionReportedBy(Path binary) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return field(output, "v");
    }

    private static String field(String text, String name) {
        Matcher value = Pattern.compile("(?m)(?:^|\\s)" + name + "[:=]([^\\s]+)").matcher(text);
        assertThat(value.find()).as("%s in %s", name, text).isTrue();
        return value.group(1);
    }
}
