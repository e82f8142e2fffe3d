package dev.stageflow.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.inference.OnnxImageGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job ships exactly the built-in models the writer writes (else: run scripts/generate.sh). */
class BuiltinModelsAreCurrentTest {

    @Test
    void jobResourcesHoldWhatTheWriterWrites(@TempDir Path dir) throws IOException {
        BuiltinGeneratorWriter.write(dir);

        for (String file : List.of(OnnxImageGenerator.DENOISER_FILE, OnnxImageGenerator.DECODER_FILE)) {
            String resource = "/" + OnnxImageGenerator.BUILTIN_RESOURCE_DIR + "/" + file;
            try (InputStream shipped = OnnxImageGenerator.class.getResourceAsStream(resource)) {
                assertThat(shipped).as(resource).isNotNull();
                assertThat(shipped.readAllBytes()).as("%s is stale: run scripts/generate.sh", resource)
                        .isEqualTo(Files.readAllBytes(dir.resolve(file)));
            }
        }
    }
}
