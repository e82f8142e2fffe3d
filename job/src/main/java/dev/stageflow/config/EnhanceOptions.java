package dev.stageflow.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** What the image-enhance stage does to each image. */
@OptionsSection(title = "Image enhancement", position = 70)
public final class EnhanceOptions {

    public static final ConfigOption<Integer> SCALE =
            ConfigOptions.key("enhancer.scale")
                    .intType()
                    .defaultValue(2)
                    .withDescription("Upscale factor (bicubic), 1 to 4.");

    public static final ConfigOption<Double> SHARPEN_AMOUNT =
            ConfigOptions.key("enhancer.sharpen-amount")
                    .doubleType()
                    .defaultValue(0.8)
                    .withDescription("Unsharp-mask strength; 0 disables sharpening.");

    public static final ConfigOption<Double> SHARPEN_SIGMA =
            ConfigOptions.key("enhancer.sharpen-sigma")
                    .doubleType()
                    .defaultValue(1.0)
                    .withDescription("Unsharp-mask Gaussian sigma, in output pixels.");

    public static final ConfigOption<Double> CONTRAST_CLIP =
            ConfigOptions.key("enhancer.contrast-clip")
                    .doubleType()
                    .defaultValue(0.005)
                    .withDescription(
                            "Auto-contrast: fraction of pixels clipped at each end of every"
                                    + " channel (0 to 0.2).");

    private EnhanceOptions() {}
}
