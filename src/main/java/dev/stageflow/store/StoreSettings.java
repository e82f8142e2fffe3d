package dev.stageflow.store;

import dev.stageflow.config.StoreOptions;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/** Validated store options, built once when the job graph is built and shipped to the stages. */
public final class StoreSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    public final URI root;
    public final Codec intermediateCodec;
    public final int zstdLevel;
    public final int gzipLevel;
    public final int chunkSize;
    public final Npy.NpyDType tensorDtype;
    /** Replication of written files on HDFS; null leaves it to the Hadoop configuration. */
    public final Integer hdfsReplication;

    public StoreSettings(
            URI root,
            Codec intermediateCodec,
            int zstdLevel,
            int gzipLevel,
            int chunkSize,
            Npy.NpyDType tensorDtype) {
        this(root, intermediateCodec, zstdLevel, gzipLevel, chunkSize, tensorDtype, null);
    }

    private StoreSettings(
            URI root,
            Codec intermediateCodec,
            int zstdLevel,
            int gzipLevel,
            int chunkSize,
            Npy.NpyDType tensorDtype,
            Integer hdfsReplication) {
        this.root = root;
        this.intermediateCodec = intermediateCodec;
        this.zstdLevel = zstdLevel;
        this.gzipLevel = gzipLevel;
        this.chunkSize = chunkSize;
        this.tensorDtype = tensorDtype;
        this.hdfsReplication = hdfsReplication;
        Codec.checkLevel(Codec.ZSTD, zstdLevel);
        Codec.checkLevel(Codec.GZIP, gzipLevel);
        if (chunkSize < 4096) {
            throw new IllegalArgumentException("Chunk size " + chunkSize + " is below 4 KiB");
        }
        checkHdfsReplication(root, hdfsReplication);
    }

    public static StoreSettings from(Configuration conf) {
        String uri = conf.getOptional(StoreOptions.URI)
                .orElseThrow(() -> new IllegalConfigurationException(
                        "Option " + StoreOptions.URI.key() + " is required (the store root)"));
        try {
            long chunkSize = conf.get(StoreOptions.CHUNK_SIZE).getBytes();
            return new StoreSettings(
                    rootUri(uri),
                    Codec.parse(conf.get(StoreOptions.CODEC)),
                    conf.get(StoreOptions.ZSTD_LEVEL),
                    conf.get(StoreOptions.GZIP_LEVEL),
                    (int) Math.min(Integer.MAX_VALUE, chunkSize),
                    Npy.NpyDType.parse(conf.get(StoreOptions.TENSOR_DTYPE)),
                    conf.getOptional(StoreOptions.HDFS_REPLICATION).orElse(null));
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException("Invalid store option: " + e.getMessage(), e);
        }
    }

    public int level(Codec codec) {
        return codec == Codec.ZSTD ? zstdLevel : gzipLevel;
    }

    private static void checkHdfsReplication(URI root, Integer replication) {
        if (replication == null) {
            return;
        }
        String option = StoreOptions.HDFS_REPLICATION.key();
        if (!"hdfs".equals(root.getScheme())) {
            throw new IllegalArgumentException(
                    option + " applies to an hdfs:// store only, the store is " + root);
        }
        // Hadoop takes the replication as a short.
        if (replication < 1 || replication > Short.MAX_VALUE) {
            throw new IllegalArgumentException(
                    option + " must be between 1 and " + Short.MAX_VALUE + ", got " + replication);
        }
    }

    private static URI rootUri(String value) {
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null) {
                throw new IllegalConfigurationException(
                        StoreOptions.URI.key() + " '" + value + "' needs a scheme, e.g. file:///"
                                + value.replaceFirst("^/", ""));
            }
            String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
            return new URI(uri.getScheme(), uri.getAuthority(), path, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalConfigurationException(
                    StoreOptions.URI.key() + " '" + value + "' is not a URI", e);
        }
    }
}
