package dev.stageflow.inference;

import dev.stageflow.model.Style;

/**
 * The colour grading of each {@link Style}, applied in place as the last enhance step, which is why
 * it also clamps the result to [0, 1].
 *
 * <p>Saturation is scaled around Rec. 709 luma rather than in HSV: it keeps each pixel's brightness,
 * so VIVID and PASTEL change colour without changing the tonal balance that auto-contrast set.
 */
final class StyleGrade {

    private static final float LUMA_RED = 0.2126f;
    private static final float LUMA_GREEN = 0.7152f;
    private static final float LUMA_BLUE = 0.0722f;

    private StyleGrade() {}

    static void apply(RgbImage image, Style style) {
        float[] planes = image.planes();
        int plane = image.width() * image.height();
        switch (style) {
            case NATURAL -> { }
            case VIVID -> scaleSaturation(planes, plane, 1.35f);
            case PASTEL -> {
                scaleSaturation(planes, plane, 0.6f);
                liftTowardWhite(planes, 0.15f);
            }
            // Zero saturation leaves only luma, so R = G = B exactly.
            case MONO -> scaleSaturation(planes, plane, 0f);
            case WARM -> applyGains(planes, plane, 1.08f, 1f, 0.90f);
            case COOL -> applyGains(planes, plane, 0.92f, 1f, 1.08f);
        }
        clampToUnit(planes);
    }

    private static void scaleSaturation(float[] planes, int plane, float factor) {
        for (int i = 0; i < plane; i++) {
            float red = planes[i];
            float green = planes[plane + i];
            float blue = planes[2 * plane + i];
            float luma = LUMA_RED * red + LUMA_GREEN * green + LUMA_BLUE * blue;
            planes[i] = luma + factor * (red - luma);
            planes[plane + i] = luma + factor * (green - luma);
            planes[2 * plane + i] = luma + factor * (blue - luma);
        }
    }

    private static void liftTowardWhite(float[] planes, float amount) {
        for (int i = 0; i < planes.length; i++) {
            planes[i] += amount * (1 - planes[i]);
        }
    }

    private static void applyGains(float[] planes, int plane, float... redGreenBlue) {
        for (int channel = 0; channel < 3; channel++) {
            for (int i = channel * plane; i < (channel + 1) * plane; i++) {
                planes[i] *= redGreenBlue[channel];
            }
        }
    }

    private static void clampToUnit(float[] planes) {
        for (int i = 0; i < planes.length; i++) {
            planes[i] = Math.min(1f, Math.max(0f, planes[i]));
        }
    }
}
