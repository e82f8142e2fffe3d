package dev.stageflow.inference;

/**
 * Stretches each channel linearly so that its low and high percentiles map to 0 and 1, clipping the
 * given fraction of pixels at each end.
 *
 * <p>Percentiles come from a histogram rather than a sort: linear time instead of {@code n log n},
 * at a resolution of 1/{@value #HISTOGRAM_BINS} of the channel's range, far below one 8-bit level.
 * Clipping a few outliers keeps a single bright or dark pixel (common after sharpening) from
 * deciding the stretch for the whole image.
 */
final class AutoContrast {

    private static final int HISTOGRAM_BINS = 4096;
    /**
     * A channel spanning less than one 8-bit level has no visible structure; stretching it would
     * only blow rounding noise up to full range, so it is left as it is.
     */
    private static final float FLAT_SPAN = 1f / 255;

    private AutoContrast() {}

    /** Stretches every channel of {@code image} in place. */
    static void stretch(RgbImage image, float clipFraction) {
        int plane = image.width() * image.height();
        for (int channel = 0; channel < 3; channel++) {
            stretchChannel(image.planes(), channel * plane, plane, clipFraction);
        }
    }

    private static void stretchChannel(float[] planes, int from, int length, float clipFraction) {
        Range range = clippedRange(planes, from, length, clipFraction);
        if (range.span() < FLAT_SPAN) {
            return;
        }
        float gain = 1 / range.span();
        for (int i = from; i < from + length; i++) {
            planes[i] = Math.min(1f, Math.max(0f, (planes[i] - range.low) * gain));
        }
    }

    private static Range clippedRange(float[] planes, int from, int length, float clipFraction) {
        Range extremes = extremes(planes, from, length);
        if (extremes.span() < FLAT_SPAN) {
            return extremes;
        }
        float binWidth = extremes.span() / HISTOGRAM_BINS;
        int[] histogram = histogram(planes, from, length, extremes.low, binWidth);
        long clipped = (long) (clipFraction * (double) length);
        return new Range(extremes.low + lowBin(histogram, clipped) * binWidth,
                extremes.low + (highBin(histogram, clipped) + 1) * binWidth);
    }

    private static Range extremes(float[] planes, int from, int length) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = from; i < from + length; i++) {
            min = Math.min(min, planes[i]);
            max = Math.max(max, planes[i]);
        }
        return new Range(min, max);
    }

    private static int[] histogram(float[] planes, int from, int length, float min, float binWidth) {
        int[] histogram = new int[HISTOGRAM_BINS];
        for (int i = from; i < from + length; i++) {
            histogram[Math.min(HISTOGRAM_BINS - 1, (int) ((planes[i] - min) / binWidth))]++;
        }
        return histogram;
    }

    /** The first bin with more than {@code clipped} pixels at or below it (clipped < pixel count). */
    private static int lowBin(int[] histogram, long clipped) {
        int bin = 0;
        long count = histogram[bin];
        while (count <= clipped) {
            count += histogram[++bin];
        }
        return bin;
    }

    /** The last bin with more than {@code clipped} pixels at or above it (clipped < pixel count). */
    private static int highBin(int[] histogram, long clipped) {
        int bin = histogram.length - 1;
        long count = histogram[bin];
        while (count <= clipped) {
            count += histogram[--bin];
        }
        return bin;
    }

    private record Range(float low, float high) {
        float span() {
            return high - low;
        }
    }
}
