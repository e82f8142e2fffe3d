package dev.stageflow.inference;

import dev.stageflow.config.EnhanceOptions;
import java.io.Serializable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * What {@link ImageEnhancer} does to each image. Validated on construction, so a bad value fails when
 * the job graph is built instead of on every request in a TaskManager; the defaults are those of
 * {@link EnhanceOptions}, kept in one place.
 *
 * @param scale upscale factor, 1 to 4
 * @param sharpenAmount unsharp-mask strength, 0 (off) or more
 * @param sharpenSigma unsharp-mask Gaussian sigma in output pixels, above 0
 * @param contrastClip fraction of pixels clipped at each end of every channel, 0 to 0.2
 */
public record EnhanceSettings(int scale, float sharpenAmount, float sharpenSigma, float contrastClip)
        implements Serializable {

    public EnhanceSettings {
        check(scale >= 1 && scale <= 4, "scale", EnhanceOptions.SCALE, "1 to 4", scale);
        check(Float.isFinite(sharpenAmount) && sharpenAmount >= 0,
                "sharpenAmount", EnhanceOptions.SHARPEN_AMOUNT, "a finite number >= 0", sharpenAmount);
        check(Float.isFinite(sharpenSigma) && sharpenSigma > 0,
                "sharpenSigma", EnhanceOptions.SHARPEN_SIGMA, "a finite number > 0", sharpenSigma);
        check(contrastClip >= 0 && contrastClip <= 0.2f,
                "contrastClip", EnhanceOptions.CONTRAST_CLIP, "0 to 0.2", contrastClip);
    }

    public static EnhanceSettings defaults() {
        return from(new Configuration());
    }

    /** The settings of the {@code enhancer.*} options; an invalid value names its option. */
    public static EnhanceSettings from(Configuration conf) {
        try {
            return new EnhanceSettings(
                    conf.get(EnhanceOptions.SCALE),
                    conf.get(EnhanceOptions.SHARPEN_AMOUNT).floatValue(),
                    conf.get(EnhanceOptions.SHARPEN_SIGMA).floatValue(),
                    conf.get(EnhanceOptions.CONTRAST_CLIP).floatValue());
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
