package dev.stageflow.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Which models the stages run and how they are fed. */
@OptionsSection(title = "Models", position = 50)
public final class ModelOptions {

    public static final String BUILTIN = "builtin";

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

    public static final ConfigOption<String> GENERATOR_MODEL =
            ConfigOptions.key("generator.model")
                    .stringType()
                    .defaultValue(BUILTIN)
                    .withDescription(
                            "'builtin' for the built-in CPPN decoder (deterministic weights,"
                                    + " written at build time), or a local directory holding your"
                                    + " own denoiser.onnx and decoder.onnx with the same inputs and"
                                    + " outputs (and optionally model.properties with name and"
                                    + " version).");

    private ModelOptions() {}
}
