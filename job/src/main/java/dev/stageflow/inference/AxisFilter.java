package dev.stageflow.inference;

/**
 * A linear filter along one image axis: every output sample is a weighted sum of a fixed number of
 * input samples ("taps"), with positions past the edge clamped to the edge sample.
 *
 * <p>Bicubic resampling and Gaussian blur are both separable, so one filter per axis, run along the
 * rows and then down the columns, costs {@code 2·taps} instead of {@code taps²} per pixel. The taps
 * are computed once per output position rather than once per pixel, which keeps the kernel maths
 * out of the inner loops.
 */
final class AxisFilter {

    /** Keys' cubic convolution parameter; −0.5 makes the kernel reproduce quadratics exactly. */
    private static final double KEYS_A = -0.5;
    private static final int BICUBIC_TAPS = 4;
    private static final double GAUSSIAN_RADIUS_IN_SIGMAS = 3;

    private final int inputLength;
    private final int outputLength;
    private final int taps;
    private final int[] sources;
    private final float[] weights;

    private AxisFilter(int inputLength, int outputLength, int taps) {
        this.inputLength = inputLength;
        this.outputLength = outputLength;
        this.taps = taps;
        this.sources = new int[outputLength * taps];
        this.weights = new float[outputLength * taps];
    }

    /** Upscaling by an integer factor, pixel centres aligned (as OpenCV and Pillow resample). */
    static AxisFilter bicubicUpscale(int inputLength, int scale) {
        AxisFilter filter = new AxisFilter(inputLength, inputLength * scale, BICUBIC_TAPS);
        for (int out = 0; out < filter.outputLength; out++) {
            double source = (out + 0.5) / scale - 0.5;
            int first = (int) Math.floor(source) - 1;
            for (int tap = 0; tap < BICUBIC_TAPS; tap++) {
                filter.setTap(out, tap, first + tap, keysKernel(source - (first + tap)));
            }
        }
        return filter;
    }

    /** Gaussian blur with radius ⌈3σ⌉, weights normalised to sum to 1. */
    static AxisFilter gaussianBlur(int length, float sigma) {
        int radius = (int) Math.ceil(GAUSSIAN_RADIUS_IN_SIGMAS * sigma);
        double[] kernel = gaussianKernel(radius, sigma);
        AxisFilter filter = new AxisFilter(length, length, kernel.length);
        for (int out = 0; out < length; out++) {
            for (int tap = 0; tap < kernel.length; tap++) {
                filter.setTap(out, tap, out + tap - radius, kernel[tap]);
            }
        }
        return filter;
    }

    /** Runs {@code alongRows} on every row, then {@code downColumns} on every column of the result. */
    static RgbImage applySeparable(RgbImage image, AxisFilter alongRows, AxisFilter downColumns) {
        float[] rowsFiltered = alongRows.filterRows(image.planes(), 3 * image.height());
        int width = alongRows.outputLength;
        float[] filtered = new float[3 * width * downColumns.outputLength];
        int inputPlane = width * downColumns.inputLength;
        int outputPlane = width * downColumns.outputLength;
        for (int channel = 0; channel < 3; channel++) {
            downColumns.filterColumns(rowsFiltered, channel * inputPlane, filtered, channel * outputPlane, width);
        }
        return new RgbImage(width, downColumns.outputLength, filtered);
    }

    private void setTap(int out, int tap, int source, double weight) {
        sources[out * taps + tap] = Math.max(0, Math.min(inputLength - 1, source));
        weights[out * taps + tap] = (float) weight;
    }

    /** Filters {@code rows} consecutive rows of length {@code inputLength}; the planes just stack. */
    private float[] filterRows(float[] input, int rows) {
        float[] output = new float[rows * outputLength];
        for (int row = 0; row < rows; row++) {
            int inputRow = row * inputLength;
            int outputRow = row * outputLength;
            for (int out = 0; out < outputLength; out++) {
                float sum = 0;
                for (int tap = out * taps, end = tap + taps; tap < end; tap++) {
                    sum += weights[tap] * input[inputRow + sources[tap]];
                }
                output[outputRow + out] = sum;
            }
        }
        return output;
    }

    /** Filters one plane column-wise, a whole row at a time so memory is read in order. */
    private void filterColumns(float[] input, int inputOffset, float[] output, int outputOffset, int width) {
        for (int out = 0; out < outputLength; out++) {
            int outputRow = outputOffset + out * width;
            for (int tap = out * taps, end = tap + taps; tap < end; tap++) {
                float weight = weights[tap];
                int inputRow = inputOffset + sources[tap] * width;
                for (int x = 0; x < width; x++) {
                    output[outputRow + x] += weight * input[inputRow + x];
                }
            }
        }
    }

    private static double keysKernel(double distance) {
        double x = Math.abs(distance);
        if (x <= 1) {
            return ((KEYS_A + 2) * x - (KEYS_A + 3)) * x * x + 1;
        }
        if (x < 2) {
            return ((KEYS_A * x - 5 * KEYS_A) * x + 8 * KEYS_A) * x - 4 * KEYS_A;
        }
        return 0;
    }

    private static double[] gaussianKernel(int radius, float sigma) {
        double[] kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int offset = -radius; offset <= radius; offset++) {
            kernel[offset + radius] = Math.exp(-offset * offset / (2.0 * sigma * sigma));
            sum += kernel[offset + radius];
        }
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] /= sum;
        }
        return kernel;
    }
}
