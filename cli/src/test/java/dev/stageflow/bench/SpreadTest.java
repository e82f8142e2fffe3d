package dev.stageflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpreadTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        assertThat(Spread.of(List.of(3.0, 1.0, 2.0))).isEqualTo(new Spread(1.0, 2.0, 3.0));
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Spread.of(List.of(4.0, 1.0, 2.0, 10.0))).isEqualTo(new Spread(1.0, 3.0, 10.0));
    }

    @Test
    void percentilesAreNearestRank() {
        double[] samples = new double[100];
        for (int i = 0; i < 100; i++) {
            samples[i] = 100 - i;
        }
        assertThat(Spread.percentile(samples, 50)).isEqualTo(50.0);
        assertThat(Spread.percentile(samples, 99)).isEqualTo(99.0);
        assertThat(Spread.percentile(samples, 100)).isEqualTo(100.0);
        assertThat(Spread.percentile(new double[] {7}, 99)).isEqualTo(7.0);
    }

    @Test
    void refusesNoMeasurements() {
        assertThatThrownBy(() -> Spread.of(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Spread.percentile(new double[0], 50)).isInstanceOf(IllegalArgumentException.class);
    }
}
