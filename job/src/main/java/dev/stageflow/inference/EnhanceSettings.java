package dev.stageflow.inference;

import dev.stageflow.config.EnhanceOptions;
import dev.stageflow.config.ModelOptions;
import java.io.Serializable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * What the image-enhance stage does to each image. Validated on construction, so a bad value fails
 * when the job graph is built instead of on every request in a TaskManager; the defaults are those
 * of {@link EnhanceOptions}, kept in one place.
 *
 * @param model {@code classical} or a learned model ({@link EsrganModel#optionValue()})
 * @param scale upscale factor, 1 to 4; a learned model's own
 * @param sharpenAmount unsharp-mask strength, 0 (off) or more (classical)
 * @param sharpenSigma unsharp-mask Gaussian sigma in output pixels, above 0 (classical)
 * @param contrastClip fraction of pixels clipped at each end of every channel, 0 to 0.2
 * @param tileSize side of the input tiles a learned model runs on, 16 to 1024
 * @param tileOverlap input pixels of context around each tile, 0 to 64
 */
public record EnhanceSettings(String model, int scale, float sharpenAmount, float sharpenSigma, float contrastClip,
        int tileSize, int tileOverlap) implements Serializable {

    public EnhanceSettings {
        check(EnhanceOptions.MODELS.contains(model), "model", ModelOptions.ENHANCER.model,
                "one of " + String.join(", ", EnhanceOptions.MODELS), model);
        check(scale >= 1 && scale <= 4, "scale", EnhanceOptions.SCALE, "1 to 4", scale);
        EsrganModel learned = EsrganModel.byOptionValue(model).orElse(null);
        check(learned == null || learned.scale() == scale, "scale", EnhanceOptions.SCALE,
                learned == null ? "" : learned.scale() + " with " + ModelOptions.ENHANCER.model.key() + " " + model, scale);
        check(Float.isFinite(sharpenAmount) && sharpenAmount >= 0,
                "sharpenAmount", EnhanceOptions.SHARPEN_AMOUNT, "a finite number >= 0", sharpenAmount);
        check(Float.isFinite(sharpenSigma) && sharpenSigma > 0,
                "sharpenSigma", EnhanceOptions.SHARPEN_SIGMA, "a finite number > 0", sharpenSigma);
        check(contrastClip >= 0 && contrastClip <= 0.2f,
                "contrastClip", EnhanceOptions.CONTRAST_CLIP, "0 to 0.2", contrastClip);
        check(tileSize >= 16 && tileSize <= 1024, "tileSize", EnhanceOptions.TILE_SIZE, "16 to 1024", tileSize);
        check(tileOverlap >= 0 && tileOverlap <= 64, "tileOverlap", EnhanceOptions.TILE_OVERLAP, "0 to 64",
                tileOverlap);
    }

    /** The classical enhancer with these parameters, tiles as by default. */
    public EnhanceSettings(int scale, float sharpenAmount, float sharpenSigma, float contrastClip) {
        this(EnhanceOptions.CLASSICAL, scale, sharpenAmount, sharpenSigma, contrastClip,
                EnhanceOptions.TILE_SIZE.defaultValue(), EnhanceOptions.TILE_OVERLAP.defaultValue());
    }

    public static EnhanceSettings defaults() {
        return from(new Configuration());
    }

    /**
     * The settings of the {@code enhancer.*} options; an invalid value names its option. A learned
     * model's scale is its own: {@code enhancer.scale} left at its default follows it.
     */
    public static EnhanceSettings from(Configuration conf) {
        String model = conf.get(ModelOptions.ENHANCER.model);
        int scale = conf.contains(EnhanceOptions.SCALE)
                ? conf.get(EnhanceOptions.SCALE)
                : EsrganModel.byOptionValue(model).map(EsrganModel::scale).orElse(EnhanceOptions.SCALE.defaultValue());
        try {
            return new EnhanceSettings(
                    model,
                    scale,
                    conf.get(EnhanceOptions.SHARPEN_AMOUNT).floatValue(),
                    conf.get(EnhanceOptions.SHARPEN_SIGMA).floatValue(),
                    conf.get(EnhanceOptions.CONTRAST_CLIP).floatValue(),
                    conf.get(EnhanceOptions.TILE_SIZE),
                    conf.get(EnhanceOptions.TILE_OVERLAP));
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException(e.getMessage(), e);
        }
    }

    private static void check(boolean valid, String field, ConfigOption<?> option, String allowed, Object value) {
        if (!valid) {
            throw new IllegalArgumentException("Enhance setting " + field + " (option " + option.key()
                    + ") must be " + allowed + ", got " + value);
        }
    }
}
