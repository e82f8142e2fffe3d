package dev.stageflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What the benchmarks share: figures rounded for their JSON, and their scratch directories removed. */
final class BenchFiles {

    /** {@code value} to three decimals. */
    static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /** Deletes {@code dir} and everything below it, if it exists. */
    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private BenchFiles() {}
}
