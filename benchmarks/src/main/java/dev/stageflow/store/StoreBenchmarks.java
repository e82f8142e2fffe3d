package dev.stageflow.store;

import dev.stageflow.config.StoreOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/** Store settings and directories of the store benchmarks. */
final class StoreBenchmarks {

    private StoreBenchmarks() {}

    /** The store's defaults (levels, chunk size, I/O threads), rooted in a directory never written. */
    static StoreSettings defaultSettings() {
        return settings(Paths.get(System.getProperty("java.io.tmpdir"), "stageflow-jmh-unused"), new Configuration());
    }

    /** The defaults with {@code codec} and {@code chunkSize}, rooted at {@code root}. */
    static StoreSettings settings(Path root, Codec codec, String chunkSize) {
        Configuration conf = new Configuration();
        conf.set(StoreOptions.CODEC, codec.id());
        conf.set(StoreOptions.CHUNK_SIZE, MemorySize.parse(chunkSize));
        return settings(root, conf);
    }

    private static StoreSettings settings(Path root, Configuration conf) {
        conf.set(StoreOptions.URI, root.toUri().toString());
        return StoreSettings.from(conf);
    }

    /**
     * A new empty directory for a store: in shared memory ({@code /dev/shm}) where there is one, so
     * that the figures are the store's own work and the page cache's, not a shared disk's latency.
     */
    static Path newRoot() {
        Path shm = Paths.get("/dev/shm");
        try {
            return Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "stageflow-jmh-store")
                    : Files.createTempDirectory("stageflow-jmh-store");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a store directory for the benchmark", e);
        }
    }

    static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + dir, e);
        }
    }
}
