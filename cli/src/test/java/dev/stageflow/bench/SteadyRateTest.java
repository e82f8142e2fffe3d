package dev.stageflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SteadyRateTest {

    @Test
    void theSmallRunsTimeIsTheFixedCostTakenOut() {
        // 4 s of fixed cost, then 100 prompts/s: 10 prompts take 4.1 s, 1,010 take 14.1 s.
        assertThat(PipelineBenchmark.steadyRate(1_010, 14.1, 4.1)).isCloseTo(100.0, within(1e-9));
    }

    @Test
    void noRateWhenTheSmallRunTookAsLongAndNoneForRunsNoBiggerThanIt() {
        assertThat(PipelineBenchmark.steadyRate(200, 4, 4.5)).isNaN();
        assertThatThrownBy(() -> PipelineBenchmark.steadyRate(PipelineBenchmark.SMALL_RUN, 5, 4))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
