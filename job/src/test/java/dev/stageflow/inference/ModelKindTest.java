package dev.stageflow.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.config.ModelOptions;
import dev.stageflow.model.Style;
import dev.stageflow.testing.families.AnnouncedEnhancer;
import dev.stageflow.testing.families.GatedEnhancer;
import dev.stageflow.testing.families.PosterizeEnhancer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Families found with ServiceLoader, selected by options, checked at build time; devices and their fallback. */
class ModelKindTest {

    @TempDir
    Path dir;

    @Test
    void findsTheBuiltInFamiliesAndThoseOfTheTestClasspath() {
        assertThat(ModelKind.TEXT_ENCODER.factories()).containsOnlyKeys("minilm", "sd-onnx");
        assertThat(ModelKind.IMAGE_GENERATOR.factories()).containsOnlyKeys("cppn", "sd-onnx");
        assertThat(ModelKind.IMAGE_ENHANCER.factories()).containsOnlyKeys("classical", "esrgan-slim", PosterizeEnhancer.FAMILY,
                GatedEnhancer.FAMILY, AnnouncedEnhancer.FAMILY);
    }

    @Test
    void theDefaultsSelectTheBuiltInModels() {
        Configuration conf = new Configuration();
        assertThat(ModelKind.TEXT_ENCODER.resolve(conf, 1))
                .extracting(ModelSpec::family, ModelSpec::model, ModelSpec::device)
                .containsExactly("minilm", "builtin", ExecutionDevice.CPU);
        assertThat(ModelKind.IMAGE_GENERATOR.resolve(conf, 2).family()).isEqualTo("cppn");
        assertThat(ModelKind.IMAGE_ENHANCER.resolve(conf, 1).family()).isEqualTo("classical");

        Configuration learned = new Configuration();
        learned.set(ModelOptions.ENHANCER.model, "esrgan-slim-x4");
        assertThat(ModelKind.IMAGE_ENHANCER.resolve(learned, 1).family()).isEqualTo("esrgan-slim");
    }

    @Test
    void aSpecCarriesTheStagesOptionsAndTheFamilysOwn() {
        Configuration conf = new Configuration();
        conf.setString("enhancer.family", PosterizeEnhancer.FAMILY);
        conf.setString("enhancer.options.levels", "3");
        conf.setString("enhancer.sharpen-amount", "0.5");
        conf.setString("generator.batch.size", "2");
        ModelSpec spec = ModelKind.IMAGE_ENHANCER.resolve(conf, 4);

        assertThat(spec.familyOptions()).containsExactly(java.util.Map.entry("levels", "3"));
        assertThat(spec.stageOptions()).containsKeys("enhancer.family", "enhancer.sharpen-amount")
                .doesNotContainKey("generator.batch.size");
        assertThat(spec.threads()).isEqualTo(4);
        try (ImageEnhancer enhancer = ModelKind.IMAGE_ENHANCER.create(spec)) {
            RgbImage image = new RgbImage(1, 1, new float[] {0.1f, 0.3f, 0.9f});
            assertThat(enhancer.enhance(image, Style.NATURAL).planes()).containsExactly(0f, 0.5f, 1f);
            assertThat(enhancer.version()).isEqualTo("test-posterize-v1-l3");
        }
    }

    @Test
    void anUnknownFamilyIsRefusedNamingTheOptionAndTheFamiliesThereAre() {
        Configuration conf = new Configuration();
        conf.setString("generator.family", "sd-onyx");
        assertThatThrownBy(() -> ModelKind.IMAGE_GENERATOR.resolve(conf, 1))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage("Option generator.family must be one of [cppn, sd-onnx] (the families on the classpath), got sd-onyx");
    }

    @Test
    void aFamilysCheckRunsWhenTheJobIsBuilt() {
        Configuration conf = new Configuration();
        conf.setString("enhancer.family", PosterizeEnhancer.FAMILY);
        conf.setString("enhancer.options.levels", "1");
        assertThatThrownBy(() -> ModelKind.IMAGE_ENHANCER.resolve(conf, 1))
                .hasMessage("Option enhancer.options.levels must be 2..256, got 1");

        Configuration classical = new Configuration();
        classical.setString("enhancer.model", "esrgan-slim-x9");
        assertThatThrownBy(() -> ModelKind.IMAGE_ENHANCER.resolve(classical, 1))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("'classical', not 'esrgan-slim-x9'");
    }

    @Test
    void aModelDirectoryWithoutTheFamilysFilesIsRefusedNamingThem() throws Exception {
        Files.writeString(dir.resolve("denoiser.onnx"), "not really");
        Configuration conf = new Configuration();
        conf.set(ModelOptions.GENERATOR.model, dir.toString());
        assertThatThrownBy(() -> ModelKind.IMAGE_GENERATOR.resolve(conf, 1))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage("Model directory " + dir + " of family cppn has no decoder.onnx; the family needs"
                        + " denoiser.onnx, decoder.onnx");
    }

    @Test
    void devicesAreCpuOrCudaWithAnIndexOrTheGpuFlinkAssigns() {
        assertThat(ExecutionDevice.parse("cpu")).isEqualTo(ExecutionDevice.CPU);
        assertThat(ExecutionDevice.parse(" CUDA:3 ")).isEqualTo(new ExecutionDevice(true, 3)).hasToString("cuda:3");
        ExecutionDevice assigned = ExecutionDevice.parse("cuda");
        assertThat(assigned).hasToString("cuda");
        assertThat(assigned.assign(List.of(2, 5))).isEqualTo(new ExecutionDevice(true, 2));
        assertThat(assigned.assign(List.of())).isEqualTo(new ExecutionDevice(true, 0));
        assertThat(ExecutionDevice.parse("cuda:1").assign(List.of(2))).hasToString("cuda:1");
        assertThat(ExecutionDevice.CPU.assign(List.of(2))).isEqualTo(ExecutionDevice.CPU);

        Configuration conf = new Configuration();
        conf.set(ModelOptions.GENERATOR.device, "gpu0");
        assertThatThrownBy(() -> ModelKind.IMAGE_GENERATOR.resolve(conf, 1))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage("Option generator.device: 'gpu0' is not a device: 'cpu', or 'cuda:N' for GPU N");
        conf.set(ModelOptions.GENERATOR.device, "cuda:0");
        conf.set(ModelOptions.GENERATOR.deviceFallback, "gpu");
        assertThatThrownBy(() -> ModelKind.IMAGE_GENERATOR.resolve(conf, 1))
                .hasMessage("Option generator.device-fallback must be none or cpu, got gpu");
    }

    /** This machine's ONNX Runtime is the CPU build, with no CUDA provider: what a node without a GPU sees. */
    @Test
    void aGpuThatCannotBeUsedFailsAtStartNamingTheOptionsUnlessTheCpuFallbackIsAllowed() {
        Configuration conf = new Configuration();
        conf.set(ModelOptions.GENERATOR.device, "cuda:0");
        ModelSpec cuda = ModelKind.IMAGE_GENERATOR.resolve(conf, 1);
        assertThatThrownBy(() -> ModelKind.IMAGE_GENERATOR.create(cuda))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("generator.device is cuda:0, and the cppn family cannot run builtin there: ")
                .hasMessageEndingWith("or set generator.device-fallback: cpu.");

        conf.set(ModelOptions.GENERATOR.deviceFallback, "cpu");
        ModelSpec fallback = ModelKind.IMAGE_GENERATOR.resolve(conf, 1);
        ImageGenerator.GenerationInput input = new ImageGenerator.GenerationInput(new float[384], 7, 64, 64, 2);
        try (ImageGenerator onCpu = ModelKind.IMAGE_GENERATOR.create(fallback);
                ImageGenerator reference = OnnxImageGenerator.builtin(1)) {
            assertThat(onCpu.generate(List.of(input)).get(0).image.toPng())
                    .isEqualTo(reference.generate(List.of(input)).get(0).image.toPng());
        }
    }
}
