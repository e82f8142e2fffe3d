package dev.stageflow.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The servers a user may want beside a run, started in the background and left running for later
 * commands: Redis, a KRaft Kafka broker, an S3 endpoint (S3Proxy) and an HDFS mini cluster, each a
 * real server on a loopback port, its data and log under {@code <data-dir>/servers/<name>/}. Each
 * start records the server's process and the job options that point a run at it in {@code
 * server.properties}; a recorded process is ours only while its command line names that
 * directory, so a recycled pid is never signalled.
 */
public final class LocalServers {

    /** A kind of server, by the name the command line uses. */
    public enum Kind {
        REDIS(6379),
        KAFKA(9092),
        S3(9000),
        HDFS(8020);

        /** The port it takes unless told otherwise. */
        public final int defaultPort;

        Kind(int defaultPort) {
            this.defaultPort = defaultPort;
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A running server: its process, port and the job options that use it. */
    public record Server(Kind kind, long pid, int port, Map<String, String> jobOptions) {}

    /** The S3 endpoint's one bucket. */
    public static final String BUCKET = "stageflow";

    private static final String STATE_FILE = "server.properties";
    private static final String OPTION_PREFIX = "option.";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;

    public LocalServers(Path dataDir) {
        this.dir = dataDir.toAbsolutePath().resolve("servers");
    }

    /** Starts {@code kind} on {@code port} (0: a free one) unless it runs; returns it either way. */
    public Server start(Kind kind, int port) {
        Optional<Server> running = status(kind);
        if (running.isPresent()) {
            return running.get();
        }
        Path home = home(kind);
        Server server = switch (kind) {
            case REDIS -> startRedis(home, port);
            case KAFKA -> startKafka(home, port);
            case S3 -> startS3(home, port);
            case HDFS -> startHdfs(home, port);
        };
        record(server);
        return server;
    }

    /** The server of {@code kind} if it runs. */
    public Optional<Server> status(Kind kind) {
        return recorded(kind).filter(server -> isOurs(kind, server.pid()));
    }

    /** Stops {@code kind} (SIGTERM, SIGKILL after 30 s); false if it was not running. */
    public boolean stop(Kind kind) {
        Optional<Server> server = status(kind);
        server.flatMap(running -> ProcessHandle.of(running.pid())).ifPresent(process -> {
            process.destroy();
            try {
                process.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception stillRunning) {
                process.destroyForcibly();
            }
        });
        home(kind).resolve(STATE_FILE).toFile().delete();
        return server.isPresent();
    }

    private static Server startRedis(Path home, int port) {
        RedisServer redis = RedisServer.start(home, true, port);
        return new Server(Kind.REDIS, redis.pid(), redis.port(), Map.of("redis.uri", redis.uri().toString()));
    }

    private static Server startKafka(Path home, int port) {
        KafkaBroker kafka = KafkaBroker.start(home, port, true);
        String bootstrap = kafka.bootstrapServers();
        long pid = kafka.detach();
        return new Server(Kind.KAFKA, pid, Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1)),
                Map.of("source.kafka.bootstrap-servers", bootstrap));
    }

    private static Server startS3(Path home, int port) {
        S3ProxyServer s3 = S3ProxyServer.start(home, BUCKET, port);
        Map<String, String> options = new LinkedHashMap<>();
        options.put("store.uri", s3.uri("store").toString());
        s3.flinkOptions().toMap().forEach(options::put);
        long pid = s3.detach();
        return new Server(Kind.S3, pid, s3.port(), options);
    }

    /** Hadoop's own mini cluster manager, one NameNode and one DataNode, in a child JVM. */
    private static Server startHdfs(Path home, int port) {
        int namenodePort = Ports.requested(port);
        Path data = home.resolve("data");
        List<String> arguments = new ArrayList<>(List.of("-nnport", Integer.toString(namenodePort),
                "-datanodes", "1", "-D", "hdfs.minidfs.basedir=" + data));
        if (!Files.isDirectory(data)) {
            arguments.add("-format");
        }
        ChildJvm jvm = ChildJvm.start("hdfs", List.of("-Xmx512m", "-Dstageflow.server=" + home,
                        "-Dlog4j2.configurationFile=" + ChildJvm.configFile("hdfs", "log4j2.properties", home)),
                "org.apache.hadoop.test.MiniDFSClusterManager", arguments, home.resolve("hdfs.log"));
        jvm.awaitPort(namenodePort, STARTUP_TIMEOUT);
        jvm.detach();
        return new Server(Kind.HDFS, jvm.pid(), namenodePort,
                Map.of("store.uri", "hdfs://127.0.0.1:" + namenodePort + "/stageflow/store"));
    }

    private boolean isOurs(Kind kind, long pid) {
        String home = home(kind).toString();
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .flatMap(process -> process.info().commandLine())
                .map(line -> line.contains(home))
                .orElse(false);
    }

    private void record(Server server) {
        Properties properties = new Properties();
        properties.setProperty("pid", Long.toString(server.pid()));
        properties.setProperty("port", Integer.toString(server.port()));
        server.jobOptions().forEach((key, value) -> properties.setProperty(OPTION_PREFIX + key, value));
        StateFiles.write(home(server.kind()).resolve(STATE_FILE), properties,
                server.kind().id() + " started by stageflow servers start");
    }

    private Optional<Server> recorded(Kind kind) {
        return StateFiles.read(home(kind).resolve(STATE_FILE)).map(properties -> server(kind, properties));
    }

    private static Server server(Kind kind, Properties properties) {
        Map<String, String> options = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted().filter(key -> key.startsWith(OPTION_PREFIX))
                .forEach(key -> options.put(key.substring(OPTION_PREFIX.length()), properties.getProperty(key)));
        return new Server(kind, Long.parseLong(properties.getProperty("pid")),
                Integer.parseInt(properties.getProperty("port")), options);
    }

    private Path home(Kind kind) {
        Path home = dir.resolve(kind.id());
        try {
            return Files.createDirectories(home);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + home, e);
        }
    }
}
