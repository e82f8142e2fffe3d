package dev.stageflow.inference;

import dev.stageflow.model.Style;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * The enhance stage's image processing: bicubic upscale, unsharp mask, per-channel auto-contrast and
 * colour grading by style, in plain Java.
 *
 * <p>The output is a pure function of the input pixels, the style and {@link #version()}: no
 * randomness, no threads, and Java's float arithmetic is the same on every JVM, so a replayed
 * request yields the same PNG bytes and hits the same content key. Anything that changes the output
 * must change the version. Instances hold no mutable state and may be shared between threads.
 *
 * <p>The family {@value #FAMILY}, whose one model is {@code classical}; it runs in Java, on the CPU.
 */
public final class ClassicalEnhancer implements ImageEnhancer {

    public static final String FAMILY = "classical";

    private static final String ALGORITHM_VERSION = "enhance-v1";

    private final EnhanceSettings settings;

    public ClassicalEnhancer(EnhanceSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String name() {
        return FAMILY;
    }

    /** Part of the content key of every output, so it names every setting that shapes the pixels. */
    @Override
    public String version() {
        return versionOf(settings);
    }

    private static String versionOf(EnhanceSettings settings) {
        return ALGORITHM_VERSION + "-s" + settings.scale() + "-a" + settings.sharpenAmount()
                + "-r" + settings.sharpenSigma() + "-c" + settings.contrastClip();
    }

    /** A new image, {@code scale} times the size of {@code input}; the input is left unchanged. */
    @Override
    public RgbImage enhance(RgbImage input, Style style) {
        RgbImage image = upscale(input);
        sharpen(image);
        AutoContrast.stretch(image, settings.contrastClip());
        StyleGrade.apply(image, style);
        return image;
    }

    /** A new image: {@code input} upscaled bicubically by {@code scale}. */
    RgbImage upscale(RgbImage input) {
        return AxisFilter.applySeparable(input,
                AxisFilter.bicubicUpscale(input.width(), settings.scale()),
                AxisFilter.bicubicUpscale(input.height(), settings.scale()));
    }

    /** Unsharp mask, in place: adds {@code amount} times the detail that a Gaussian blur removes. */
    void sharpen(RgbImage image) {
        float[] blurred = AxisFilter.applySeparable(image,
                AxisFilter.gaussianBlur(image.width(), settings.sharpenSigma()),
                AxisFilter.gaussianBlur(image.height(), settings.sharpenSigma())).planes();
        float[] planes = image.planes();
        float amount = settings.sharpenAmount();
        for (int i = 0; i < planes.length; i++) {
            planes[i] += amount * (planes[i] - blurred[i]);
        }
    }

    /** The family {@value #FAMILY}, registered for {@link java.util.ServiceLoader}. */
    public static final class Factory implements ImageEnhancerFactory {

        @Override
        public String family() {
            return FAMILY;
        }

        @Override
        public Set<String> builtinModels() {
            return Set.of(FAMILY);
        }

        @Override
        public void validate(ModelSpec spec) {
            settings(spec);
        }

        @Override
        public Optional<ModelIdentity> identify(ModelSpec spec) {
            return Optional.of(ModelIdentity.of(FAMILY, versionOf(settings(spec))));
        }

        @Override
        public ImageEnhancer create(ModelSpec spec) {
            EnhanceSettings settings = settings(spec);
            if (spec.device().cuda()) {
                throw new UnsupportedOperationException("the classical enhancer runs in Java, on the CPU only");
            }
            return new ClassicalEnhancer(settings);
        }

        private static EnhanceSettings settings(ModelSpec spec) {
            if (!FAMILY.equals(spec.model())) {
                throw new IllegalConfigurationException("Option enhancer.model: the classical family has one"
                        + " model, 'classical', not '" + spec.model() + "'");
            }
            return EnhanceSettings.from(spec.configuration());
        }
    }
}
