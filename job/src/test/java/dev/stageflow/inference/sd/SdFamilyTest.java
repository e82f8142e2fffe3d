package dev.stageflow.inference.sd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.config.ModelOptions;
import dev.stageflow.config.StageOptions;
import dev.stageflow.inference.ImageGenerator;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.ModelSpec;
import dev.stageflow.inference.TextEncoder;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd-onnx as a family of the plug-in contract: found, paired, validated and made from the options. */
class SdFamilyTest {

    private static Configuration generatorOnly(Path model) {
        Configuration conf = new Configuration();
        conf.set(ModelOptions.GENERATOR.family, SdPipelineFiles.FAMILY);
        conf.set(ModelOptions.GENERATOR.model, model.toString());
        return conf;
    }

    @Test
    void namingTheGeneratorOnceRunsTheExportsOwnTextEncoder() {
        Configuration conf = SdPipelineFiles.withPairedTextEncoder(generatorOnly(SdPipelineTest.TINY));
        conf.set(StageOptions.GENERATOR.batchSize, 2);
        ModelSpec encoderSpec = ModelKind.TEXT_ENCODER.resolve(conf, 1);
        ModelSpec generatorSpec = ModelKind.IMAGE_GENERATOR.resolve(conf, 1);
        assertThat(encoderSpec.family()).isEqualTo("sd-onnx");
        assertThat(encoderSpec.model()).isEqualTo(SdPipelineTest.TINY.toString());
        try (TextEncoder encoder = ModelKind.TEXT_ENCODER.create(encoderSpec);
                ImageGenerator generator = ModelKind.IMAGE_GENERATOR.create(generatorSpec)) {
            assertThat(encoder.encodesNegativeText()).isTrue();
            assertThat(encoder.dimension()).isEqualTo(77 * 32);
            try (SdImageGenerator sameRows = SdImageGenerator.open(SdPipelineTest.TINY, 1, null, 2)) {
                assertThat(generator.version()).isEqualTo(sameRows.version());
            }
        }
    }

    @Test
    void leavesOtherFamiliesAloneAndRefusesAnotherEncoderForSd() {
        Configuration builtin = new Configuration();
        assertThat(SdPipelineFiles.withPairedTextEncoder(builtin)).isSameAs(builtin);

        Configuration mixed = generatorOnly(SdPipelineTest.TINY);
        mixed.set(ModelOptions.ENCODER.family, "minilm");
        assertThatThrownBy(() -> SdPipelineFiles.withPairedTextEncoder(mixed))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("encoder.family is minilm").hasMessageContaining("own CLIP text encoder");
    }

    @Test
    void validatesTheSchedulerOptionAndTheDirectoryWhenTheJobIsBuilt(@TempDir Path dir) {
        Configuration scheduler = generatorOnly(SdPipelineTest.TINY);
        scheduler.setString("generator.options.scheduler", "DDIMScheduler");
        ModelSpec spec = ModelKind.IMAGE_GENERATOR.resolve(scheduler, 1);
        try (ImageGenerator generator = ModelKind.IMAGE_GENERATOR.create(spec);
                SdImageGenerator ddim = SdImageGenerator.open(SdPipelineTest.TINY, 1, "DDIMScheduler", 4)) {
            assertThat(generator.version()).isEqualTo(ddim.version());
        }

        Configuration unknown = generatorOnly(SdPipelineTest.TINY);
        unknown.setString("generator.options.sampler", "euler");
        assertThatThrownBy(() -> ModelKind.IMAGE_GENERATOR.resolve(unknown, 1))
                .hasMessageContaining("generator.options.sampler").hasMessageContaining("[scheduler]");

        Configuration badScheduler = generatorOnly(SdPipelineTest.TINY);
        badScheduler.setString("generator.options.scheduler", "LMSDiscreteScheduler");
        assertThatThrownBy(() -> ModelKind.IMAGE_GENERATOR.resolve(badScheduler, 1))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("generator.model").hasMessageContaining("LMSDiscreteScheduler");

        assertThatThrownBy(() -> SdPipelineFiles.withPairedTextEncoder(generatorOnly(dir)))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("generator.model").hasMessageContaining("has no model_index.json");

        Configuration elsewhere = generatorOnly(dir.resolve("on-the-cluster-only"));
        assertThat(ModelKind.IMAGE_GENERATOR.resolve(elsewhere, 1).model()).endsWith("on-the-cluster-only");
    }

    /** This machine's ONNX Runtime is the CPU build: a GPU fails at start unless the CPU fallback is allowed. */
    @Test
    void aGpuThatCannotBeUsedFailsAtStartUnlessTheCpuFallbackIsAllowed() {
        Configuration conf = generatorOnly(SdPipelineTest.TINY);
        conf.set(ModelOptions.GENERATOR.device, "cuda:0");
        ModelSpec cuda = ModelKind.IMAGE_GENERATOR.resolve(conf, 1);
        assertThatThrownBy(() -> ModelKind.IMAGE_GENERATOR.create(cuda))
                .hasMessageStartingWith("generator.device is cuda:0, and the sd-onnx family cannot run")
                .hasMessageContaining("unet/model.onnx");

        conf.set(ModelOptions.GENERATOR.deviceFallback, "cpu");
        try (ImageGenerator onCpu = ModelKind.IMAGE_GENERATOR.create(ModelKind.IMAGE_GENERATOR.resolve(conf, 1))) {
            assertThat(onCpu.name()).isEqualTo("sd-tiny");
        }
    }
}
