package dev.stageflow.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Where committed results, dead letters and the lineage table go. */
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

    public static final ConfigOption<String> LINEAGE_PARQUET_DIR =
            ConfigOptions.key("sink.lineage.parquet.dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Directory (any Flink file system URI or local path) that receives the"
                                    + " lineage table: Parquet files with one row per committed prompt"
                                    + " (promptId, SHA-256 of the text, parameters, each stage's model,"
                                    + " version, cache hit, time and artifacts, the final image's URI,"
                                    + " sizes and SHA-256). Files become visible with the checkpoint"
                                    + " that commits the same rows to 'results/', so the table holds"
                                    + " exactly the committed results. Unset: no lineage table.");

    private SinkOptions() {}
}
