package dev.stageflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stageflow.inference.RgbImage;
import dev.stageflow.store.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The naive baseline does the whole work per prompt: three gzip-compressed artifacts, readable back. */
class NaiveBaselineTest {

    @TempDir
    Path dir;

    @Test
    void writesEachPromptsLatentImageAndEnhancedImageGzipped() throws Exception {
        NaiveBaseline.promptsPerSecond(Map.of("request.default-width", "32", "request.default-height", "32",
                "request.default-steps", "1"), List.of("a fox", "an owl"), dir);

        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.sorted().toList();
        }
        assertThat(files).hasSize(6);
        assertThat(files).filteredOn(f -> f.toString().endsWith("-enhanced.png.gz")).hasSize(2).allSatisfy(f -> {
            RgbImage enhanced = RgbImage.fromPng(NaiveBaseline.download(f));
            assertThat(enhanced.width()).isEqualTo(64);
        });
        assertThat(files).filteredOn(f -> f.toString().endsWith("-latent.npy.gz")).hasSize(2)
                .allSatisfy(f -> assertThat(Npy.read(NaiveBaseline.download(f)).data()).isNotEmpty());
    }

    @Test
    void uploadIsGzipAndDownloadReadsItBack() throws Exception {
        byte[] bytes = "some artifact bytes".repeat(100).getBytes();
        Path file = dir.resolve("a/b.gz");
        NaiveBaseline.upload(file, bytes);

        byte[] stored = Files.readAllBytes(file);
        assertThat(stored[0] & 0xFF).isEqualTo(0x1F);
        assertThat(stored[1] & 0xFF).isEqualTo(0x8B);
        assertThat(stored.length).isLessThan(bytes.length);
        assertThat(NaiveBaseline.download(file)).isEqualTo(bytes);
    }
}
