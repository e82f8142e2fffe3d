package dev.stageflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.inference.ImageGenerator.Generated;
import dev.stageflow.inference.ImageGenerator.GenerationInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxImageGeneratorTest {

    private static final int STEPS = 4;

    /** Two intra-op threads, so the tests also cover ONNX Runtime splitting work between threads. */
    private static OnnxImageGenerator generator;

    @BeforeAll
    static void load() {
        generator = OnnxImageGenerator.builtin(2);
    }

    @AfterAll
    static void close() {
        generator.close();
    }

    @Test
    void loadsFromProjectResourcesWithDownloadsDisabled() {
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        assertThat(generator.name()).isEqualTo("builtin-cppn");
        assertThat(generator.version()).matches("builtin-cppn-[0-9a-f]{12}");
        assertThat(generateOne(input(1, 1, 64, 64)).image.width()).isEqualTo(64);
    }

    @Test
    void sameSeedAndEmbeddingGiveBitIdenticalLatentAndPngInAnotherGeneratorWithOtherThreads() {
        GenerationInput input = input(42, 7, 64, 64);
        Generated first = generateOne(input);
        Generated again = generateOne(input);
        Generated elsewhere;
        try (OnnxImageGenerator other = OnnxImageGenerator.builtin(1)) {
            elsewhere = other.generate(List.of(input)).get(0);
        }

        assertThat(again.latent).isEqualTo(first.latent);
        assertThat(again.image.toPng()).isEqualTo(first.image.toPng());
        assertThat(elsewhere.latent).isEqualTo(first.latent);
        assertThat(elsewhere.image.toPng()).isEqualTo(first.image.toPng());
    }

    @Test
    void anotherSeedGivesAnotherImage() {
        byte[] seed42 = generateOne(input(42, 7, 64, 64)).image.toPng();
        byte[] seed43 = generateOne(input(43, 7, 64, 64)).image.toPng();

        assertThat(seed43).isNotEqualTo(seed42);
    }

    @Test
    void anotherEmbeddingGivesAnotherImage() {
        byte[] embedding7 = generateOne(input(42, 7, 64, 64)).image.toPng();
        byte[] embedding8 = generateOne(input(42, 8, 64, 64)).image.toPng();

        assertThat(embedding8).isNotEqualTo(embedding7);
    }

    @Test
    void imageHasTheRequestedSizeAndTheLatentAnEighthOfIt() {
        Generated generated = generateOne(input(5, 5, 64, 48));

        assertThat(generated.image.width()).isEqualTo(64);
        assertThat(generated.image.height()).isEqualTo(48);
        assertThat(RgbImage.fromPng(generated.image.toPng()).width()).isEqualTo(64);
        assertThat(generated.latentShape).containsExactly(4, 6, 8);
        assertThat(generated.latent).hasSize(4 * 6 * 8);
    }

    @Test
    void anInputGetsBitIdenticalResultsAloneAndInsideABatch() {
        List<GenerationInput> batch = List.of(
                input(1, 1, 64, 64), input(2, 1, 64, 64), input(1, 2, 64, 64), input(1, 1, 64, 64));

        List<Generated> together = generator.generate(batch);

        assertThat(together).hasSize(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Generated alone = generateOne(batch.get(i));
            assertThat(together.get(i).latent).as("latent of input %d", i).isEqualTo(alone.latent);
            assertThat(together.get(i).image.toPng()).as("PNG of input %d", i).isEqualTo(alone.image.toPng());
        }
    }

    @Test
    void anEmptyBatchGivesNoResults() {
        assertThat(generator.generate(List.of())).isEmpty();
    }

    @Test
    void rejectsAnEmbeddingOfTheWrongLength() {
        GenerationInput input = new GenerationInput(new float[512], 1, 64, 64, STEPS);

        assertThatThrownBy(() -> generator.generate(List.of(input)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Embedding has 512 values, the generator expects 384");
    }

    @Test
    void rejectsSidesThatAreNotMultiplesOfEightWithinLimits() {
        assertThatThrownBy(() -> generator.generate(List.of(input(1, 1, 60, 64))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Image width must be a multiple of 8 from 8 to 2048, got 60");
        assertThatThrownBy(() -> generator.generate(List.of(input(1, 1, 64, 4096))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Image height must be a multiple of 8 from 8 to 2048, got 4096");
    }

    @Test
    void rejectsZeroSteps() {
        GenerationInput input = new GenerationInput(embedding(1), 1, 64, 64, 0);

        assertThatThrownBy(() -> generator.generate(List.of(input)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Steps must be at least 1, got 0");
    }

    @Test
    void rejectsABatchOfMixedSizes() {
        List<GenerationInput> batch = List.of(input(1, 1, 64, 64), input(1, 1, 64, 32));

        assertThatThrownBy(() -> generator.generate(batch))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A batch must share width, height and steps, got 64x64x4 and 64x32x4");
    }

    @Test
    void loadsAnExportFromADirectoryAndVersionsItByContent(@TempDir Path dir) throws IOException {
        copyBuiltinModelsTo(dir);
        GenerationInput input = input(42, 7, 64, 64);

        try (OnnxImageGenerator exported = OnnxImageGenerator.fromDirectory(dir, 1)) {
            String dirName = dir.getFileName().toString();
            assertThat(exported.name()).isEqualTo(dirName);
            assertThat(exported.version()).matches(dirName + "-[0-9a-f]{12}");
            assertThat(exported.generate(List.of(input)).get(0).latent).isEqualTo(generateOne(input).latent);
        }
    }

    @Test
    void takesTheNameFromModelPropertiesButNeverTheVersion(@TempDir Path dir) throws IOException {
        copyBuiltinModelsTo(dir);
        Files.writeString(dir.resolve("model.properties"), "name=my-cppn\nversion=my-cppn-2\n");

        String version;
        try (OnnxImageGenerator exported = OnnxImageGenerator.fromDirectory(dir, 1)) {
            assertThat(exported.name()).isEqualTo("my-cppn");
            version = exported.version();
            assertThat(version).matches("my-cppn-[0-9a-f]{12}");
        }
        Files.write(dir.resolve(OnnxImageGenerator.DENOISER_FILE),
                Files.readAllBytes(dir.resolve(OnnxImageGenerator.DECODER_FILE)));
        Files.setLastModifiedTime(dir.resolve(OnnxImageGenerator.DENOISER_FILE),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertThat(ModelVersion.of("my-cppn", dir, new String[] {OnnxImageGenerator.DENOISER_FILE,
                OnnxImageGenerator.DECODER_FILE})).as("changed files, same model.properties").isNotEqualTo(version);
    }

    private static Generated generateOne(GenerationInput input) {
        return generator.generate(List.of(input)).get(0);
    }

    private static GenerationInput input(long seed, long embeddingSeed, int width, int height) {
        return new GenerationInput(embedding(embeddingSeed), seed, width, height, STEPS);
    }

    /** A deterministic unit vector, like the text encoder's output. */
    private static float[] embedding(long seed) {
        float[] embedding = GaussianNoise.sample(seed, OnnxImageGenerator.EMBEDDING_SIZE);
        double norm = 0;
        for (float value : embedding) {
            norm += value * value;
        }
        for (int i = 0; i < embedding.length; i++) {
            embedding[i] /= (float) Math.sqrt(norm);
        }
        return embedding;
    }

    private static void copyBuiltinModelsTo(Path dir) throws IOException {
        String resourceDir = "/" + OnnxImageGenerator.BUILTIN_RESOURCE_DIR + "/";
        for (String file : List.of(OnnxImageGenerator.DENOISER_FILE, OnnxImageGenerator.DECODER_FILE)) {
            Path extracted = ModelFiles.extract(resourceDir + file, OnnxImageGenerator.BUILTIN_VERSION);
            Files.copy(extracted, dir.resolve(file));
        }
    }
}
