package dev.stageflow.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The local copies of models that ship on the classpath: made once, made again when they change. */
class ModelFilesTest {

    private static final String RESOURCE =
            "/" + OnnxImageGenerator.BUILTIN_RESOURCE_DIR + "/" + OnnxImageGenerator.DECODER_FILE;
    private static final String DIR = "model-files-test";

    @Test
    void aCopyIsTheResourceAndIsCopiedAgainWhenItChangedAfterItWasChecked() throws Exception {
        byte[] resource;
        try (InputStream in = ModelFilesTest.class.getResourceAsStream(RESOURCE)) {
            resource = in.readAllBytes();
        }
        Path copy = ModelFiles.extract(RESOURCE, DIR);
        assertThat(copy).hasBinaryContent(resource);
        assertThat(ModelFiles.extract(RESOURCE, DIR)).isEqualTo(copy);

        Files.write(copy, new byte[] {1, 2, 3});
        assertThat(ModelFiles.extract(RESOURCE, DIR)).hasBinaryContent(resource);

        Files.delete(copy);
        assertThat(ModelFiles.extract(RESOURCE, DIR)).hasBinaryContent(resource);
    }
}
