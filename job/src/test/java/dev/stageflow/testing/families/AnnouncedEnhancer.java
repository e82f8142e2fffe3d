package dev.stageflow.testing.families;

import dev.stageflow.inference.ImageEnhancer;
import dev.stageflow.inference.ImageEnhancerFactory;
import dev.stageflow.inference.ModelIdentity;
import dev.stageflow.inference.ModelSpec;
import dev.stageflow.inference.RgbImage;
import dev.stageflow.model.Style;
import java.util.Optional;

/**
 * A family (test classpath only) that announces its model's identity without loading it, and whose
 * model then misbehaves when it is loaded: with {@code enhancer.options.on-load: fail} (the
 * default) it cannot be loaded, like a model whose files broke; with {@code on-load: other-version}
 * the loaded model says another version than the one announced.
 */
public final class AnnouncedEnhancer implements ImageEnhancer {

    public static final String FAMILY = "test-announced";
    public static final String ON_LOAD = "on-load";
    public static final String ANNOUNCED_VERSION = FAMILY + "-v1";

    @Override
    public String name() {
        return FAMILY;
    }

    @Override
    public String version() {
        return FAMILY + "-v2";
    }

    @Override
    public RgbImage enhance(RgbImage input, Style style) {
        return input;
    }

    /** The family, found by {@link java.util.ServiceLoader}. */
    public static final class Factory implements ImageEnhancerFactory {

        @Override
        public String family() {
            return FAMILY;
        }

        @Override
        public Optional<ModelIdentity> identify(ModelSpec spec) {
            return Optional.of(ModelIdentity.of(FAMILY, ANNOUNCED_VERSION));
        }

        @Override
        public ImageEnhancer create(ModelSpec spec) {
            if ("other-version".equals(spec.familyOptions().get(ON_LOAD))) {
                return new AnnouncedEnhancer();
            }
            throw new IllegalStateException("the model files of " + spec.model() + " are unreadable");
        }
    }
}
