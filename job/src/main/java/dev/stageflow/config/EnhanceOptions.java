package dev.stageflow.config;

import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** What the image-enhance stage does to each image. */
@OptionsSection(title = "Image enhancement", position = 70)
public final class EnhanceOptions {

    public static final String CLASSICAL = "classical";
    public static final String ESRGAN_SLIM_X2 = "esrgan-slim-x2";
    public static final String ESRGAN_SLIM_X4 = "esrgan-slim-x4";
    public static final List<String> MODELS = List.of(CLASSICAL, ESRGAN_SLIM_X2, ESRGAN_SLIM_X4);

    public static final ConfigOption<Integer> TILE_SIZE =
            ConfigOptions.key("enhancer.tile-size")
                    .intType()
                    .defaultValue(192)
                    .withDescription(
                            "Learned models: the image is upscaled in tiles of at most this many"
                                    + " input pixels a side (16 to 1024), which bounds the model's"
                                    + " memory whatever the image size.");

    public static final ConfigOption<Integer> TILE_OVERLAP =
            ConfigOptions.key("enhancer.tile-overlap")
                    .intType()
                    .defaultValue(12)
                    .withDescription(
                            "Learned models: input pixels of context each tile reads beyond its"
                                    + " edges and whose output is discarded (0 to 64). From 10, the"
                                    + " models' reach, tiles join without seams: the result equals"
                                    + " that of one model call on the whole image.");

    public static final ConfigOption<Integer> SCALE =
            ConfigOptions.key("enhancer.scale")
                    .intType()
                    .defaultValue(2)
                    .withDescription(
                            "Upscale factor of the classical enhancer, 1 to 4. A learned model"
                                    + " has its own (esrgan-slim-x2: 2, esrgan-slim-x4: 4); set with"
                                    + " one, it must be that.");

    public static final ConfigOption<Double> SHARPEN_AMOUNT =
            ConfigOptions.key("enhancer.sharpen-amount")
                    .doubleType()
                    .defaultValue(0.8)
                    .withDescription("Classical enhancer: unsharp-mask strength; 0 disables sharpening.");

    public static final ConfigOption<Double> SHARPEN_SIGMA =
            ConfigOptions.key("enhancer.sharpen-sigma")
                    .doubleType()
                    .defaultValue(1.0)
                    .withDescription("Classical enhancer: unsharp-mask Gaussian sigma, in output pixels.");

    public static final ConfigOption<Double> CONTRAST_CLIP =
            ConfigOptions.key("enhancer.contrast-clip")
                    .doubleType()
                    .defaultValue(0.005)
                    .withDescription(
                            "Auto-contrast: fraction of pixels clipped at each end of every"
                                    + " channel (0 to 0.2).");

    private EnhanceOptions() {}
}
