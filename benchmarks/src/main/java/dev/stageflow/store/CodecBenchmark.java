package dev.stageflow.store;

import dev.stageflow.benchmarks.BenchmarkBase;
import dev.stageflow.benchmarks.Fixtures;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One chunk through {@link Codec}: compressing a whole artifact (smaller than the default chunk
 * size, so one chunk) at the store's default level, and decompressing it. The artifacts are the
 * generator's PNG (which the pipeline stores uncompressed, codec {@code none}) and its float16
 * latent (stored with {@code store.codec}, zstd by default). {@code none} is the identity and is
 * left out; {@link ArtifactStoreBenchmark} has it, with the rest of a store write.
 */
@State(Scope.Thread)
public class CodecBenchmark extends BenchmarkBase {

    @Param({"zstd", "gzip", "snappy"})
    public String codec;

    @Param({"png-128", "png-512", "latent-128", "latent-512"})
    public String artifact;

    private Codec chosen;
    private int level;
    private byte[] raw;
    private byte[] stored;

    @Setup
    public void setUp() {
        chosen = Codec.parse(codec);
        level = StoreBenchmarks.defaultSettings().level(chosen);
        raw = Fixtures.artifact(artifact);
        stored = chosen.compress(raw, level);
    }

    @Benchmark
    public byte[] compress() {
        return chosen.compress(raw, level);
    }

    @Benchmark
    public byte[] decompress() {
        return chosen.decompress(stored, raw.length);
    }
}
