package dev.stageflow.testing.families;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.inference.ImageEnhancer;
import dev.stageflow.inference.ModelKind;
import dev.stageflow.inference.RgbImage;
import dev.stageflow.model.Style;
import dev.stageflow.testing.JobRuns;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;

class GatedEnhancerTest {

    @Test
    void holdsEveryCallUntilItsGateOpensThenReturnsTheInput() throws Exception {
        Configuration conf = new Configuration();
        conf.setString("enhancer.family", GatedEnhancer.FAMILY);
        conf.setString("enhancer.options.gate", "gated-enhancer-test");
        GatedEnhancer.Gate gate = GatedEnhancer.gate("gated-enhancer-test");
        try (ImageEnhancer enhancer = ModelKind.IMAGE_ENHANCER.create(conf, 1)) {
            RgbImage image = RgbImage.blank(4, 4);
            CompletableFuture<RgbImage> first = CompletableFuture.supplyAsync(() -> enhancer.enhance(image, Style.NATURAL));
            CompletableFuture<RgbImage> second = CompletableFuture.supplyAsync(() -> enhancer.enhance(image, Style.NATURAL));
            JobRuns.await("both calls waiting on the gate", Duration.ofMinutes(1), () -> gate.waiting() == 2);
            assertThat(first).isNotDone();
            gate.open();
            assertThat(first.get(1, TimeUnit.MINUTES)).isSameAs(image);
            assertThat(second.get(1, TimeUnit.MINUTES)).isSameAs(image);
            assertThat(gate.waiting()).isZero();
        } finally {
            GatedEnhancer.remove("gated-enhancer-test");
        }
    }

    @Test
    void refusesAMissingGateName() {
        Configuration conf = new Configuration();
        conf.setString("enhancer.family", GatedEnhancer.FAMILY);
        assertThatThrownBy(() -> ModelKind.IMAGE_ENHANCER.resolve(conf, 1))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("enhancer.options.gate");
    }
}
