package dev.stageflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateFiguresTest {

    @Test
    void perPromptIsTheGrowthOverThePrompts() {
        assertThat(StateFigures.perPrompt(2_048_000 + 5_000, 5_000, 1_000)).isEqualTo(2_048.0);
        assertThat(StateFigures.perPrompt(5_000, 6_000, 1_000)).isEqualTo(-1.0);
        assertThatThrownBy(() -> StateFigures.perPrompt(1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void perOperatorCountsAMissingSideAsNoStateAndDropsUnchangedOperators() {
        Map<String, Double> figures = StateFigures.perPromptByOperator(
                Map.of("image-enhance", 1_600_000L, "dedupe", 90_000L, "source-files", 700L),
                Map.of("dedupe", 90_000L, "source-files", 500L, "commit-results", 2_000L), 1_000);
        assertThat(figures).containsExactlyInAnyOrderEntriesOf(Map.of(
                "image-enhance", 1_600.0, "source-files", 0.2, "commit-results", -2.0));
    }

    @Test
    void medianIsAMeasuredValue() {
        assertThat(StateFigures.median(List.of(30L, 10L, 20L))).isEqualTo(20L);
        assertThat(StateFigures.median(List.of(40L, 10L, 30L, 20L))).isEqualTo(20L);
        assertThatThrownBy(() -> StateFigures.median(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stableDiffusionRecordsCarryTwoEmbeddingsOf77By768Floats() {
        assertThat(StateFigures.floatBytes(384)).isEqualTo(1_536);
        assertThat(StateFigures.floatBytes(StateFigures.sd15Floats(false))).isEqualTo(236_544);
        assertThat(StateFigures.floatBytes(StateFigures.sd15Floats(true))).isEqualTo(473_088);
    }
}
