package dev.stageflow.store;

import dev.stageflow.benchmarks.BenchmarkBase;
import dev.stageflow.benchmarks.Fixtures;
import dev.stageflow.model.ArtifactRef;
import java.nio.file.Path;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A whole artifact through {@link ArtifactStore} on a local directory (in shared memory): {@code
 * put} splits it into chunks of {@code store.chunk-size}, compresses, hashes and writes them on the
 * store's I/O pool ({@link ChunkIo}) and commits the manifest; {@code read} reads the manifest and
 * the chunks back on the pool and verifies every SHA-256. Each case is {@code
 * artifact/codec/chunk size}: the 512² PNG as images are stored (no codec) in 64 KiB chunks (about
 * ten, written concurrently) and in the default 4 MiB (one chunk, on the caller's thread), and the
 * latents as they are stored by default (zstd, 4 MiB).
 */
@State(Scope.Thread)
public class ArtifactStoreBenchmark extends BenchmarkBase {

    @Param({"png-512/none/64kb", "png-512/none/4mb", "latent-128/zstd/4mb", "latent-512/zstd/4mb"})
    public String store;

    private Path root;
    private ArtifactStore artifactStore;
    private ArtifactKey key;
    private byte[] raw;
    private Codec codec;
    private ArtifactRef written;

    @Setup
    public void setUp() {
        String[] artifactCodecChunk = store.split("/");
        raw = Fixtures.artifact(artifactCodecChunk[0]);
        codec = Codec.parse(artifactCodecChunk[1]);
        root = StoreBenchmarks.newRoot();
        artifactStore = new ArtifactStore(StoreBenchmarks.settings(root, codec, artifactCodecChunk[2]));
        key = ArtifactKey.of("image-generate", "jmh", "artifact", Map.of("case", store.replace('/', '_')));
        written = put();
    }

    @Benchmark
    public ArtifactRef put() {
        return artifactStore.put(key, raw, "artifact.bin", "application/octet-stream", codec);
    }

    @Benchmark
    public byte[] read() {
        return artifactStore.read(written);
    }

    @TearDown
    public void tearDown() {
        artifactStore.close();
        StoreBenchmarks.delete(root);
    }
}
