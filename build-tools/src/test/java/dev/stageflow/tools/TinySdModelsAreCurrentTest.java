package dev.stageflow.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkout holds exactly the tiny SD pipelines the writer writes (else: run scripts/generate.sh). */
class TinySdModelsAreCurrentTest {

    @Test
    void checkedInTinyModelsAreWhatTheWriterWrites(@TempDir Path dir) throws IOException {
        TinySdModelWriter.writeAll(dir);
        Path checkedIn = Path.of(System.getProperty("stageflow.root")).resolve(TinySdModelWriter.MODELS_DIR);

        List<Path> written = files(dir);
        assertThat(written).hasSizeGreaterThan(10);
        assertThat(files(checkedIn).stream().filter(p -> p.startsWith(TinySdModelWriter.TINY + "/")
                || p.startsWith(TinySdModelWriter.TINY_FP16 + "/")).toList())
                .as("files under %s: run scripts/generate.sh", checkedIn).containsExactlyElementsOf(written);
        for (Path file : written) {
            assertThat(Files.readAllBytes(checkedIn.resolve(file)))
                    .as("%s is stale: run scripts/generate.sh", file)
                    .isEqualTo(Files.readAllBytes(dir.resolve(file)));
        }
    }

    @Test
    void writesTheSameBytesTwice(@TempDir Path first, @TempDir Path second) throws IOException {
        TinySdModelWriter.writeAll(first);
        TinySdModelWriter.writeAll(second);
        for (Path file : files(first)) {
            assertThat(Files.readAllBytes(second.resolve(file))).as("%s", file)
                    .isEqualTo(Files.readAllBytes(first.resolve(file)));
        }
    }

    private static List<Path> files(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }
}
