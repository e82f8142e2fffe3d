package dev.stageflow.testing.families;

import dev.stageflow.inference.ImageEnhancer;
import dev.stageflow.inference.ImageEnhancerFactory;
import dev.stageflow.inference.ModelSpec;
import dev.stageflow.inference.RgbImage;
import dev.stageflow.model.Style;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * A model family that is not stageflow's: registered on the test classpath only
 * ({@code META-INF/services/dev.stageflow.inference.ImageEnhancerFactory}), as a user's jar would
 * register it. Posterizes: every channel value is rounded to one of {@code enhancer.options.levels}
 * evenly spaced levels.
 */
public final class PosterizeEnhancer implements ImageEnhancer {

    public static final String FAMILY = "test-posterize";
    public static final String LEVELS = "levels";

    private final int levels;

    PosterizeEnhancer(int levels) {
        this.levels = levels;
    }

    /** The value {@code value} (0..1) becomes. */
    public static float posterize(float value, int levels) {
        float clamped = Math.max(0f, Math.min(1f, value));
        return Math.round(clamped * (levels - 1)) / (float) (levels - 1);
    }

    @Override
    public String name() {
        return FAMILY;
    }

    @Override
    public String version() {
        return FAMILY + "-v1-l" + levels;
    }

    @Override
    public RgbImage enhance(RgbImage input, Style style) {
        float[] planes = input.planes().clone();
        for (int i = 0; i < planes.length; i++) {
            planes[i] = posterize(planes[i], levels);
        }
        return new RgbImage(input.width(), input.height(), planes);
    }

    /** The family, found by {@link java.util.ServiceLoader}. */
    public static final class Factory implements ImageEnhancerFactory {

        @Override
        public String family() {
            return FAMILY;
        }

        @Override
        public void validate(ModelSpec spec) {
            levels(spec);
        }

        @Override
        public ImageEnhancer create(ModelSpec spec) {
            if (spec.device().cuda()) {
                throw new UnsupportedOperationException("posterizing runs on the CPU only");
            }
            return new PosterizeEnhancer(levels(spec));
        }

        private static int levels(ModelSpec spec) {
            String levels = spec.familyOptions().getOrDefault(LEVELS, "4");
            try {
                int parsed = Integer.parseInt(levels);
                if (parsed >= 2 && parsed <= 256) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // refused below
            }
            throw new IllegalConfigurationException("Option enhancer.options.levels must be 2..256, got " + levels);
        }
    }
}
