package dev.stageflow.servers;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server in its own JVM, on the classpath the build resolved from {@code servers/<name>/pom.xml}
 * into the resource {@code stageflow/servers/<name>.classpath}. Servers whose dependencies clash
 * with Flink's (S3Proxy's Guava) run this way; output goes to a log file whose tail is part of every
 * startup error.
 */
public final class ChildJvm implements AutoCloseable {

    private static final String RESOURCES = "/stageflow/servers/";

    private final String name;
    private final Process process;
    private final Path log;
    /** Stops the server if this JVM exits without closing it (a failed or interrupted run). */
    private final Thread stopAtExit;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stopAtExit = new Thread(this::stop, "stop-" + name);
    }

    /**
     * Starts {@code mainClass} of server {@code name} with {@code jvmOptions} and {@code args};
     * stdout and stderr go to {@code log}.
     */
    public static ChildJvm start(String name, List<String> jvmOptions, String mainClass, List<String> args, Path log) {
        ChildJvm jvm = new ChildJvm(name, launch(name, jvmOptions, mainClass, args, log), log);
        Runtime.getRuntime().addShutdownHook(jvm.stopAtExit);
        return jvm;
    }

    /**
     * Runs a tool of server {@code name} (e.g. a storage formatter) to its end; fails with the
     * tail of {@code log} if it exits with a non-zero status or runs longer than {@code timeout}.
     */
    public static void run(String name, List<String> jvmOptions, String mainClass, List<String> args, Path log,
            Duration timeout) {
        try (ChildJvm jvm = new ChildJvm(name, launch(name, jvmOptions, mainClass, args, log), log)) {
            if (!jvm.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw jvm.startupFailure("(" + mainClass + ") did not finish within " + timeout);
            }
            if (jvm.process.exitValue() != 0) {
                throw jvm.startupFailure("(" + mainClass + ") exited with status " + jvm.process.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + mainClass, e);
        }
    }

    private static Process launch(String name, List<String> jvmOptions, String mainClass, List<String> args, Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath(name), mainClass));
        command.addAll(args);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start server " + name + " (" + mainClass + ")", e);
        }
    }

    /** Waits until the server accepts connections on {@code port}; on failure stops it. */
    public void awaitPort(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw startupFailure("exited with status " + process.exitValue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        close();
        throw startupFailure("did not accept connections on port " + port + " within " + timeout);
    }

    public long pid() {
        return process.pid();
    }

    /** Lets the server outlive this JVM (a server the command line starts for later runs). */
    public void detach() {
        Runtime.getRuntime().removeShutdownHook(stopAtExit);
    }

    /** Stops the server and any processes it started: SIGTERM, then SIGKILL after 10 seconds. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException alreadyExiting) {
            // The hook is running or about to: it stops nothing that is still alive.
        }
    }

    private void stop() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception stillRunning) {
                handle.destroyForcibly();
            }
        }
    }

    private IllegalStateException startupFailure(String what) {
        return new IllegalStateException(
                "Server " + name + " " + what + "; last lines of " + log + ":\n" + logTail(40));
    }

    private String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** The runtime classpath of server {@code name}, as the build resolved it. */
    public static String classpath(String name) {
        return resource(name + ".classpath").trim();
    }

    /**
     * Writes server {@code name}'s configuration file {@code file} (a resource of this module, e.g.
     * its logging configuration) into {@code dir}, and returns where.
     */
    public static Path configFile(String name, String file, Path dir) {
        Path target = dir.resolve(file).toAbsolutePath();
        try {
            Files.createDirectories(dir);
            Files.writeString(target, resource(name + "/" + file), StandardCharsets.UTF_8);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + target, e);
        }
    }

    private static String resource(String path) {
        try (InputStream in = ChildJvm.class.getResourceAsStream(RESOURCES + path)) {
            if (in == null) {
                throw new IllegalStateException("No resource " + RESOURCES + path + " on the classpath: the build"
                        + " writes the server classpaths from servers/*/pom.xml (mvn package)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read resource " + RESOURCES + path, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a server", e);
        }
    }
}
