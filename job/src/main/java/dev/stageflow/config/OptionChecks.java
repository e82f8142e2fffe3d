package dev.stageflow.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.IllegalConfigurationException;

/** How a setting that cannot work is refused at job build time: one message, naming the option. */
public final class OptionChecks {

    private OptionChecks() {}

    /**
     * Fails with "Option KEY must be RULE, got VALUE" unless {@code valid}.
     *
     * @param rule what the option must be, e.g. {@code "1..1024"} or {@code "at least 1 s"}
     */
    public static void require(boolean valid, ConfigOption<?> option, String rule, Object value) {
        if (!valid) {
            throw new IllegalConfigurationException("Option " + option.key() + " must be " + rule + ", got " + value);
        }
    }
}
