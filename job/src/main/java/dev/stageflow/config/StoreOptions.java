package dev.stageflow.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/** The artifact store: where intermediates and images go, and how they are encoded. */
@OptionsSection(title = "Artifact store", position = 80)
public final class StoreOptions {

    public static final ConfigOption<String> URI =
            ConfigOptions.key("store.uri")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Root of the artifact store: file:///..., s3://bucket/prefix or"
                                    + " hdfs://namenode/path. Artifacts live at content-addressed"
                                    + " keys below it, so several runs and jobs can share it. A scheme no Flink"
                                    + " file system supports (e.g. s3:// without its plugin) fails when the job"
                                    + " is built, as it does for the stage roots below.");

    public static final ConfigOption<String> GENERATE_URI =
            ConfigOptions.key("store.generate.uri")
                    .stringType()
                    .noDefaultValue()
                    .withFallbackKeys(URI.key())
                    .withDescription(
                            "Root for what image-generate writes (latent tensors, decoded images),"
                                    + " e.g. s3://bucket/stageflow. Default: store.uri.");

    public static final ConfigOption<String> ENHANCE_URI =
            ConfigOptions.key("store.enhance.uri")
                    .stringType()
                    .noDefaultValue()
                    .withFallbackKeys(URI.key())
                    .withDescription(
                            "Root for the final images image-enhance writes, e.g."
                                    + " hdfs://namenode:8020/stageflow. Default: store.uri.");

    public static final ConfigOption<String> CODEC =
            ConfigOptions.key("store.codec")
                    .stringType()
                    .defaultValue("zstd")
                    .withDescription(
                            "Compression of intermediate artifacts (latent tensors): zstd, gzip,"
                                    + " snappy or none. Images keep their own PNG compression"
                                    + " and are stored as they are.");

    public static final ConfigOption<Integer> ZSTD_LEVEL =
            ConfigOptions.key("store.zstd.level")
                    .intType()
                    .defaultValue(3)
                    .withDescription("zstd compression level, 1 to 19.");

    public static final ConfigOption<Integer> GZIP_LEVEL =
            ConfigOptions.key("store.gzip.level")
                    .intType()
                    .defaultValue(6)
                    .withDescription("gzip compression level, 1 to 9.");

    public static final ConfigOption<MemorySize> CHUNK_SIZE =
            ConfigOptions.key("store.chunk-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("4mb"))
                    .withDescription(
                            "Artifacts larger than this are split into chunks of this raw size.");

    public static final ConfigOption<MemorySize> EMBEDDING_INLINE_MAX =
            ConfigOptions.key("store.embedding.inline-max")
                    .memoryType()
                    .defaultValue(MemorySize.parse("8kb"))
                    .withDescription(
                            "Embeddings up to this size travel with their prompt through Flink (the built-in"
                                    + " encoder's 384 floats are 1.5 KiB). text-encode writes a larger one (sd-onnx's"
                                    + " 77 × 768 floats are 231 KiB) to the generate store, uncompressed, and the"
                                    + " prompt carries its claim check, so records, network buffers and the stages'"
                                    + " checkpointed queues stay small; image-generate reads it back when it computes."
                                    + " The content keys of the images are the same either way.");

    public static final ConfigOption<Integer> IO_THREADS =
            ConfigOptions.key("store.io-threads")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "Chunks of one artifact written or read concurrently, per store and"
                                    + " stage subtask.");

    public static final ConfigOption<String> TENSOR_DTYPE =
            ConfigOptions.key("store.tensor-dtype")
                    .stringType()
                    .defaultValue("float16")
                    .withDescription("Element type of stored .npy tensors: float16 or float32.");

    public static final ConfigOption<Integer> HDFS_REPLICATION =
            ConfigOptions.key("store.hdfs.replication")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Replication factor of the files the store writes on an hdfs:// root"
                                    + " (chunks and manifests), e.g. 2 for intermediates that can be"
                                    + " recomputed from their seed. Unset: the dfs.replication of the"
                                    + " Hadoop configuration Flink loads (3 unless the Hadoop"
                                    + " configuration says otherwise). Applies to every store root on"
                                    + " hdfs://; the others ignore it.");

    public static final ConfigOption<Boolean> VERIFY_ON_HIT =
            ConfigOptions.key("store.verify-on-hit")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Whether a cache hit reads the whole artifact and checks its SHA-256 before reusing"
                                    + " it. Every hit checks that the manifest reads and that each chunk exists"
                                    + " with the size it names; a hit that fails a check is quarantined and"
                                    + " recomputed.");

    public static final ConfigOption<Duration> LEASE_REFRESH =
            ConfigOptions.key("store.lease-refresh")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "A cache hit on an artifact none of whose files was written within this long"
                                    + " rewrites the artifact's lease file, so gc's grace period counts from"
                                    + " the artifact's last use, not its creation. Keep it well below the"
                                    + " grace period gc runs with.");

    private StoreOptions() {}
}
