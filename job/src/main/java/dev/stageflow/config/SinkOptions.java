package dev.stageflow.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Where committed results and dead letters go. */
@OptionsSection(title = "Output", position = 20)
public final class SinkOptions {

    public static final ConfigOption<String> OUTPUT_DIR =
            ConfigOptions.key("output.dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Directory (any Flink file system URI or local path) that receives"
                                    + " 'results/' (one JSON line per committed prompt) and"
                                    + " 'dead-letters/' (one JSON line per rejected input). Files"
                                    + " become visible when the checkpoint that contains them"
                                    + " completes.");

    private SinkOptions() {}
}
