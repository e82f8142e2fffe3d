package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.inference.ImageEnhancer;
import dev.stageflow.inference.ImageGenerator;
import dev.stageflow.inference.ModelIdentity;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.ModelSpec;
import dev.stageflow.inference.TextEncoder;
import dev.stageflow.testing.families.AnnouncedEnhancer;
import dev.stageflow.testing.families.PosterizeEnhancer;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * When a stage's model is loaded: at the first use for a CPU model whose family announces its
 * identity (so a run of cache hits never loads it), when the stage opens otherwise; and that a
 * model that cannot be loaded, or is not what its family announced, fails clearly.
 */
class StageModelTest {

    private final AtomicInteger loads = new AtomicInteger();

    private static ModelSpec spec(ModelKind<?, ?> kind, String... options) {
        Configuration conf = new Configuration();
        for (int i = 0; i < options.length; i += 2) {
            conf.setString(options[i], options[i + 1]);
        }
        return kind.resolve(conf, 1);
    }

    @Test
    void theBuiltInModelsAreLoadedAtTheirFirstUseWithTheIdentityTheirFamiliesAnnounced() throws Exception {
        try (StageModel<TextEncoder> encoder = StageModel.open(ModelKind.TEXT_ENCODER, spec(ModelKind.TEXT_ENCODER),
                        loads::incrementAndGet);
                StageModel<ImageGenerator> generator = StageModel.open(ModelKind.IMAGE_GENERATOR,
                        spec(ModelKind.IMAGE_GENERATOR), loads::incrementAndGet);
                StageModel<ImageEnhancer> enhancer = StageModel.open(ModelKind.IMAGE_ENHANCER,
                        spec(ModelKind.IMAGE_ENHANCER), loads::incrementAndGet)) {
            ModelIdentity announced = encoder.identity();
            assertThat(announced.dimension()).isEqualTo(384);
            assertThat(loads).hasValue(0);

            assertThat(ModelKind.TEXT_ENCODER.identityOf(encoder.get())).isEqualTo(announced);
            assertThat(ModelKind.IMAGE_GENERATOR.identityOf(generator.get())).isEqualTo(generator.identity());
            assertThat(ModelKind.IMAGE_ENHANCER.identityOf(enhancer.get())).isEqualTo(enhancer.identity());
            assertThat(encoder.get()).isSameAs(encoder.get());
            assertThat(loads).hasValue(3);
        }
    }

    @Test
    void aFamilyThatDoesNotAnnounceItsIdentityIsLoadedWhenTheStageOpens() throws Exception {
        ModelSpec spec = spec(ModelKind.IMAGE_ENHANCER, "enhancer.family", PosterizeEnhancer.FAMILY);
        try (StageModel<ImageEnhancer> enhancer = StageModel.open(ModelKind.IMAGE_ENHANCER, spec, loads::incrementAndGet)) {
            assertThat(loads).hasValue(1);
            assertThat(enhancer.identity().version()).isEqualTo("test-posterize-v1-l4");
        }
    }

    @Test
    void aModelOnAGpuIsLoadedWhenTheStageOpensSoAMissingGpuFailsOrFallsBackAtTheStart() throws Exception {
        assertThatThrownBy(() -> StageModel.open(ModelKind.IMAGE_ENHANCER,
                spec(ModelKind.IMAGE_ENHANCER, "enhancer.device", "cuda:0"), loads::incrementAndGet))
                .hasMessageContaining("enhancer.device is cuda:0");
        assertThat(loads).hasValue(0);

        ModelSpec fallback = spec(ModelKind.IMAGE_ENHANCER, "enhancer.device", "cuda:0", "enhancer.device-fallback", "cpu");
        try (StageModel<ImageEnhancer> enhancer = StageModel.open(ModelKind.IMAGE_ENHANCER, fallback, loads::incrementAndGet)) {
            assertThat(loads).hasValue(1);
        }
    }

    @Test
    void aModelThatCannotBeLoadedAtItsFirstUseFailsNamingItsModel() throws Exception {
        ModelSpec spec = spec(ModelKind.IMAGE_ENHANCER, "enhancer.family", AnnouncedEnhancer.FAMILY,
                "enhancer.model", "announced");
        try (StageModel<ImageEnhancer> enhancer = StageModel.open(ModelKind.IMAGE_ENHANCER, spec, loads::incrementAndGet)) {
            assertThat(enhancer.identity().version()).isEqualTo(AnnouncedEnhancer.ANNOUNCED_VERSION);

            assertThatThrownBy(enhancer::get).isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("Cannot load the enhancer model announced (family test-announced)")
                    .hasMessageContaining("the model files of announced are unreadable");
            assertThatThrownBy(enhancer::get).as("tried again at the next use").isInstanceOf(ModelLoadException.class);
            assertThat(loads).hasValue(0);
        }
    }

    @Test
    void aLoadedModelWhoseVersionIsNotTheAnnouncedOneFails() throws Exception {
        ModelSpec spec = spec(ModelKind.IMAGE_ENHANCER, "enhancer.family", AnnouncedEnhancer.FAMILY,
                "enhancer.model", "announced", "enhancer.options." + AnnouncedEnhancer.ON_LOAD, "other-version");
        try (StageModel<ImageEnhancer> enhancer = StageModel.open(ModelKind.IMAGE_ENHANCER, spec, loads::incrementAndGet)) {
            assertThatThrownBy(enhancer::get).isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("test-announced-v1")
                    .hasMessageContaining("test-announced-v2");
            assertThat(loads).hasValue(0);
        }
    }
}
