package dev.stageflow.gc;

import dev.stageflow.config.OptionsSection;
import dev.stageflow.config.SinkOptions;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** The {@code gc} command: which committed results protect the artifacts of the store roots. */
@OptionsSection(title = "Orphan collection (gc)", position = 90)
public final class GcOptions {

    public static final ConfigOption<Duration> GRACE =
            ConfigOptions.key("gc.grace")
                    .durationType()
                    .defaultValue(Duration.ofHours(24))
                    .withDescription(
                            "gc leaves alone every artifact with a file modified more recently than"
                                    + " this, referenced or not: the work of a running job whose"
                                    + " results are not committed yet, and of a stopped job that"
                                    + " will be resumed from a checkpoint (its pending results are"
                                    + " committed on resume without recomputing their artifacts)."
                                    + " Make it longer than the longest a job may stay stopped"
                                    + " before it is resumed.");

    public static final ConfigOption<List<String>> OUTPUT_DIRS =
            ConfigOptions.key("gc.output-dirs")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withFallbackKeys(SinkOptions.OUTPUT_DIR.key())
                    .withDescription(
                            "The output.dir of every job that writes into the store roots, separated"
                                    + " by ';' (on the command line: --output.dir repeated). Only"
                                    + " their committed results protect artifacts: an artifact that"
                                    + " only an unlisted job references is an orphan to gc."
                                    + " Default: output.dir.");

    private GcOptions() {}
}
