package dev.stageflow.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Limits that decide whether an input line is a valid prompt, and the defaults it gets. */
@OptionsSection(title = "Requests and deduplication", position = 40)
public final class RequestOptions {

    public static final ConfigOption<Integer> MAX_LINE_BYTES =
            ConfigOptions.key("request.max-line-bytes")
                    .intType()
                    .defaultValue(16_384)
                    .withDeprecatedKeys("request.max-line-length")
                    .withDescription("Longest accepted input line, in bytes (UTF-8, without the line separator). "
                            + "Sources hold no more of a line than this; a longer line is a LINE_TOO_LONG dead letter.");

    public static final ConfigOption<Integer> MAX_TEXT_LENGTH =
            ConfigOptions.key("request.max-text-length")
                    .intType()
                    .defaultValue(1_000)
                    .withDescription(
                            "Longest accepted prompt text, in Unicode code points after"
                                    + " normalisation.");

    public static final ConfigOption<Integer> MIN_SIZE =
            ConfigOptions.key("request.min-size")
                    .intType()
                    .defaultValue(32)
                    .withDescription("Smallest accepted width or height, in pixels.");

    public static final ConfigOption<Integer> MAX_SIZE =
            ConfigOptions.key("request.max-size")
                    .intType()
                    .defaultValue(1_024)
                    .withDescription(
                            "Largest accepted width or height, in pixels (before the enhance"
                                    + " stage upscales).");

    public static final ConfigOption<Integer> MAX_STEPS =
            ConfigOptions.key("request.max-steps")
                    .intType()
                    .defaultValue(50)
                    .withDescription("Most refinement steps a prompt may ask for.");

    public static final ConfigOption<Integer> DEFAULT_WIDTH =
            ConfigOptions.key("request.default-width")
                    .intType()
                    .defaultValue(128)
                    .withDescription("Width of a prompt that does not give one.");

    public static final ConfigOption<Integer> DEFAULT_HEIGHT =
            ConfigOptions.key("request.default-height")
                    .intType()
                    .defaultValue(128)
                    .withDescription("Height of a prompt that does not give one.");

    public static final ConfigOption<Integer> DEFAULT_STEPS =
            ConfigOptions.key("request.default-steps")
                    .intType()
                    .defaultValue(8)
                    .withDescription("Refinement steps of a prompt that does not give them.");

    public static final ConfigOption<Double> DEFAULT_GUIDANCE =
            ConfigOptions.key("request.default-guidance")
                    .doubleType()
                    .defaultValue(7.5)
                    .withDescription("Classifier-free guidance scale of a prompt that does not give one (the"
                            + " sd-onnx family; 0 or 1 runs no unconditional pass). SD 1.5 wants about 7.5,"
                            + " SD-Turbo 0.");

    public static final ConfigOption<String> DEFAULT_STYLE =
            ConfigOptions.key("request.default-style")
                    .stringType()
                    .defaultValue("natural")
                    .withDescription("Style of a prompt that does not give one.");

    public static final ConfigOption<Duration> DEDUPE_TTL =
            ConfigOptions.key("dedupe.ttl")
                    .durationType()
                    .defaultValue(Duration.ofHours(24))
                    .withDescription(
                            "How long an accepted promptId is remembered; a prompt with the same"
                                    + " id within this time is dropped as a duplicate.");

    private RequestOptions() {}
}
