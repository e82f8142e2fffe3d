package dev.stageflow.store;

import static dev.stageflow.config.OptionChecks.require;

import dev.stageflow.config.SinkOptions;
import dev.stageflow.config.StoreOptions;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.UnsupportedFileSystemSchemeException;

/** Validated store options, built once when the job graph is built and shipped to the stages. */
public final class StoreSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    public final URI root;
    public final Codec intermediateCodec;
    public final int zstdLevel;
    public final int gzipLevel;
    public final int chunkSize;
    public final Npy.NpyDType tensorDtype;
    public final int ioThreads;
    /** Embeddings larger than this many bytes travel as claim checks ({@code store.embedding.inline-max}). */
    public final long embeddingInlineMax;
    /** Replication of written files on an HDFS root; null: the Hadoop configuration's default. */
    public final Integer hdfsReplication;
    public final boolean verifyOnHit;
    public final Duration leaseRefresh;
    /** The {@code output.dir} of the job using the store, recorded as a writer when a stage opens; null if none. */
    public final String jobOutputDir;

    private StoreSettings(URI root, Configuration conf) {
        this.root = root;
        this.intermediateCodec = Codec.parse(conf.get(StoreOptions.CODEC));
        this.zstdLevel = conf.get(StoreOptions.ZSTD_LEVEL);
        this.gzipLevel = conf.get(StoreOptions.GZIP_LEVEL);
        this.chunkSize = (int) Math.min(Integer.MAX_VALUE, conf.get(StoreOptions.CHUNK_SIZE).getBytes());
        this.tensorDtype = Npy.NpyDType.parse(conf.get(StoreOptions.TENSOR_DTYPE));
        this.ioThreads = conf.get(StoreOptions.IO_THREADS);
        this.embeddingInlineMax = conf.get(StoreOptions.EMBEDDING_INLINE_MAX).getBytes();
        this.hdfsReplication = "hdfs".equals(root.getScheme())
                ? conf.getOptional(StoreOptions.HDFS_REPLICATION).orElse(null)
                : null;
        this.verifyOnHit = conf.get(StoreOptions.VERIFY_ON_HIT);
        this.leaseRefresh = conf.get(StoreOptions.LEASE_REFRESH);
        this.jobOutputDir = conf.getOptional(SinkOptions.OUTPUT_DIR).orElse(null);
        Codec.checkLevel(Codec.ZSTD, zstdLevel);
        Codec.checkLevel(Codec.GZIP, gzipLevel);
        require(chunkSize >= 4096, StoreOptions.CHUNK_SIZE, "at least 4 KiB", chunkSize);
        require(ioThreads >= 1, StoreOptions.IO_THREADS, "at least 1", ioThreads);
        require(!leaseRefresh.isNegative(), StoreOptions.LEASE_REFRESH, "not negative", leaseRefresh);
        // Hadoop takes the replication as a short.
        conf.getOptional(StoreOptions.HDFS_REPLICATION).ifPresent(replication -> require(
                replication >= 1 && replication <= Short.MAX_VALUE, StoreOptions.HDFS_REPLICATION,
                "between 1 and " + Short.MAX_VALUE, replication));
    }

    /** The default store, at {@code store.uri}. */
    public static StoreSettings from(Configuration conf) {
        return from(conf, StoreOptions.URI);
    }

    /**
     * The store whose root is {@code rootOption} (a stage's own root, falling back to {@code
     * store.uri}); codec, chunking and element type are shared by all stores.
     */
    public static StoreSettings from(Configuration conf, ConfigOption<String> rootOption) {
        String uri = conf.getOptional(rootOption)
                .orElseThrow(() -> new IllegalConfigurationException(
                        "Option " + rootOption.key() + " is required (the store root)"));
        URI root = rootUri(rootOption, uri);
        requireFileSystem(rootOption, root);
        try {
            return new StoreSettings(root, conf);
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException("Invalid store option: " + e.getMessage(), e);
        }
    }

    /** The configured level of {@code codec}; ignored by codecs without levels. */
    public int level(Codec codec) {
        return codec == Codec.ZSTD ? zstdLevel : gzipLevel;
    }

    /**
     * Fails unless Flink has a file system for the scheme of {@code root}, a store root or a
     * directory a sink writes to (a factory on the classpath or a plugin, e.g. flink-s3-fs-hadoop
     * for s3://). Nothing is created or read: whether the store answers is for the stages to find
     * out, and the process that builds the job may not reach it (a client outside the cluster's
     * network).
     */
    public static void requireFileSystem(ConfigOption<String> option, URI root) {
        try {
            FileSystem.getUnguardedFileSystem(root);
        } catch (UnsupportedFileSystemSchemeException e) {
            throw new IllegalConfigurationException("Option " + option.key() + " '" + root + "' has a scheme that no"
                    + " Flink file system supports here: " + e.getMessage(), e);
        } catch (IOException notReachableFromHere) {
            // A file system exists for the scheme; it cannot be set up in this process (e.g. an HDFS
            // name node this client cannot resolve), which the cluster may well do.
        }
    }

    private static URI rootUri(ConfigOption<String> option, String value) {
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null) {
                throw new IllegalConfigurationException(
                        option.key() + " '" + value + "' needs a scheme, e.g. file:///"
                                + value.replaceFirst("^/", ""));
            }
            String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
            return new URI(uri.getScheme(), uri.getAuthority(), path, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalConfigurationException(
                    option.key() + " '" + value + "' is not a URI", e);
        }
    }
}
