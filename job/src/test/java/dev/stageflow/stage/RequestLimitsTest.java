package dev.stageflow.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.config.RequestOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;

/** Request limits that no prompt could meet fail when the job is built, naming the option. */
class RequestLimitsTest {

    @Test
    void defaultSizesMustBeMultiplesOfEight() {
        Configuration width = new Configuration();
        width.set(RequestOptions.DEFAULT_WIDTH, 100);
        Configuration height = new Configuration();
        height.set(RequestOptions.DEFAULT_HEIGHT, 60);

        assertThatThrownBy(() -> RequestLimits.from(width))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage("Option request.default-width must be a multiple of 8 within the size limits, got 100");
        assertThatThrownBy(() -> RequestLimits.from(height))
                .hasMessage("Option request.default-height must be a multiple of 8 within the size limits, got 60");
    }

    @Test
    void defaultSizesMustLieWithinTheLimits() {
        Configuration conf = new Configuration();
        conf.set(RequestOptions.MAX_SIZE, 256);
        conf.set(RequestOptions.DEFAULT_WIDTH, 512);

        assertThatThrownBy(() -> RequestLimits.from(conf))
                .hasMessage("Option request.default-width must be a multiple of 8 within the size limits, got 512");
    }

    @Test
    void theSmallestSizeIsAtLeastOneLatentCell() {
        Configuration conf = new Configuration();
        conf.set(RequestOptions.MIN_SIZE, 4);

        assertThatThrownBy(() -> RequestLimits.from(conf))
                .hasMessage("Option request.min-size must be from 8 to request.max-size (1024), got 4");
    }

    @Test
    void theDefaultsAreValid() {
        RequestLimits limits = RequestLimits.defaults();

        assertThat(limits.isValidSize(limits.defaultWidth)).isTrue();
        assertThat(limits.isValidSize(limits.defaultHeight)).isTrue();
        assertThat(limits.isValidSize(limits.defaultWidth + 4)).isFalse();
    }
}
