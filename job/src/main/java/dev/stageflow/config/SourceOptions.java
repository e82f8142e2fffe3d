package dev.stageflow.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Where prompts come from. */
@OptionsSection(title = "Input", position = 10)
public final class SourceOptions {

    public static final ConfigOption<String> PROMPTS =
            ConfigOptions.key("source.prompts")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A JSON-lines file or a directory of them (any Flink file system URI or"
                                    + " local path), one prompt object per line.");

    public static final ConfigOption<Boolean> FOLLOW =
            ConfigOptions.key("source.follow")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Keep watching source.prompts for new files (continuous mode) instead"
                                    + " of finishing when the files present at start are done. Needs"
                                    + " execution.checkpointing.interval (checked when the job is built):"
                                    + " results are committed only when a checkpoint completes.");

    public static final ConfigOption<Duration> MONITOR_INTERVAL =
            ConfigOptions.key("source.monitor-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription("How often a followed directory is scanned for new files.");

    private SourceOptions() {}
}
