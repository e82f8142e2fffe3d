package dev.stageflow.config;

import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Which model each model stage runs, and where: under the stage's prefix ({@code encoder.}, {@code
 * generator.}, {@code enhancer.}) a model family (an implementation of the stage's plug-in
 * contract, found with {@code ServiceLoader}), the model it loads, the device it runs on, and the
 * family's own options.
 */
@OptionsSection(title = "Models", position = 50)
public final class ModelOptions {

    public static final String BUILTIN = "builtin";
    public static final String CPU = "cpu";

    public static final ModelOptions ENCODER = new ModelOptions("encoder", JobOperator.TEXT_ENCODE, BUILTIN,
            "'builtin' for all-MiniLM-L6-v2 (quantized ONNX, shipped in a Maven artifact), or a local"
                    + " directory holding all-minilm-l6-v2-q.onnx and all-minilm-l6-v2-q-tokenizer.json"
                    + " (family minilm); for family sd-onnx the directory 'optimum-cli export onnx' wrote"
                    + " (the generator's, when only generator.model names it); or what another family loads.");
    public static final ModelOptions GENERATOR = new ModelOptions("generator", JobOperator.IMAGE_GENERATE, BUILTIN,
            "'builtin' for the built-in CPPN decoder (deterministic weights, written at build time), or a"
                    + " local directory holding your own denoiser.onnx and decoder.onnx with the same inputs"
                    + " and outputs (family cppn); for family sd-onnx the directory 'optimum-cli export onnx'"
                    + " wrote (README.md, \"Stable Diffusion models\"); or what another family loads.");
    public static final ModelOptions ENHANCER = new ModelOptions("enhancer", JobOperator.IMAGE_ENHANCE,
            EnhanceOptions.CLASSICAL,
            "'classical' (bicubic upscale and unsharp mask, plain Java; family classical), or a learned"
                    + " super-resolution model on ONNX Runtime: 'esrgan-slim-x2' or 'esrgan-slim-x4'"
                    + " (ESRGAN-slim of @upscalerjs/esrgan-slim 1.0.0, MIT licence, converted to ONNX at"
                    + " build time; family esrgan-slim). Auto-contrast and the style's colour grading"
                    + " follow either way. Or what another family loads.");

    public static final List<ModelOptions> ALL = List.of(ENCODER, GENERATOR, ENHANCER);

    public static final ConfigOption<Integer> ENCODER_MAX_TOKENS =
            ConfigOptions.key("encoder.max-tokens")
                    .intType()
                    .defaultValue(128)
                    .withDescription("Prompt texts are truncated to this many tokens for encoding.");

    public final String prefix;
    public final ConfigOption<String> family;
    public final ConfigOption<String> model;
    public final ConfigOption<String> device;
    public final ConfigOption<String> deviceFallback;
    public final ConfigOption<Map<String, String>> familyOptions;

    private ModelOptions(String prefix, JobOperator operator, String defaultModel, String modelDescription) {
        String stage = operator.uid();
        this.prefix = prefix;
        this.family =
                ConfigOptions.key(prefix + ".family")
                        .stringType()
                        .noDefaultValue()
                        .withDescription(
                                "The model family the " + stage + " stage runs: the identifier of a"
                                        + " factory of the stage's plug-in contract on the classpath"
                                        + " (README.md, \"Model families\"). Unset: the family that names "
                                        + prefix + ".model among its built-in models, else the stage's"
                                        + " default family.");
        this.model =
                ConfigOptions.key(prefix + ".model")
                        .stringType()
                        .defaultValue(defaultModel)
                        .withDescription(modelDescription);
        this.device =
                ConfigOptions.key(prefix + ".device")
                        .stringType()
                        .defaultValue(CPU)
                        .withDescription(
                                "Where the " + stage + " model runs: 'cpu', or 'cuda:N' for GPU N through"
                                        + " ONNX Runtime's CUDA execution provider (needs the onnxruntime_gpu"
                                        + " build, see README.md, \"GPUs\"). A GPU that cannot be used fails"
                                        + " the stage at start unless " + prefix + ".device-fallback is cpu.");
        this.deviceFallback =
                ConfigOptions.key(prefix + ".device-fallback")
                        .stringType()
                        .defaultValue("none")
                        .withDescription(
                                "What the " + stage + " stage does when " + prefix + ".device cannot be"
                                        + " used: 'none' fails it; 'cpu' logs a warning and runs on the CPU.");
        this.familyOptions =
                ConfigOptions.key(prefix + ".options")
                        .mapType()
                        .noDefaultValue()
                        .withDescription(
                                "Options of the " + stage + " stage's model family, given one key each as "
                                        + prefix + ".options.<name>: <value>. stageflow's own families take"
                                        + " none, but for sd-onnx's generator.options.scheduler.");
    }
}
