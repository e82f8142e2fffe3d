package dev.stageflow.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.inference.OnnxImageGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltinGeneratorWriterTest {

    private static final List<String> MODEL_FILES =
            List.of(OnnxImageGenerator.DENOISER_FILE, OnnxImageGenerator.DECODER_FILE);

    @Test
    void writesByteIdenticalModelsOnEveryBuild(@TempDir Path first, @TempDir Path second) throws IOException {
        BuiltinGeneratorWriter.write(first);
        BuiltinGeneratorWriter.write(second);

        for (String file : MODEL_FILES) {
            assertThat(Files.readAllBytes(second.resolve(file))).as(file)
                    .isEqualTo(Files.readAllBytes(first.resolve(file)));
        }
    }
}
