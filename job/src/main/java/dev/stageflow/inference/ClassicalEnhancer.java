package dev.stageflow.inference;

import dev.stageflow.model.Style;
import java.util.Objects;

/**
 * The classical enhancer ({@code enhancer.model: classical}): bicubic upscale, unsharp mask,
 * per-channel auto-contrast and colour grading by style, in plain Java.
 *
 * <p>The output is a pure function of the input pixels, the style and {@link #version()}: no
 * randomness, no threads, and Java's float arithmetic is the same on every JVM, so a replayed
 * request yields the same PNG bytes and hits the same content key. Anything that changes the output
 * must change the version. Instances hold no mutable state and may be shared between threads.
 */
public final class ClassicalEnhancer implements ImageEnhancer {

    private static final String ALGORITHM_VERSION = "enhance-v1";

    private final EnhanceSettings settings;

    public ClassicalEnhancer(EnhanceSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String version() {
        return ALGORITHM_VERSION + "-s" + settings.scale() + "-a" + settings.sharpenAmount()
                + "-r" + settings.sharpenSigma() + "-c" + settings.contrastClip();
    }

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
}
