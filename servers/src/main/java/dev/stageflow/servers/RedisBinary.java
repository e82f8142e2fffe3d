package dev.stageflow.servers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * Which {@code redis-server} a {@link RedisServer} runs: the Linux x86-64 binary that ships inside
 * the {@code com.github.codemonstur:embedded-redis} Maven artifact (Redis 6.2.11, though the
 * resource is named 6.2.6), unless the environment variable {@value #ENV} names another one. Never
 * a {@code redis-server} found on the PATH: another version installed on the machine would change
 * what a run leaves on disk (Redis 7 keeps its append-only file in a directory, 6.2 in one file)
 * without anyone having chosen it.
 */
final class RedisBinary {

    /** The environment variable naming a redis-server binary to run instead of the bundled one. */
    static final String ENV = "STAGEFLOW_REDIS_SERVER";

    private static final String BUNDLED = "/redis-server-6.2.6-v5-linux-amd64";
    private static final String INSTALLED_NAME = "redis-server";

    private RedisBinary() {}

    /**
     * The binary {@value #ENV} in {@code environment} names, empty for the bundled one; fails if the
     * variable is set to anything but an executable file.
     */
    static Optional<Path> chosen(Map<String, String> environment) {
        String value = environment.get(ENV);
        if (value == null) {
            return Optional.empty();
        }
        Path binary = Path.of(value).toAbsolutePath();
        if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
            throw new IllegalStateException(ENV + " names no executable redis-server: '" + value
                    + "' (point it at a redis-server binary, or unset it to run the bundled Redis 6.2)");
        }
        return Optional.of(binary);
    }

    /**
     * Copies the binary {@code environment} chooses into {@code dir} as {@value #INSTALLED_NAME}
     * and returns the copy. Redis rewrites its process title to the path it was started from and
     * its address, so a server run from a copy in its own directory is recognised by that
     * directory ({@link RedisServer#isRunningIn}, {@link LocalServers}); Debian's {@code
     * /usr/bin/redis-server}, a link to {@code redis-check-rdb}, would not be.
     */
    static Path installIn(Path dir, Map<String, String> environment) throws IOException {
        Optional<Path> chosen = chosen(environment);
        Path temp = Files.createTempFile(dir, INSTALLED_NAME, ".tmp");
        try (InputStream in = chosen.isPresent() ? Files.newInputStream(chosen.get()) : bundled()) {
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Files.move(temp, dir.resolve(INSTALLED_NAME), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private static InputStream bundled() {
        InputStream in = RedisBinary.class.getResourceAsStream(BUNDLED);
        if (in == null) {
            throw new IllegalStateException("No bundled redis-server " + BUNDLED
                    + " on the classpath (the embedded-redis artifact); set " + ENV + " to a redis-server binary");
        }
        return in;
    }
}
