package dev.stageflow.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A real {@code redis-server} process on a free loopback port, for the local run and the tests.
 *
 * <p>It runs the Redis 6.2 binary that ships inside the {@code com.github.codemonstur:embedded-redis}
 * Maven artifact, so a fresh machine needs no installation and every machine runs the same Redis;
 * the environment variable {@code STAGEFLOW_REDIS_SERVER} names another binary, and none is ever
 * taken from the PATH (see {@link RedisBinary}). A persistent server keeps an append-only file
 * (Redis 7: a directory of them) in its directory, so the embedding cache and the prompt metadata
 * outlive a run. Each write reaches that file before Redis acknowledges it ({@code appendfsync
 * always}), so even a killed server keeps everything it acknowledged. A server left running by a
 * process that was killed (its pid file remains) is stopped before a new one starts in the same
 * directory.
 */
public final class RedisServer implements AutoCloseable {

    private static final String PID_FILE = "redis.pid";

    private final Process process;
    /** The copy of the binary in {@link #workDir} that {@link #restart} runs again. */
    private final Path binary;
    private final Path workDir;
    private final boolean persistent;
    private final int port;
    /** The TLS port's arguments, empty without TLS. */
    private final List<String> tlsArguments;
    private final int tlsPort;

    private RedisServer(Process process, Path binary, Path workDir, boolean persistent, int port,
            List<String> tlsArguments, int tlsPort) {
        this.process = process;
        this.binary = binary;
        this.workDir = workDir;
        this.persistent = persistent;
        this.port = port;
        this.tlsArguments = tlsArguments;
        this.tlsPort = tlsPort;
    }

    /** Starts a server without persistence (tests). */
    public static RedisServer start(Path workDir) {
        return start(workDir, false);
    }

    /** Starts a server in {@code workDir}; with {@code persistent} it saves its data there on exit. */
    public static RedisServer start(Path workDir, boolean persistent) {
        return start(workDir, persistent, 0);
    }

    /** Starts a server on {@code port} (0: a free one) in {@code workDir}, persistent or not. */
    public static RedisServer start(Path workDir, boolean persistent, int port) {
        return start(workDir, persistent, port, System.getenv());
    }

    /** As {@link #start(Path, boolean, int)}, with the binary {@code environment} chooses (see {@link RedisBinary}). */
    static RedisServer start(Path workDir, boolean persistent, int port, Map<String, String> environment) {
        try {
            Files.createDirectories(workDir);
            stopLeftover(workDir.resolve(PID_FILE));
            return start(RedisBinary.installIn(workDir, environment), workDir, persistent, Ports.requested(port),
                    List.of(), -1);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start redis-server in " + workDir, e);
        }
    }

    /**
     * Starts a server without persistence that also serves TLS, on {@link #tlsPort}, with the PEM
     * files {@code certFile} and {@code keyFile} (clients need no certificate of their own).
     */
    public static RedisServer startWithTls(Path workDir, Path certFile, Path keyFile) {
        try {
            Files.createDirectories(workDir);
            stopLeftover(workDir.resolve(PID_FILE));
            int tlsPort = Ports.free();
            List<String> tls = List.of("--tls-port", String.valueOf(tlsPort),
                    "--tls-cert-file", certFile.toAbsolutePath().toString(),
                    "--tls-key-file", keyFile.toAbsolutePath().toString(),
                    "--tls-ca-cert-file", certFile.toAbsolutePath().toString(),
                    "--tls-auth-clients", "no");
            return start(RedisBinary.installIn(workDir, System.getenv()), workDir, false, Ports.free(), tls, tlsPort);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start redis-server with TLS in " + workDir, e);
        }
    }

    /**
     * Starts this server again, after {@link #close} or {@link #kill}, on the same port and in the
     * same directory; a persistent one comes back with its data.
     */
    public RedisServer restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " is still running");
        }
        try {
            return start(binary, workDir, persistent, port, tlsArguments, tlsPort);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot restart redis-server in " + workDir, e);
        }
    }

    private static RedisServer start(Path binary, Path workDir, boolean persistent, int port, List<String> tlsArguments,
            int tlsPort) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                binary.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--dir", workDir.toAbsolutePath().toString(), "--daemonize", "no",
                "--pidfile", workDir.resolve(PID_FILE).toAbsolutePath().toString(),
                "--save", "", "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always"));
        command.addAll(tlsArguments);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("redis.log").toFile()))
                .start();
        RedisServer server = new RedisServer(process, binary, workDir, persistent, port, tlsArguments, tlsPort);
        server.awaitReady(Duration.ofSeconds(15));
        return server;
    }

    public int port() {
        return port;
    }

    public URI uri() {
        return URI.create("redis://127.0.0.1:" + port + "/0");
    }

    /** The TLS port of a server started with {@link #startWithTls}. */
    public int tlsPort() {
        if (tlsPort < 0) {
            throw new IllegalStateException("redis-server on port " + port + " was started without TLS");
        }
        return tlsPort;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + " (see "
                        + workDir.resolve("redis.log") + ")");
            }
            try (Jedis jedis = new Jedis("127.0.0.1", port, 500)) {
                if ("PONG".equals(jedis.ping())) {
                    return;
                }
            } catch (JedisException notYet) {
                sleep(50);
            }
        }
        close();
        throw new IllegalStateException("redis-server did not answer on port " + port + " within " + timeout);
    }

    /** Stops the server (SIGTERM: a persistent server saves its snapshot first). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the server with SIGKILL, as a crash would; see {@link #restart}. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a redis-server is running in {@code workDir} (its pid file names a live one). */
    public static boolean isRunningIn(Path workDir) {
        return running(workDir.resolve(PID_FILE)).isPresent();
    }

    private static void stopLeftover(Path pidFile) throws IOException {
        running(pidFile).ifPresent(leftover -> {
            leftover.destroy();
            leftover.onExit().orTimeout(20, TimeUnit.SECONDS).join();
        });
        Files.deleteIfExists(pidFile);
    }

    private static Optional<ProcessHandle> running(Path pidFile) {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
                    .filter(p -> p.info().command().map(c -> c.endsWith("redis-server")).orElse(false));
        } catch (IOException | NumberFormatException unreadable) {
            return Optional.empty();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for redis-server", e);
        }
    }
}
