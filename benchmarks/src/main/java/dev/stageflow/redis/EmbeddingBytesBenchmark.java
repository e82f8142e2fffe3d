package dev.stageflow.redis;

import dev.stageflow.benchmarks.BenchmarkBase;
import dev.stageflow.benchmarks.Fixtures;
import dev.stageflow.store.Hashing;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * An embedding (MiniLM's 384 floats) as {@link EmbeddingCache} stores it in Redis: the
 * little-endian float32 value written ({@code toBytes}) and read back ({@code fromBytes}), and a
 * hit in the cache's in-JVM tier ({@code jvmTierHit}, {@code getAll} of one text, no Redis), which
 * spares both and the network.
 */
@State(Scope.Thread)
public class EmbeddingBytesBenchmark extends BenchmarkBase {

    private float[] embedding;
    private byte[] value;
    private EmbeddingCache cache;
    private List<String> texts;

    @Setup
    public void setUp() {
        embedding = Fixtures.embedding();
        value = Hashing.floatsToBytes(embedding);
        cache = new EmbeddingCache(new CacheSettings(null, Duration.ofDays(1), 10_000), "jmh", embedding.length);
        cache.putAll(Map.of(Fixtures.PROMPT, embedding));
        texts = List.of(Fixtures.PROMPT);
    }

    @Benchmark
    public byte[] toBytes() {
        return Hashing.floatsToBytes(embedding);
    }

    @Benchmark
    public float[] fromBytes() {
        return Hashing.bytesToFloats(value);
    }

    @Benchmark
    public Map<String, float[]> jvmTierHit() {
        return cache.getAll(texts);
    }

    @TearDown
    public void tearDown() {
        cache.close();
    }
}
