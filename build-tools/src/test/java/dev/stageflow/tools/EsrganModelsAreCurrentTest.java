package dev.stageflow.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.inference.EsrganModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job ships exactly the ONNX models the converter makes of the pinned npm package, which the
 * build installs before the tests (else: run scripts/generate.sh).
 */
class EsrganModelsAreCurrentTest {

    @Test
    void jobResourcesHoldWhatTheConverterWrites(@TempDir Path dir) throws IOException {
        Path packageDir = Paths.get(System.getProperty("stageflow.root")).resolve(EsrganModelWriter.PACKAGE_DIR);
        EsrganModelWriter.write(packageDir, dir);

        List<String> resources = new ArrayList<>();
        for (EsrganModel model : EsrganModel.values()) {
            resources.add(model.resourceDir() + "/" + EsrganModel.MODEL_FILE);
        }
        resources.add(EsrganModel.LICENSE_RESOURCE);
        for (String resource : resources) {
            try (InputStream shipped = EsrganModel.class.getResourceAsStream("/" + resource)) {
                assertThat(shipped).as(resource).isNotNull();
                assertThat(shipped.readAllBytes()).as("%s is stale: run scripts/generate.sh", resource)
                        .isEqualTo(Files.readAllBytes(dir.resolve(resource)));
            }
        }
    }
}
