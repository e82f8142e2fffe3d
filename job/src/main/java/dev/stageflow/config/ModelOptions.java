package dev.stageflow.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Which models the stages run and how they are fed. */
@OptionsSection(title = "Models", position = 50)
public final class ModelOptions {

    public static final String BUILTIN = "builtin";
    public static final String SD_ONNX = "sd-onnx";

    public static final ConfigOption<String> ENCODER_MODEL =
            ConfigOptions.key("encoder.model")
                    .stringType()
                    .defaultValue(BUILTIN)
                    .withDescription(
                            "'builtin' for all-MiniLM-L6-v2 (quantized ONNX, shipped in a Maven"
                                    + " artifact), or a local directory holding"
                                    + " all-minilm-l6-v2-q.onnx and"
                                    + " all-minilm-l6-v2-q-tokenizer.json.");

    public static final ConfigOption<Integer> ENCODER_MAX_TOKENS =
            ConfigOptions.key("encoder.max-tokens")
                    .intType()
                    .defaultValue(128)
                    .withDescription("Prompt texts are truncated to this many tokens for encoding.");

    public static final ConfigOption<String> GENERATOR_FAMILY =
            ConfigOptions.key("generator.family")
                    .stringType()
                    .defaultValue(BUILTIN)
                    .withDescription("The kind of image generator: 'builtin' (a denoiser.onnx and"
                            + " decoder.onnx pair, MiniLM as text encoder) or 'sd-onnx' (a Stable Diffusion"
                            + " pipeline exported with 'optimum-cli export onnx'; its own CLIP tokenizer and"
                            + " text encoder then run in text-encode, and encoder.model is not used).");

    public static final ConfigOption<String> GENERATOR_MODEL =
            ConfigOptions.key("generator.model")
                    .stringType()
                    .defaultValue(BUILTIN)
                    .withDescription(
                            "For the builtin family: 'builtin' for the built-in CPPN decoder (deterministic"
                                    + " weights, written at build time), or a local directory holding your"
                                    + " own denoiser.onnx and decoder.onnx with the same inputs and"
                                    + " outputs. For sd-onnx: the directory optimum-cli wrote. The model"
                                    + " version in artifact keys is always a hash of the model files.");

    public static final ConfigOption<String> GENERATOR_SCHEDULER =
            ConfigOptions.key("generator.scheduler")
                    .stringType()
                    .defaultValue("")
                    .withDescription("sd-onnx: the scheduler class to run instead of the one named in"
                            + " scheduler/scheduler_config.json ('EulerDiscreteScheduler' or 'DDIMScheduler';"
                            + " the config's betas, prediction type and spacing still apply). Needed for"
                            + " exports whose scheduler is another one, e.g. SD 1.5's PNDMScheduler.");

    private ModelOptions() {}
}
