package dev.stageflow.inference.sd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.inference.ImageGenerator.Generated;
import dev.stageflow.inference.ImageGenerator.GenerationInput;
import dev.stageflow.testing.TestPrompts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sd-onnx family on the tiny pipelines the build tools write (float32 and float16, in the
 * layout of an Optimum export): loading, the denoising loop, determinism, and refusing
 * directories that do not fit with the file and the problem named.
 */
class SdPipelineTest {

    static final Path TINY = TestPrompts.projectFile("examples/models/sd-tiny");
    static final Path TINY_FP16 = TestPrompts.projectFile("examples/models/sd-tiny-fp16");

    @Test
    void encodesTextsToTheLastHiddenState() {
        try (SdTextEncoder encoder = SdTextEncoder.open(TINY, 1)) {
            float[][] embeddings = encoder.encode(List.of("a photo of a cat", "a red fox in snow", "a photo of a cat"));
            assertThat(encoder.dimension()).isEqualTo(77 * 32);
            assertThat(embeddings[0]).hasSize(77 * 32).isEqualTo(embeddings[2]).isNotEqualTo(embeddings[1]);
            assertThat(encoder.version()).startsWith("sd-tiny-").hasSize("sd-tiny-".length() + 12);
        }
    }

    @Test
    void generatesDeterministicallyAloneOrInABatchWithAndWithoutGuidance() {
        try (SdTextEncoder encoder = SdTextEncoder.open(TINY, 1);
                SdImageGenerator generator = SdImageGenerator.open(TINY, 2, null, 3)) {
            float[][] e = encoder.encode(List.of("a cat", "a dog", ""));
            for (double guidance : new double[] {0, 7.5}) {
                GenerationInput cat = new GenerationInput(e[0], e[2], guidance, 11, 64, 48, 3);
                GenerationInput dog = new GenerationInput(e[1], e[2], guidance, 12, 64, 48, 3);
                List<Generated> batch = generator.generate(List.of(cat, dog));
                Generated alone = generator.generate(List.of(dog)).get(0);
                List<Generated> chunked = generator.generate(List.of(cat, cat, cat, cat, dog));
                assertThat(chunked.get(4).latent).as("in a second chunk").isEqualTo(alone.latent);
                assertThat(chunked.get(3).latent).isEqualTo(batch.get(0).latent);
                assertThat(alone.latent).isEqualTo(batch.get(1).latent);
                assertThat(alone.image.toPng()).isEqualTo(batch.get(1).image.toPng());
                assertThat(batch.get(0).latentShape).containsExactly(4, 6, 8);
                assertThat(batch.get(0).image.width()).isEqualTo(64);
                assertThat(batch.get(0).image.height()).isEqualTo(48);
                assertThat(batch.get(0).latent).isNotEqualTo(batch.get(1).latent);
                assertThat(allFinite(batch.get(0).latent)).isTrue();
            }
            Generated unguided = generator.generate(List.of(new GenerationInput(e[0], e[2], 0, 11, 64, 48, 3))).get(0);
            Generated guided = generator.generate(List.of(new GenerationInput(e[0], e[2], 7.5, 11, 64, 48, 3))).get(0);
            assertThat(guided.latent).isNotEqualTo(unguided.latent);
            Generated negative = generator.generate(List.of(new GenerationInput(e[0], e[1], 7.5, 11, 64, 48, 3))).get(0);
            assertThat(negative.latent).isNotEqualTo(guided.latent);
        }
    }

    @Test
    void runsTheFloat16ExportWithItsScalarTimestepAndInt64Ids() {
        try (SdTextEncoder encoder = SdTextEncoder.open(TINY_FP16, 1);
                SdImageGenerator generator = SdImageGenerator.open(TINY_FP16, 1, null, 2)) {
            float[][] e = encoder.encode(List.of("a cat", ""));
            GenerationInput input = new GenerationInput(e[0], e[1], 5, 3, 32, 32, 4);
            Generated first = generator.generate(List.of(input, input)).get(0);
            Generated again = generator.generate(List.of(input)).get(0);
            assertThat(first.latent).isEqualTo(again.latent);
            assertThat(allFinite(first.latent)).isTrue();
            assertThat(first.image.toPng()).isEqualTo(again.image.toPng());
        }
    }

    @Test
    void theVersionFollowsTheFilesAndTheChosenScheduler(@TempDir Path dir) throws IOException {
        Path copy = copyOf(TINY, dir.resolve("sd-tiny"));
        String version = SdPipelineFiles.of(copy).generatorVersion();
        assertThat(SdPipelineFiles.of(TINY).generatorVersion()).isEqualTo(version);
        assertThat(SdPipelineFiles.of(copy).generatorVersion("rows=2")).isNotEqualTo(version);
        assertThat(SdPipelineFiles.of(copy, "DDIMScheduler").generatorVersion()).isNotEqualTo(version);

        Files.writeString(copy.resolve(SdLayout.MODEL_INDEX), "{\"_class_name\": \"StableDiffusionPipeline\"}");
        assertThat(SdPipelineFiles.of(copy).generatorVersion()).as("model_index.json does not change outputs")
                .isEqualTo(version);

        String encoderVersion = SdPipelineFiles.of(copy).textEncoderVersion();
        Files.copy(TINY_FP16.resolve(SdLayout.UNET), copy.resolve(SdLayout.UNET), StandardCopyOption.REPLACE_EXISTING);
        assertThat(SdPipelineFiles.of(copy).generatorVersion()).isNotEqualTo(version);
        assertThat(SdPipelineFiles.of(copy).textEncoderVersion()).isEqualTo(encoderVersion);
        String withoutData = SdPipelineFiles.of(copy).generatorVersion();
        Files.writeString(copy.resolve("unet/model.onnx_data"), "external weights");
        assertThat(SdPipelineFiles.of(copy).generatorVersion()).as("external data is part of the model")
                .isNotEqualTo(withoutData);
    }

    @Test
    void refusesDirectoriesThatDoNotFitNamingTheFileAndTheProblem(@TempDir Path dir) throws IOException {
        SdPipelineFiles.check(TINY, null);
        SdPipelineFiles.check(TINY_FP16, null);

        Path missing = copyOf(TINY, dir.resolve("missing"));
        Files.delete(missing.resolve(SdLayout.UNET));
        assertThatThrownBy(() -> SdPipelineFiles.check(missing, null))
                .hasMessageContaining("has no unet/model.onnx").hasMessageContaining("optimum-cli export onnx");

        Path swapped = copyOf(TINY, dir.resolve("swapped"));
        Files.copy(TINY.resolve(SdLayout.VAE_DECODER), swapped.resolve(SdLayout.UNET), StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> SdPipelineFiles.check(swapped, null))
                .hasMessageContaining(swapped.resolve(SdLayout.UNET).toString())
                .hasMessageContaining("has no input 'sample'").hasMessageContaining("latent_sample");

        Path corrupt = copyOf(TINY, dir.resolve("corrupt"));
        Files.write(corrupt.resolve(SdLayout.TEXT_ENCODER), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SdPipelineFiles.check(corrupt, null))
                .hasMessageContaining(corrupt.resolve(SdLayout.TEXT_ENCODER).toString())
                .hasMessageContaining("not a model ONNX Runtime can load");

        Path wrongEncoder = copyOf(TINY, dir.resolve("wrong-encoder"));
        Files.copy(TINY.resolve(SdLayout.UNET), wrongEncoder.resolve(SdLayout.TEXT_ENCODER),
                StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> SdPipelineFiles.check(wrongEncoder, null))
                .hasMessageContaining("text_encoder/model.onnx has no input 'input_ids'");

        Path pndm = copyOf(TINY, dir.resolve("pndm"));
        Files.writeString(pndm.resolve(SdLayout.SCHEDULER_CONFIG), "{\"_class_name\": \"PNDMScheduler\","
                + " \"beta_schedule\": \"scaled_linear\", \"beta_start\": 0.00085, \"beta_end\": 0.012}");
        assertThatThrownBy(() -> SdPipelineFiles.check(pndm, null))
                .hasMessageContaining("scheduler_config.json").hasMessageContaining("PNDMScheduler")
                .hasMessageContaining("generator.options.scheduler");
        SdPipelineFiles.check(pndm, "EulerDiscreteScheduler");

        Path badVae = copyOf(TINY, dir.resolve("bad-vae"));
        Files.writeString(badVae.resolve(SdLayout.VAE_DECODER_CONFIG), "{\"scaling_factor\": \"big\"}");
        assertThatThrownBy(() -> SdPipelineFiles.check(badVae, null))
                .hasMessageContaining("vae_decoder/config.json").hasMessageContaining("scaling_factor");

        assertThatThrownBy(() -> SdPipelineFiles.check(dir.resolve("nothing"), null))
                .hasMessageContaining("is not a directory");
    }

    private static boolean allFinite(float[] values) {
        for (float value : values) {
            if (!Float.isFinite(value)) {
                return false;
            }
        }
        return true;
    }

    static Path copyOf(Path source, Path target) throws IOException {
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path path : walk.toList()) {
                Path destination = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(path, destination);
                }
            }
        }
        return target;
    }
}
