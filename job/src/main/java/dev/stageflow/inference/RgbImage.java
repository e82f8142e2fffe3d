package dev.stageflow.inference;

/**
 * An RGB image as three float planes (channel-major, like the model tensors), values in [0, 1].
 * PNG encoding is 8-bit and deterministic: the same pixels always give the same bytes.
 */
public final class RgbImage {

    private final int width;
    private final int height;
    private final float[] planes;

    /** Wraps {@code planes} (length 3 × width × height, order R, G, B; not copied). */
    public RgbImage(int width, int height, float[] planes) {
        if (width <= 0 || height <= 0 || planes.length != 3 * width * height) {
            throw new IllegalArgumentException(
                    "Planes of length " + planes.length + " do not fit " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.planes = planes;
    }

    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new float[3 * width * height]);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The backing planes (not a copy): index {@code c * width * height + y * width + x}. */
    public float[] planes() {
        return planes;
    }

    public float get(int channel, int x, int y) {
        return planes[(channel * height + y) * width + x];
    }

    public void set(int channel, int x, int y, float value) {
        planes[(channel * height + y) * width + x] = value;
    }

    /** This image as an 8-bit PNG (see {@link Png}); values are clamped to [0, 1] and rounded. */
    public byte[] toPng() {
        return Png.encode(width, height, planes);
    }

    /** Decodes a PNG (any PNG {@code ImageIO} reads; alpha is dropped). */
    public static RgbImage fromPng(byte[] png) {
        return Png.decode(png);
    }
}
