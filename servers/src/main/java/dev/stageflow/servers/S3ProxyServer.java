package dev.stageflow.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;

/**
 * A real S3 API server: S3Proxy 2.6.0 in a child JVM ({@link ChildJvm}; in a Flink JVM
 * its Guava clashes with Flink's) on a free loopback port, storing objects as files under a
 * temporary directory, with one bucket. {@link #flinkOptions()} are the options under which Flink's
 * s3 file system (flink-s3-fs-hadoop) talks to it.
 */
public final class S3ProxyServer implements AutoCloseable {

    /** The credentials of this loopback server, for local runs and tests only. */
    public static final String ACCESS_KEY = "stageflow-local";
    public static final String SECRET_KEY = "stageflow-local-secret";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final ChildJvm jvm;
    private final int port;
    private final String bucket;

    private S3ProxyServer(ChildJvm jvm, int port, String bucket) {
        this.jvm = jvm;
        this.port = port;
        this.bucket = bucket;
    }

    /** Starts a server on a free port keeping its objects under {@code workDir}, with a {@code bucket}. */
    public static S3ProxyServer start(Path workDir, String bucket) {
        return start(workDir, bucket, 0);
    }

    /** Starts a server on {@code port} (0: a free one) keeping its objects under {@code workDir}, with a {@code bucket}. */
    public static S3ProxyServer start(Path workDir, String bucket, int requestedPort) {
        int port = Ports.requested(requestedPort);
        Path blobs = workDir.resolve("blobs");
        Path properties = workDir.resolve("s3proxy.properties");
        try {
            // The filesystem provider serves each directory below its basedir as a bucket.
            Files.createDirectories(blobs.resolve(bucket));
            writeProperties(properties, port, blobs);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare S3Proxy in " + workDir, e);
        }
        Path log = workDir.resolve("s3proxy.log");
        ChildJvm jvm = ChildJvm.start("s3proxy",
                List.of("-Xmx256m",
                        "-Dlogback.configurationFile=" + ChildJvm.configFile("s3proxy", "logback.xml", workDir)),
                "org.gaul.s3proxy.Main",
                List.of("--properties", properties.toAbsolutePath().toString()), log);
        jvm.awaitPort(port, STARTUP_TIMEOUT);
        return new S3ProxyServer(jvm, port, bucket);
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public String bucket() {
        return bucket;
    }

    /** {@code s3://<bucket>/<path>}. */
    public URI uri(String path) {
        return URI.create("s3://" + bucket + "/" + path.replaceFirst("^/", ""));
    }

    /**
     * Flink's own s3 options for this server: endpoint, path-style addressing (the bucket goes in
     * the path, not the host name) and the credentials, with {@link #serverOptions()}.
     */
    public Configuration flinkOptions() {
        Configuration conf = serverOptions(endpoint());
        conf.setString("s3.access-key", ACCESS_KEY);
        conf.setString("s3.secret-key", SECRET_KEY);
        return conf;
    }

    /**
     * Points this JVM's Flink file systems (used by a MiniCluster's JobManager and TaskManagers,
     * and by the test) at this server, with the s3 file system loaded as a plugin from {@code
     * FLINK_PLUGINS_DIR}. Returns the options it used.
     */
    public Configuration initializeFlinkFileSystems() {
        Configuration conf = flinkOptions();
        FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
        return conf;
    }

    /** Forgets the s3 options again: later tests in this JVM get Flink's default file systems. */
    public static void resetFlinkFileSystems() {
        Configuration conf = new Configuration();
        FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
    }

    /**
     * The options any client of an S3Proxy server needs, without credentials. Directory markers
     * are kept: by default S3A deletes the parent "directory/" markers after every file it writes,
     * which S3Proxy's filesystem backend turns into deleting non-empty directories, each failing
     * after a 10 s retry.
     */
    public static Configuration serverOptions(String endpoint) {
        Configuration conf = new Configuration();
        conf.setString("s3.endpoint", endpoint);
        conf.setString("s3.path.style.access", "true");
        conf.setString("s3.directory.marker.retention", "keep");
        return conf;
    }

    /** Lets the server outlive this JVM; returns its process id. */
    public long detach() {
        jvm.detach();
        return jvm.pid();
    }

    @Override
    public void close() {
        jvm.close();
    }

    private static void writeProperties(Path file, int port, Path blobs) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
        properties.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        properties.setProperty("s3proxy.identity", ACCESS_KEY);
        properties.setProperty("s3proxy.credential", SECRET_KEY);
        properties.setProperty("jclouds.provider", "filesystem");
        properties.setProperty("jclouds.filesystem.basedir", blobs.toAbsolutePath().toString());
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, "S3Proxy started by stageflow");
        }
    }
}
