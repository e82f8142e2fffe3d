package dev.stageflow.testing;

import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.sink.CommittedOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/** Committed result files and aged artifacts for the gc tests, without running the job. */
public final class TestResults {

    private TestResults() {}

    /** A result row of {@code promptId} whose generate stage wrote {@code generated}, enhance {@code image}. */
    public static String row(String promptId, ArtifactRef image, ArtifactRef... generated) {
        GenerationResult result = new GenerationResult();
        result.promptId = promptId;
        result.text = "a test prompt";
        result.encode = new StageOutcome("text-encode", "encoder", "enc-v1", false, 1, new ArtifactRef[0]);
        result.generate = new StageOutcome("image-generate", "generator", "test-v1", false, 1, generated);
        result.enhance = new StageOutcome("image-enhance", "enhancer", "test-v1", false, 1, new ArtifactRef[] {image});
        result.image = image;
        return Json.write(result);
    }

    /** Writes {@code lines} as the committed results file {@code name} of {@code outputDir}. */
    public static Path writeResults(Path outputDir, String name, List<String> lines) {
        try {
            Path results = Files.createDirectories(outputDir.resolve(CommittedOutput.RESULTS));
            return Files.write(results.resolve(name), lines);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write results into " + outputDir, e);
        }
    }

    /** Sets the modification time of {@code dir} and every file below it to {@code age} ago. */
    public static void age(Path dir, Duration age) {
        FileTime time = FileTime.from(Instant.now().minus(age));
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.toList()) {
                Files.setLastModifiedTime(path, time);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot age " + dir, e);
        }
    }

    /** The local directory of an artifact in a {@code file://} store. */
    public static Path directory(ArtifactRef ref) {
        return Path.of(java.net.URI.create(ref.uri));
    }
}
