package dev.stageflow.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real HDFS (one NameNode, a few DataNodes) in the test JVM, on free loopback ports, with its
 * storage under {@code target/minihdfs/}. Use it as a class-level extension:
 *
 * <pre>{@code
 * @RegisterExtension static final MiniHdfs HDFS = new MiniHdfs(3);
 * ... HDFS.uri().resolve("/stageflow") ...
 * }</pre>
 *
 * or, outside JUnit's lifecycle, {@link #start()} and {@link #close()} it yourself.
 *
 * <p>Flink reaches it through its own Hadoop file system support ({@code flink-hadoop-fs} and the
 * shaded Hadoop client), exactly as a job on a cluster would: nothing here registers a file system.
 */
public final class MiniHdfs implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MiniHdfs.class);

    private final int dataNodes;
    private MiniDFSCluster cluster;

    public MiniHdfs(int dataNodes) {
        if (dataNodes < 1) {
            throw new IllegalArgumentException("MiniHdfs needs at least one DataNode, got " + dataNodes);
        }
        this.dataNodes = dataNodes;
    }

    /** Starts the NameNode and waits until every DataNode has registered. */
    public MiniHdfs start() {
        if (cluster != null) {
            throw new IllegalStateException("MiniHdfs is already running at " + uri());
        }
        File baseDir = new File("target/minihdfs/" + UUID.randomUUID()).getAbsoluteFile();
        long startNanos = System.nanoTime();
        try {
            cluster = new MiniDFSCluster.Builder(new Configuration(), baseDir)
                    .numDataNodes(dataNodes)
                    .build();
            cluster.waitActive();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start MiniDFSCluster in " + baseDir, e);
        }
        LOG.info("HDFS with {} DataNodes up at {} in {} ms", dataNodes, uri(), (System.nanoTime() - startNanos) / 1_000_000);
        return this;
    }

    /** {@code hdfs://127.0.0.1:<port>/}: the root of the file system. */
    public URI uri() {
        return URI.create("hdfs://127.0.0.1:" + running().getNameNodePort() + "/");
    }

    /** Hadoop's own client, to look at what was written (replication, block locations). */
    public FileSystem hadoopFileSystem() {
        try {
            return running().getFileSystem();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open a client of " + uri(), e);
        }
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.shutdown(true);
            cluster = null;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private MiniDFSCluster running() {
        if (cluster == null) {
            throw new IllegalStateException("MiniHdfs is not running");
        }
        return cluster;
    }
}
